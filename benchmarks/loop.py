"""The plain loop a batch is compared with: every file of a folder through the stage functions a
run calls, without Prefect: `read_file` on each, `validate_files` on as many at once as a run
validates, then each notice published into a temporary output folder.

Run in its own process (`python -m benchmarks.loop FOLDER`) so that its time and memory are
measured as `notices run`'s are: imports, start and every notice. The run's reports (review
lists, Data Docs, summary) are not written: they are part of what the ratio measures.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from prefect.logging import disable_run_logger

from core.records import Status
from flows.batch import fingerprint
from flows.notice import notice_groups, publish_group, validation_results
from flows.pipeline import VALIDATED_TOGETHER, read_file, validate_files


def main(folder: Path) -> int:
    """Exit 1 if a notice was not published: the batch's files must all be publishable."""
    outcomes = [read_file(path).for_publishing() for path in sorted(folder.iterdir())]
    with tempfile.TemporaryDirectory(prefix="notices-bench-loop-") as tmp, disable_run_logger():
        out = Path(tmp)
        for start in range(0, len(outcomes), VALIDATED_TOGETHER):
            validate_files(outcomes[start : start + VALIDATED_TOGETHER], validation_results(out))
        stamp, published = fingerprint(), {}
        results = [
            result
            for group in notice_groups(outcomes)
            for result in publish_group.fn(group, out, stamp, published=published)
        ]
    done = sum(r.status is Status.PUBLISHED for r in results)
    print(f"{done} of {len(outcomes)} published")
    return 0 if done == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
