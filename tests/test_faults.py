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


def own_env(tmp: Path) -> dict[str, str]:
    """The environment of a run that starts Prefect's temporary server itself (as a person's
    does), with a temporary folder of its own to look into afterwards."""
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    return {**env, "TMPDIR": str(tmp)}


def children(pid: int) -> dict[int, str]:
    """A running process's children and their command lines (Linux /proc)."""
    found: dict[int, str] = {}
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split():
                    found[int(child)] = command_line(int(child))
    return found


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode("utf-8", "replace")


def running(pid: int, command: str) -> bool:
    """The process still runs (a zombie does not: it only waits for a parent to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and command_line(pid) == command


def end_all(seen: dict[int, str]) -> None:
    """Clean up after a test that failed: the processes it saw, by pid."""
    for pid, command in seen.items():
        if running(pid, command):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _started_run(raw: Path, out: Path, tmp: Path) -> tuple[subprocess.Popen[bytes], dict[int, str]]:
    """`notices run` started, once its server runs and it holds the output folder."""
    child = subprocess.Popen(
        [Path(sys.executable).parent / "notices", "run", str(raw), "--out", str(out)],
        env=own_env(tmp),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and child.poll() is None:
        seen |= children(child.pid)
        if any("uvicorn" in c for c in seen.values()) and (out / ".lock.owner").exists():
            time.sleep(1)  # inside the run: files being read
            return child, seen | children(child.pid)
        time.sleep(0.1)
    child.kill()
    raise AssertionError(f"the run did not start: {child.communicate()[1]!r}")


def _raw_with_formats(tmp_path: Path, formats: list[str]) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for fmt in formats:
        shutil.copy(NOTICE_2024 / f"notice.{fmt}", raw / f"notice.{fmt}")
    return raw


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_run_stopped_by_a_signal_leaves_no_server_no_process_and_no_temporary_file(
    tmp_path: Path, stop: signal.Signals
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    formats = ["txt", "docx", "html", *(["doc"] if shutil.which("soffice") else [])]
    raw, out = _raw_with_formats(tmp_path, formats), tmp_path / "out"
    child, seen = _started_run(raw, out, tmp)
    try:
        child.send_signal(stop)
        _, err = child.communicate(timeout=60)
        assert child.returncode == 128 + stop
        assert f"stopped by {stop.name}" in err.decode() and b"Traceback" not in err
        deadline = time.monotonic() + 15
        while any(running(p, c) for p, c in seen.items()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [c for p, c in seen.items() if running(p, c)]  # the server, LibreOffice
        assert list(tmp.iterdir()) == []
        for path in out.glob("*/year=*/*.parquet"):  # what was published is whole
            pq.read_table(path)
    finally:
        end_all(seen)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal")
def test_a_run_killed_outright_takes_its_server_along_and_the_next_run_its_temporary_folder(
    prefect_server: str, tmp_path: Path
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    raw, out = _raw_with_formats(tmp_path, ["txt", "docx", "html"]), tmp_path / "out"
    child, seen = _started_run(raw, out, tmp)
    try:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        servers = {p: c for p, c in seen.items() if "uvicorn" in c}
        deadline = time.monotonic() + 15
        while any(running(p, c) for p, c in servers.items()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert servers and not [c for p, c in servers.items() if running(p, c)]
        assert [p.name.split("-")[2] for p in tmp.iterdir()] == [str(child.pid)]  # left behind
        env = {**own_env(tmp), "PREFECT_API_URL": prefect_server}
        (tmp_path / "empty").mkdir()  # any run will do
        command = [sys.executable, "-m", "flows.cli", "run", str(tmp_path / "empty")]
        done = subprocess.run(
            [*command, "--out", str(tmp_path / "out2")], env=env, capture_output=True, timeout=600
        )
        assert done.returncode == EXIT_OK, done.stderr
        assert list(tmp.iterdir()) == []
    finally:
        end_all(seen)
