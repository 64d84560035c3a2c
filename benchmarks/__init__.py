"""Speed and memory of the pipeline, each figure a ratio against a baseline run side by side.

`make bench` (`python -m benchmarks`) prints one table; `--json` prints one JSON object.
Every pair is measured interleaved in the same run, median after a warm-up: the machine is
shared and noisy, so seconds from two runs are never compared, only the ratios of one run.

- `readers`: each format read (and read, recognised and normalised) against its library's bare
  load of the same file;
- `validation`: one notice's validation against the same expectations as plain pandas;
- `batch`: `notices run` on N distinct notices against a plain loop over the stages, and the
  peak memory (RSS) of both at two sizes;
- `startup`: `notices run` on one notice against a no-op Prefect flow plus importing Great
  Expectations.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTICE = ROOT / "tests" / "fixtures" / "jiaxing_2024"
