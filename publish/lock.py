"""One run at a time per output folder: a second run waits, then gives up with a clear message.

The lock is `filelock`'s (an OS lock on `output/.lock`, released by the OS if the process dies),
so it works the same for a data officer on Windows; the holder's pid is kept beside it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from core.errors import NoticeError

LOCK_FILE = ".lock"
OWNER_FILE = ".lock.owner"


class OutputBusy(NoticeError):
    """Another run holds the output folder."""


@contextmanager
def exclusive_output(out: Path, wait_seconds: float = 600) -> Iterator[None]:
    """Hold the output folder's lock for the block; wait up to `wait_seconds` for it."""
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / LOCK_FILE, thread_local=False)
    try:
        lock.acquire(timeout=max(wait_seconds, 0), poll_interval=0.5)
    except Timeout:
        raise OutputBusy(
            f"another run is writing into {out} (pid {_holder(out)})",
            file=out,
            hint="wait for it to finish, or run again with another --out",
        ) from None
    try:
        # only for the message of a run that waits: a full disk must not stop this one
        with contextlib.suppress(OSError):
            (out / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
        yield
    finally:
        lock.release()


def _holder(out: Path) -> str:
    try:
        return (out / OWNER_FILE).read_text(encoding="utf-8").strip() or "?"
    except OSError:
        return "?"
