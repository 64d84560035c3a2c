"""The run's process: what it needs and undoes.

Stop signals (SIGINT, SIGTERM, SIGHUP) unwind the run cleanly. Prefect's temporary server is
tied to the process: stopped on a signal, and on Linux killed with it even on SIGKILL. Everything
the libraries put in the temporary folder goes into a folder of the run's own, removed at its
end (or, after a SIGKILL, at the start of the next run).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

TEMP_PREFIX = "notices-run-"
# On a signal the run unwinds (Prefect records the run as crashed, the lock is let go); files
# still being read are not waited for longer than this.
STOP_GRACE_SECONDS = 10.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class _Stopped(BaseException):
    """A stop signal: unwinds the run (not an Exception: nothing may catch it as a bad file)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def run_process() -> Iterator[None]:
    """What the run needs of its process, and undoes: signals that stop it cleanly, Prefect's
    temporary server tied to it, a temporary folder of its own (removed at the end)."""
    handlers = _catch_stop_signals()
    folder: Path | None = None
    try:
        _start_tied_server()  # first: the server must not use the run's temporary folder
        folder = _private_temp()
        yield
    except _Stopped as stopped:
        _stop_now(stopped.signum, folder)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if folder is not None:
            _restore_temp(folder)


def _stop_signals() -> list[int]:
    return [signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]


def _catch_stop_signals() -> dict[int, Any]:
    """SIGINT, SIGTERM and SIGHUP raise _Stopped in the main thread (their default action would
    end the process without Prefect's exit handlers, leaving its server running)."""
    if threading.current_thread() is not threading.main_thread():
        return {}  # only the main thread may set handlers (a test calling main() in a thread)
    return {s: signal.signal(s, _on_stop_signal) for s in _stop_signals()}


def _on_stop_signal(signum: int, frame: FrameType | None) -> None:
    for other in _stop_signals():  # a second signal stops at once
        signal.signal(other, lambda s, f: _stop_now(s, _run_temp()))
    # files still being read are not waited for beyond the grace period
    timer = threading.Timer(STOP_GRACE_SECONDS, _stop_now, (signum, _run_temp()))
    timer.daemon = True
    timer.start()
    raise _Stopped(signum)


_stopping = threading.Lock()  # the unwound run and the grace timer: one of them stops it


def _stop_now(signum: int, folder: Path | None) -> None:
    """Say so, end what the run started, remove its temporary folder, exit 128 + signum."""
    _stopping.acquire()  # never released: the process ends here
    name = signal.Signals(signum).name
    with contextlib.suppress(Exception):  # stderr may be mid-write (a second signal)
        print(
            f"notices: stopped by {name}; what was published stays whole, run again to finish",
            file=sys.stderr,
            flush=True,
        )
        from flows.progress import console

        console.show_cursor(True)  # the spinner hid it
    end_children(server_too=True)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    os._exit(128 + signum)


def end_children(server_too: bool) -> None:
    """End the processes this one started and that still run: a LibreOffice conversion (in a
    session of its own, killed with its children) and, with `server_too`, every other child:
    Prefect's server (SIGTERM: it shuts down cleanly). Linux only (/proc); elsewhere Prefect's
    server is stopped by Prefect's exit handler."""
    for pid in _children():
        with contextlib.suppress(OSError):
            if os.getsid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            elif server_too:
                os.kill(pid, signal.SIGTERM)


def _children() -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError):
                text = Path(f"/proc/self/task/{task}/children").read_text()
                found += [int(pid) for pid in text.split()]
    return found


def _start_tied_server() -> None:
    """Start Prefect's temporary server now, from the main thread, so that on Linux it dies with
    this process even when this one is killed outright (SIGKILL): the parent-death signal.

    Prefect 3.9 starts it as a child (`python -m uvicorn … prefect.server.api.server:create_app`,
    in this process group) on first use, and stops it with an exit handler, which the default
    action of a signal and SIGKILL skip. Every later use finds this one running (one instance
    per process)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return  # a server of the user's: not ours to stop
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    _import_in_background("great_expectations")  # seconds of imports while the server starts
    if not sys.platform.startswith("linux"):
        server.start()
        return
    popen = subprocess.Popen
    subprocess.Popen = partial(popen, preexec_fn=_dies_with(os.getpid()))  # type: ignore[misc]
    try:
        server.start()
    finally:
        subprocess.Popen = popen  # type: ignore[misc]


def _import_in_background(module: str) -> None:
    """Import a module on a thread of its own: the run waits seconds for its server, idle."""
    threading.Thread(
        target=importlib.import_module, args=(module,), name=f"import {module}", daemon=True
    ).start()


def _dies_with(parent: int) -> Callable[[], None]:
    """A child's first step: SIGTERM when the thread that started it (here the main thread,
    which lives as long as the process) ends; at once if the parent is already gone."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork

    def tie() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(1)

    return tie


_saved_temp: list[tuple[Path, str | None, str | None]] = []  # (folder, tempdir, $TMPDIR)


def _private_temp() -> Path:
    """A temporary folder of the run's own: whatever the libraries and LibreOffice put in the
    temporary folder goes there, and goes with it at the end of the run. The folder of a run
    that was killed outright (SIGKILL) goes at the start of the next."""
    _remove_dead_runs_temp()
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    _saved_temp.append((folder, tempfile.tempdir, os.environ.get("TMPDIR")))
    tempfile.tempdir = os.environ["TMPDIR"] = str(folder)
    return folder


def _remove_dead_runs_temp() -> None:
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    for folder in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*-*"):
        pid = folder.name.removeprefix(TEMP_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's
    return True


def _run_temp() -> Path | None:
    return _saved_temp[-1][0] if _saved_temp else None


def _restore_temp(folder: Path) -> None:
    _, tempdir, variable = _saved_temp.pop()
    tempfile.tempdir = tempdir
    if variable is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = variable
    shutil.rmtree(folder, ignore_errors=True)
