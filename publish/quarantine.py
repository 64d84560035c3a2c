"""Quarantine: a notice that cannot be published is kept with its reason; nothing else changes.

A record is a folder per file, `quarantine/<notice or file name>/`: the file's copy, reason.json
(for machines), reason.md (for people) and, when the file was validated, its validation results
(for the quarantine's Data Docs). Records are keyed by the file's path: two bad files of one name
(or of one notice) in two folders of raw/ keep a record each, the second under the name with a
digest of its path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.records import NoticeResult
from publish.store import not_written
from schemas.suites import RESULTS_SUFFIX

QUARANTINE = "quarantine"
REASON = "reason.json"
VALIDATION = "validation" + RESULTS_SUFFIX
_UNSAFE = re.compile(r"[^\w.\-]+")


def quarantine_folder(out: Path, source: Path, notice_id: str | None) -> Path:
    """The folder of this file's record: its own if it has one, else the notice's (or file's)
    name, unless another file's record holds that name."""
    base = out / QUARANTINE / (notice_id or _UNSAFE.sub("_", source.name))
    digested = base.with_name(f"{base.name}-{_path_digest(source)}")
    if _recorded_source(digested) == _key(source):
        return digested
    if _recorded_source(base) in (None, _key(source)):
        return base
    return digested


def quarantine(out: Path, source: Path, result: NoticeResult) -> Path:
    """Record why `source` was not published, and copy it beside the reason.

    The reason is written first and the copy last, so a nearly full disk still keeps the reason.
    Raises OutputNotWritten naming what could not be written; nothing half-written stays."""
    folder = quarantine_folder(out, source, result.notice_id)
    reason = {"quarantined_at": datetime.now(UTC).isoformat(), **result.as_dict()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A file name that is not valid UTF-8 (surrogate escapes) is written as \udcxx.
        _write_whole(folder / REASON, json.dumps(reason, ensure_ascii=False, indent=2, default=str))
        _write_whole(folder / "reason.md", _readable(source, reason["error"] or {}))
    except OSError as error:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty: no folder without a reason
        what = f"the quarantine record of {source.name}"
        raise not_written(error, folder, what, source) from None
    try:
        _copy(source, folder / source.name)
    except OSError as error:
        what = f"the quarantined copy of {source.name}"
        raise not_written(error, folder, what, source) from None
    return folder


def clear_quarantine(out: Path, sources: list[Path], notice_id: str | None = None) -> int:
    """Forget the records of files now published, and every record of `notice_id` (given when
    all its files were published: an old reason is obsolete). How many went."""
    published = {_key(s) for s in sources}
    cleared = 0
    for folder, reason in _records(out) if published or notice_id else iter(()):
        source = reason.get("source")
        mine = isinstance(source, str) and _key(Path(source)) in published
        if mine or (notice_id and reason.get("notice_id") == notice_id):
            shutil.rmtree(folder, ignore_errors=True)
            cleared += 1
    return cleared


def validation_files(out: Path) -> list[Path]:
    """The validation results kept in the quarantine's records."""
    return sorted((out / QUARANTINE).glob(f"*/{VALIDATION}"))


def _records(out: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted((out / QUARANTINE).glob(f"*/{REASON}")):
        reason = _reason(path)
        if reason is not None:
            yield path.parent, reason


def _recorded_source(folder: Path) -> str | None:
    """Whose record the folder holds (None: no record, or a damaged one, which is replaced)."""
    reason = _reason(folder / REASON)
    source = (reason or {}).get("source")
    return _key(Path(source)) if isinstance(source, str) else None


def _reason(path: Path) -> dict[str, Any] | None:
    try:
        reason = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return reason if isinstance(reason, dict) else None


def _key(source: Path) -> str:
    """A file's identity across runs: its absolute path, as the manifests record it."""
    return os.path.abspath(source)


def _path_digest(source: Path) -> str:
    return hashlib.sha256(os.fsencode(_key(source))).hexdigest()[:8]


def _write_whole(path: Path, text: str) -> None:
    """A file complete or absent: a part written on a full disk is removed."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8", errors="backslashreplace")
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def _copy(source: Path, target: Path) -> None:
    """Copy the file; one that cannot be read (gone, no permission) is recorded without its copy.
    Only a failed write raises, and leaves no partial copy."""
    try:
        # never a pipe or a device: opening one could wait for a writer forever
        reading = source.open("rb") if source.is_file() else None
    except OSError:
        reading = None
    if reading is None:
        return
    with reading:
        try:
            with target.open("wb") as writing:
                shutil.copyfileobj(reading, writing)
        except OSError:
            target.unlink(missing_ok=True)
            raise
    with contextlib.suppress(OSError):
        shutil.copystat(source, target)


def _readable(source: Path, error: dict[str, Any]) -> str:
    lines = [
        f"# {source.name} was not published",
        "",
        f"**Problem:** {error.get('message', 'unknown')}",
        "",
        "**Where:** "
        + ", ".join(f"{k} {error[k]}" for k in ("file", "table", "row", "cell") if error.get(k)),
        "",
        f"**What to do:** {error.get('hint') or 'fix the file and run again'}",
        "",
    ]
    for failure in error.get("failures", []):
        lines.append(f"- {failure['dataset']}: {failure['message']} {failure['rows'][:5]}")
    lines.append("\nWhat was published before for this notice is unchanged.\n")
    return "\n".join(lines)
