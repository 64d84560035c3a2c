"""Quarantine: a notice that cannot be published is kept with its reason; nothing else changes."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.records import NoticeResult

QUARANTINE = "quarantine"
_UNSAFE = re.compile(r"[^\w.\-]+")


def quarantine_folder(out: Path, source: Path, notice_id: str | None) -> Path:
    return out / QUARANTINE / (notice_id or _UNSAFE.sub("_", source.name))


def quarantine(out: Path, source: Path, result: NoticeResult) -> Path:
    """Copy the source file beside a reason.json (for machines) and a reason.md (for people)."""
    folder = quarantine_folder(out, source, result.notice_id)
    folder.mkdir(parents=True, exist_ok=True)
    if source.is_file():
        shutil.copy2(source, folder / source.name)
    reason = {"quarantined_at": datetime.now(UTC).isoformat(), **result.as_dict()}
    # A file name that is not valid UTF-8 (surrogate escapes) is written as \udcxx, not a crash.
    (folder / "reason.json").write_text(
        json.dumps(reason, ensure_ascii=False, indent=2, default=str),
        encoding="utf-8",
        errors="backslashreplace",
    )
    (folder / "reason.md").write_text(
        _readable(source, reason["error"] or {}), encoding="utf-8", errors="backslashreplace"
    )
    return folder


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
