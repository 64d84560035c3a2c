"""Atomic publication of one notice's datasets as hive-partitioned Parquet.

All files of a notice are written to a staging folder first. A journal listing the moves is then
written, and only after it exists are the files renamed into place and the manifest replaced. A run
killed before the journal leaves only a staging folder (deleted on the next run); a run killed
after it is finished by the next run. Readers never see a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from core.errors import NoticeError
from schemas.datasets import datasets, schema_version, to_table

STAGING = ".staging"
MANIFESTS = "_manifests"
JOURNAL = "journal.json"
WRITE_HINT = (
    "free space on the disk holding the output folder (or make it writable) and run again; "
    "what was published before is unchanged"
)


class OutputNotWritten(NoticeError):
    """Something could not be written into the output folder (a full disk, a read-only one).
    `reason` is the system's word for why; `source` the input file it was for, if any."""

    reason: str = ""
    source: str | None = None


def not_written(
    error: OSError, path: Path, what: str, source: Path | None = None
) -> OutputNotWritten:
    """`what` could not be written at `path`, in words (pyarrow's messages carry the errno too)."""
    reason = os.strerror(error.errno) if error.errno else str(error)
    message = f"{what} could not be written ({reason})"
    failure = OutputNotWritten(message, file=path, hint=WRITE_HINT)
    failure.reason, failure.source = reason, str(source) if source else None
    return failure


@dataclass(frozen=True)
class Publication:
    notice_id: str
    year: int
    rows: dict[str, int]
    files: dict[str, str]  # dataset -> path relative to the output folder


def publish_notice(
    out: Path,
    notice_id: str,
    year: int,
    frames: dict[str, pd.DataFrame],
    sources: list[dict],
    extra: dict | None = None,
) -> Publication:
    """Publish all datasets of one notice together, replacing what it published before.

    Raises OutputNotWritten when the output folder refuses a write (a full disk): before the
    journal, nothing visible changed and the staging folder is removed (its space freed); after
    it, the next run finishes the publication."""
    recover(out)  # what it cannot finish now stays for the run's own report
    stage = out / STAGING / notice_id
    shutil.rmtree(stage, ignore_errors=True)
    try:
        moves, rows = _stage(out, stage, notice_id, year, frames)
        manifest = {
            "notice_id": notice_id,
            "year": year,
            "schema_version": schema_version(),
            "rows": rows,
            "files": {name: _file_name(name, year, notice_id) for name in datasets()},
            "sources": sources,
            **(extra or {}),
        }
        _write_json(stage / JOURNAL, {"moves": moves, "manifest": manifest})
    except OSError as error:
        shutil.rmtree(stage, ignore_errors=True)
        raise not_written(error, out, f"notice {notice_id}") from None
    try:
        _commit(out, stage)
    except OSError as error:
        raise not_written(
            error, out, f"notice {notice_id} (staged; the next run puts it in place)"
        ) from None
    return Publication(notice_id, year, rows, manifest["files"])


def _stage(
    out: Path, stage: Path, notice_id: str, year: int, frames: dict[str, pd.DataFrame]
) -> tuple[dict[str, str], dict[str, int]]:
    """Every dataset's file in the staging folder: the moves to make, the rows of each."""
    moves: dict[str, str] = {}
    rows: dict[str, int] = {}
    for name, spec in datasets().items():
        relative = _file_name(name, year, notice_id)
        staged = stage / relative
        staged.parent.mkdir(parents=True, exist_ok=True)
        table = to_table(spec, frames[name])
        pq.write_table(table, staged)
        _fsync(staged)
        moves[str(staged.relative_to(out))] = relative
        rows[name] = table.num_rows
    return moves, rows


SHARED = {"units"}  # one file per year, the registry as used that year, not one per notice


def _file_name(dataset: str, year: int, notice_id: str) -> str:
    return f"{dataset}/year={year}/{'registry' if dataset in SHARED else notice_id}.parquet"


def recover(out: Path) -> list[OutputNotWritten]:
    """Finish publications whose journal was written; drop staging folders without one. What
    cannot be finished now (a full disk) stays for a later run, and is returned."""
    staging = out / STAGING
    if not staging.is_dir():
        return []
    problems: list[OutputNotWritten] = []
    for stage in staging.iterdir():
        if not (stage / JOURNAL).exists():
            shutil.rmtree(stage, ignore_errors=True)
            continue
        try:
            _commit(out, stage)
        except OSError as error:
            what = f"notice {stage.name} (staged by an earlier run)"
            problems.append(not_written(error, out, what))
    return problems


def _commit(out: Path, stage: Path) -> None:
    journal = json.loads((stage / JOURNAL).read_text(encoding="utf-8"))
    manifest = journal["manifest"]
    for staged, final in journal["moves"].items():
        source = out / staged
        if source.exists():  # a rerun after a crash skips what was already moved
            (out / final).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, out / final)
    _remove_stale(out, manifest)
    _write_json(out / MANIFESTS / f"{manifest['notice_id']}.json", manifest)
    shutil.rmtree(stage, ignore_errors=True)


def _remove_stale(out: Path, manifest: dict) -> None:
    """Files an earlier publication of this notice wrote that this one does not (year changed)."""
    earlier = read_manifest(out, manifest["notice_id"])
    for name, relative in (earlier or {}).get("files", {}).items():
        if name not in SHARED and relative != manifest["files"].get(name):
            (out / relative).unlink(missing_ok=True)


def shrinkage(out: Path, notice_id: str, rows: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The datasets a new publication of a notice would give fewer rows than the one in place
    (dataset -> (before, after)); the shared registry is not the notice's."""
    before = (read_manifest(out, notice_id) or {}).get("rows", {})
    return {
        name: (before[name], rows.get(name, 0))
        for name in before
        if name not in SHARED and rows.get(name, 0) < before[name]
    }


def read_manifest(out: Path, notice_id: str) -> dict | None:
    path = out / MANIFESTS / f"{notice_id}.json"
    return _manifest(path) if path.exists() else None


def manifests(out: Path) -> list[dict]:
    """Every notice published in this output folder (a damaged manifest set aside, see below)."""
    folder = out / MANIFESTS
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return [m for m in map(_manifest, paths) if m is not None]


def _manifest(path: Path) -> dict | None:
    """A manifest, or None when it is damaged (cut short, edited by hand): it is renamed
    `<id>.json.damaged`, kept for a person to look at, and its notice's files are read again by
    the run, which publishes it anew; a damaged manifest never stops every later run."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(manifest, dict) and "notice_id" in manifest:
            return manifest
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        pass
    with contextlib.suppress(OSError):  # a read-only output: left in place, still skipped
        path.replace(path.with_name(path.name + ".damaged"))
    return None


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    try:
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), "utf-8")
        _fsync(temporary)
    except OSError:
        temporary.unlink(missing_ok=True)  # a part written on a full disk is no file
        raise
    os.replace(temporary, path)


def _fsync(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())
