"""`notices run` on N distinct notices against a plain loop over the stages, and peak memory.

The notices are the 2024 notice's text with another year everywhere (1900-2099) and, beyond
200, another batch number in the title and another figure in the first task: N notice ids and
N contents, so nothing is merged or skipped (the run's JSON is checked: N published). Each run
gets a fresh output folder and Prefect home (its temporary server creates its database), as a
new user's first run would.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from benchmarks import NOTICE
from benchmarks.processes import Run, prefect_env, python, run
from benchmarks.timing import Figure

SECTION = "batch"
YEARS = 200  # 1900-2099: what recognise/notice.py reads as a year
TITLE = "2024年政府工作报告重点工作"
FIRST_TASK = "地区生产总值增长6%左右。"


def notice_text(text: str, i: int) -> str:
    """The i-th distinct notice: its own year and, past 200, its own title and first task."""
    year, batch = 1900 + i % YEARS, i // YEARS
    if batch:
        text = text.replace(TITLE, f"2024年政府工作报告第{batch + 1}批重点工作")
        text = text.replace(FIRST_TASK, f"地区生产总值增长{6 + batch}%左右。", 1)
    return text.replace("2024年", f"{year}年")


def make_notices(folder: Path, n: int) -> Path:
    text = (NOTICE / "notice.txt").read_text(encoding="utf-8")
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"notice_{i:04d}.txt").write_text(notice_text(text, i), encoding="utf-8")
    return folder


def notices_run(raw: Path, work: Path) -> Run:
    """`notices run` end to end in a subprocess; every notice must be published."""
    command = python("-m", "flows.cli", "run", str(raw), "--out", str(work / "out"), "--json")
    done = run(command, prefect_env(work / "prefect-home"))
    published = sum(r["status"] == "published" for r in json.loads(done.stdout))
    files = len(list(raw.iterdir()))
    if published != files:
        raise AssertionError(f"{published} of {files} generated notices published")
    return done


def plain_loop(raw: Path) -> Run:
    return run(python("-m", "benchmarks.loop", str(raw)))


def batch_figures(sizes: list[int]) -> list[Figure]:
    """At each size, the run and the loop one after the other; then what one more notice
    costs each (the difference of the sizes, start-up left out) and how memory grows."""
    runs: dict[int, tuple[Run, Run]] = {}
    for n in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"notices-bench-{n}-"))
        try:
            raw = make_notices(work / "raw", n)
            runs[n] = (notices_run(raw, work), plain_loop(raw))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    figures = [_time_figure(n, *runs[n]) for n in sizes]
    small, large = min(sizes), max(sizes)
    return [*figures, _marginal_figure(runs, small, large), *_memory_figures(runs, small, large)]


def _time_figure(n: int, batch: Run, loop: Run) -> Figure:
    return Figure(
        SECTION,
        f"notices run, {n} notices",
        batch.seconds,
        f"plain loop, {n} notices",
        loop.seconds,
        "s",
        target="≤ 1.5× (1,000 in ≤ 90 s)",
        notes={
            "s_per_notice": round(batch.seconds / n, 3),
            "loop_s_per_notice": round(loop.seconds / n, 3),
            "peak_mb": round(batch.peak_mb),
            "tree_peak_mb": round(batch.tree_peak_mb),
            "loop_peak_mb": round(loop.peak_mb),
            "peak_threads": batch.peak_threads,
        },
    )


def _marginal_figure(runs: dict[int, tuple[Run, Run]], small: int, large: int) -> Figure:
    """Seconds one more notice costs: start-ups cancel out in the difference of two sizes."""
    (run_s, loop_s), (run_l, loop_l), more = runs[small], runs[large], large - small
    return Figure(
        SECTION,
        "notices run, one more notice",
        (run_l.seconds - run_s.seconds) / more,
        "plain loop, one more notice",
        (loop_l.seconds - loop_s.seconds) / more,
        "s",
        target="≤ 1.5×",
        notes={"sizes": [small, large]},
    )


def _memory_figures(runs: dict[int, tuple[Run, Run]], small: int, large: int) -> list[Figure]:
    """Peak RSS at the larger size against the smaller: 1.0× when memory is flat in N."""
    figures = []
    for index, what in enumerate(["notices run", "plain loop"]):
        low, high = runs[small][index], runs[large][index]
        figures.append(
            Figure(
                SECTION,
                f"{what} peak RSS, {large} notices",
                high.peak_mb,
                f"{what} peak RSS, {small} notices",
                low.peak_mb,
                "MB",
                target="1.0×, ≤ 600 MB" if index == 0 else "",
                notes={
                    "mb_per_notice": round((high.peak_mb - low.peak_mb) / (large - small), 3),
                    "tree_peak_mb": [round(low.tree_peak_mb), round(high.tree_peak_mb)],
                },
            )
        )
    return figures
