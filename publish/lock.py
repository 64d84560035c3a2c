"""One run at a time per output folder: a second run waits, then gives up with a clear message."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from extractors.errors import NoticeError

LOCK_FILE = ".lock"


class OutputBusy(NoticeError):
    """Another run holds the output folder."""


@contextmanager
def exclusive_output(out: Path, wait_seconds: float = 600) -> Iterator[None]:
    """Hold the output folder's lock; the kernel releases it if the process dies."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_FILE
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputBusy(
                        f"another run is writing into {out} (pid {_holder(path)})",
                        file=out,
                        hint="wait for it to finish, or run again with another --out",
                    ) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _holder(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip() or "?"
