"""`notices run` on one notice against the floor it cannot go under: a Prefect flow that does
nothing (its temporary server's start) plus importing Great Expectations, in subprocesses."""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from benchmarks import NOTICE
from benchmarks.processes import prefect_env, python, run
from benchmarks.timing import Figure

SECTION = "startup"
NO_OP_FLOW = "from prefect import flow\n@flow\ndef no_op() -> None: pass\nno_op()"


def startup_figures(repeat: int) -> list[Figure]:
    """Interleaved, `repeat` times after a warm-up that creates the server's database: every
    run then finds one, as all but a user's first run do."""
    work = Path(tempfile.mkdtemp(prefix="notices-bench-start-"))
    try:
        raw = work / "raw"
        raw.mkdir()
        shutil.copy(NOTICE / "notice.txt", raw / "notice.txt")
        env = prefect_env(work / "prefect-home")
        times: tuple[list[float], list[float]] = ([], [])
        for round_ in range(repeat + 1):
            out = work / f"out-{round_}"
            one = run(python("-m", "flows.cli", "run", str(raw), "--out", str(out)), env)
            floor = run(python("-c", NO_OP_FLOW), env).seconds
            floor += run(python("-c", "import great_expectations")).seconds
            if round_:
                times[0].append(one.seconds)
                times[1].append(floor)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    one_s, floor_s = statistics.median(times[0]), statistics.median(times[1])
    return [
        Figure(
            SECTION,
            "notices run, one notice",
            one_s,
            "no-op Prefect flow + import great_expectations",
            floor_s,
            "s",
            target="≤ 1 s over the floor",
            notes={"over_floor_s": round(one_s - floor_s, 2)},
        )
    ]
