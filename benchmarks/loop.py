"""The plain loop a batch is compared with: every file of a folder through `process_file`.

Run in its own process (`python -m benchmarks.loop FOLDER`) so that its time and memory are
measured as `notices run`'s are: imports, start and every notice. Validation results go to a
temporary folder, as in a run; nothing is published.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from flows.pipeline import process_file


def main(folder: Path) -> int:
    """Exit 1 if a file was not ready: the batch's files must all be publishable."""
    with tempfile.TemporaryDirectory(prefix="notices-bench-loop-") as results:
        ready = [process_file(p, results_dir=Path(results)).ready for p in sorted(folder.iterdir())]
    print(f"{sum(ready)} of {len(ready)} ready")
    return 0 if all(ready) else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
