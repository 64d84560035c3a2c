"""Runs killed halfway and runs started together: readers never see a half-published notice."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.cli import EXIT_BUSY, EXIT_OK, main
from publish.lock import exclusive_output
from publish.read import read_dataset
from tests.conftest import NOTICE_2024

# Runs the CLI in a child process that SIGKILLs itself at a chosen point of publishing.
KILLER = """
import os, signal, sys
import publish.store as store
target, when = sys.argv[1], int(sys.argv[2])
calls = [0]
def deadly(original):
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        calls[0] += 1
        if calls[0] == when:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapper
if target == "replace":
    store.os.replace = deadly(os.replace)
else:
    store.pq.write_table = deadly(store.pq.write_table)
from flows.cli import main
sys.exit(main(["run", *sys.argv[3:]]))
"""


def _snapshot(out: Path) -> dict[str, str]:
    files = [*out.glob("*/year=*/*.parquet"), *out.glob("_manifests/*.json")]
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _changed_notice(folder: Path) -> Path:
    folder.mkdir(parents=True)
    text = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")
    path = folder / "notice.txt"
    path.write_text(text.replace("\t市统计局\n", "\t市统计局、市财政局\n"), encoding="utf-8")
    return path


def _run_and_kill(target: str, when: int, raw: Path, out: Path, api: str) -> int:
    env = {**os.environ, "PREFECT_API_URL": api}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLER, target, str(when), str(raw), "--out", str(out)],
        env=env,
        cwd=Path(__file__).parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # SIGKILL skips clean-up: kill whatever it started too
    )
    try:
        return child.wait(timeout=600)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


@pytest.fixture
def first_publication(prefect_server: str, tmp_path: Path) -> Path:
    raw = tmp_path / "raw-2024"
    raw.mkdir()
    shutil.copy(NOTICE_2024 / "notice.txt", raw / "notice.txt")
    out = tmp_path / "out"
    assert main(["run", str(raw), "--out", str(out), "--json"]) == EXIT_OK
    return out


@pytest.mark.parametrize(("target", "when"), [("write_table", 3), ("replace", 2)])
def test_a_run_killed_while_publishing_leaves_readers_a_whole_notice(
    prefect_server: str, first_publication: Path, tmp_path: Path, target: str, when: int
) -> None:
    out = first_publication
    before = _snapshot(out)
    raw = tmp_path / "raw-changed"
    _changed_notice(raw)
    assert _run_and_kill(target, when, raw, out, prefect_server) == -9
    for path in out.glob("*/year=*/*.parquet"):  # every file readers see is whole
        pq.read_table(path)
    assert not list(out.glob("*/year=*/*.tmp"))
    if target == "write_table":  # killed while staging: nothing visible changed
        assert _snapshot(out) == before
    assert main(["run", str(raw), "--out", str(out), "--json"]) == EXIT_OK
    assert not (out / ".staging").exists() or not list((out / ".staging").iterdir())
    assert len(read_dataset(out, "task_units")) == 252
    assert len(read_dataset(out, "key_tasks")) == 122


def test_a_second_run_on_a_busy_output_gives_up_after_waiting(
    prefect_server,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "out"
    with exclusive_output(out):
        started = time.monotonic()
        status = main(["run", str(NOTICE_2024 / "notice.txt"), "--out", str(out), "--wait", "1"])
    assert status == EXIT_BUSY
    assert time.monotonic() - started >= 1
    assert not list(out.glob("*/year=*/*.parquet"))


def test_a_second_run_waits_for_the_first_to_finish(prefect_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    held = threading.Event()

    def hold_for_two_seconds() -> None:
        with exclusive_output(out):
            held.set()
            time.sleep(2)

    holder = threading.Thread(target=hold_for_two_seconds)
    holder.start()
    held.wait()
    status = main(["run", str(NOTICE_2024 / "notice.txt"), "--out", str(out), "--json"])
    holder.join()
    assert status == EXIT_OK
    assert len(read_dataset(out, "key_tasks")) == 122
