"""The plain loop a batch is compared with: every file of a folder through the stages a run
calls, `read_file` on each and `validate_files` on as many at once as a run validates.

Run in its own process (`python -m benchmarks.loop FOLDER`) so that its time and memory are
measured as `notices run`'s are: imports, start and every notice. Validation results go to a
temporary folder, as in a run; nothing is published.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from flows.pipeline import VALIDATED_TOGETHER, read_file, validate_files


def main(folder: Path) -> int:
    """Exit 1 if a file was not ready: the batch's files must all be publishable."""
    outcomes = [read_file(path).for_publishing() for path in sorted(folder.iterdir())]
    with tempfile.TemporaryDirectory(prefix="notices-bench-loop-") as results:
        for start in range(0, len(outcomes), VALIDATED_TOGETHER):
            validate_files(outcomes[start : start + VALIDATED_TOGETHER], Path(results))
    ready = [o.ready for o in outcomes]
    print(f"{sum(ready)} of {len(ready)} ready")
    return 0 if all(ready) else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
