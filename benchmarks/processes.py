"""A command in a subprocess: its wall time and peak memory (RSS).

Two peaks: the process's own (the kernel's maximum RSS, from wait4) and its process tree's
(psutil sampling the sum of the process and its children, such as the temporary Prefect
server that `notices run` starts).
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from benchmarks import ROOT

SAMPLE_SECONDS = 0.1


@dataclass
class Run:
    """One finished command."""

    seconds: float
    peak_mb: float  # the process alone
    tree_peak_mb: float  # the process and its children, summed, at the highest sample
    peak_threads: int  # the most threads the process had at once
    stdout: str


def prefect_env(home: Path) -> dict[str, str]:
    """Quiet, offline Prefect with its own home (a temporary server there), as `notices run`
    sets it up by default."""
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    return env


def python(*arguments: str) -> list[str]:
    return [sys.executable, *arguments]


def run(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run to the end, sampling the tree's RSS; a failure raises with the command's stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err)
        tree_peak, threads, status, usage = _sample_until_done(child.pid)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            tail = err.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(command)} exited {child.returncode}:\n{tail}")
        peak_mb, tree_mb = usage.ru_maxrss / 1024, tree_peak / 2**20
        return Run(seconds, peak_mb, tree_mb, threads, out.read().decode())


def _sample_until_done(pid: int) -> tuple[int, int, int, resource.struct_rusage]:
    """The highest summed RSS of the process tree and the most threads of the process seen,
    then its exit status and rusage."""
    process = psutil.Process(pid)
    peak = threads = 0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return peak, threads, status, usage
        peak = max(peak, _tree_rss(process))
        with contextlib.suppress(psutil.Error):  # it just ended
            threads = max(threads, process.num_threads())
        time.sleep(SAMPLE_SECONDS)


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total
