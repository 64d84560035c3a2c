"""A batch's cost per notice, as a ratio against one notice's stages run alone, side by side.

N distinct notices (the 2024 notice retitled to N other years) go through `notices run` in a
subprocess with its own temporary Prefect server (its start-up is subtracted: a one-notice run
is timed too); the same files go through `process_file` in this process. The ratio says what
orchestration, publication and reports add per notice; peak memory (the largest run so far)
says whether memory grows with the batch. Ratios, not seconds, compare across runs.
Run: .venv/bin/python -m tools.bench_batch [--notices 20 50]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flows.pipeline import process_file

NOTICE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "jiaxing_2024"


def make_notices(folder: Path, n: int) -> list[Path]:
    """N notices with N different titles (so N notice ids), otherwise the 2024 notice."""
    text = (NOTICE / "notice.txt").read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for year in range(1900, 1900 + n):
        path = folder / f"notice_{year}.txt"
        path.write_text(text.replace("2024年", f"{year}年", 1), encoding="utf-8")
        paths.append(path)
    return paths


def in_process_seconds(paths: list[Path]) -> float:
    process_file(paths[0])  # warm: imports, registry, Great Expectations context
    started = time.perf_counter()
    for path in paths:
        process_file(path)
    return (time.perf_counter() - started) / len(paths)


def run_seconds(raw: Path, out: Path, home: Path) -> float:
    """Wall seconds of one `notices run` over a folder (its own Prefect home, no server)."""
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", "flows.cli", "run", str(raw), "--out", str(out), "--json"]
    started = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=True)
    return time.perf_counter() - started


def batch_seconds(work: Path, paths: list[Path]) -> float:
    """Seconds per notice a batch adds: (N notices - 1 notice) / (N - 1), so the server's start
    and the database's creation are not counted."""
    one = work / "one"
    one.mkdir()
    shutil.copy(paths[0], one / paths[0].name)
    home = work / "prefect-home"
    run_seconds(one, work / "out-warm", home)  # creates the server's database
    single = run_seconds(one, work / "out-one", home)
    many = run_seconds(paths[0].parent, work / "out-many", home)
    return (many - single) / (len(paths) - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, nargs="+", default=[20, 50])
    args = parser.parse_args()
    print("| notices | batch s/notice | alone s/notice | ratio | peak MB |\n|---|---|---|---|---|")
    for n in args.notices:
        work = Path(tempfile.mkdtemp(prefix="notices-bench-"))
        try:
            paths = make_notices(work / "raw", n)
            batch = batch_seconds(work, paths)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            alone = in_process_seconds(paths)
            print(f"| {n} | {batch:.2f} | {alone:.2f} | {batch / alone:.1f} | {peak:.0f} |")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
