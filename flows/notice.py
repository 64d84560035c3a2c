"""The work on one notice: each file through its stages (Prefect tasks), then publication.

Tasks are coarse, one per file and stage, never one per row: Prefect costs milliseconds per task
run. A file's stages run inside one `notice-file` task so that a Dask worker does a whole file
without shipping documents back and forth.
"""

from __future__ import annotations

import hashlib
import shutil
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors import SUFFIXES, Document, NoticeError, read_document
from normalise.rows import NoticeRows, build_rows
from publish.frames import notice_frames
from publish.quarantine import quarantine, quarantine_folder
from publish.store import publish_notice
from recognise.notice import NoticeInfo, read_notice_info
from recognise.tables import RecognisedTable, recognise_table, require_known_tables
from schemas.findings import ValidationReport
from schemas.validation import validate_notice

SUPPORTED = set(SUFFIXES)  # the suffixes the readers take
listeners: list[Callable[[NoticeResult], None]] = []  # the CLI's progress display
# Columns that say where a row was read, or count what the run saw: two files of one notice may
# differ in these and still hold the same notice.
LINEAGE = [
    "source_file", "table_index", "row_index", "source_files", "source_formats", "sha256",
    "warnings", "unknown_units", "unrecognised_tables",
]  # fmt: skip


@dataclass
class NoticeResult:
    """What happened to one file; the run summary is a list of these."""

    source: str
    status: str  # published, unchanged, quarantined, conflict, missing
    notice_id: str | None = None
    title: str | None = None
    year: int | None = None
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)
    unknown_units: list[dict] = field(default_factory=list)
    unknown_tables: list[dict] = field(default_factory=list)
    error: dict | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class FileExtraction:
    """A file read, recognised, normalised and validated, ready to publish (or why not)."""

    result: NoticeResult
    source: dict
    frames: dict[str, pd.DataFrame] | None = None
    report: ValidationReport | None = None
    info: NoticeInfo | None = None


def describe_source(path: Path) -> dict:
    with path.open("rb") as stream:  # streamed: a huge file is refused later, not loaded here
        digest = hashlib.file_digest(stream, "sha256").hexdigest()
    return {"file": path.name, "path": str(path.resolve()), "sha256": digest}


@task(name="read", cache_policy=NO_CACHE)
def read_stage(path: Path) -> Document:
    return read_document(path)


@task(name="recognise", cache_policy=NO_CACHE)
def recognise_stage(doc: Document) -> tuple[NoticeInfo, list[RecognisedTable]]:
    info = read_notice_info(doc)
    tables = [recognise_table(t) for t in doc.tables]
    require_known_tables(doc, tables)
    for found in tables:
        get_run_logger().info(
            "%s table %d (%s): %s, %d rows",
            doc.source.name,
            found.table.index,
            found.table.caption or "-",
            found.kind,
            found.table.n_rows,
        )
    return info, tables


@task(name="normalise", cache_policy=NO_CACHE)
def normalise_stage(
    info: NoticeInfo, path: Path, tables: list[RecognisedTable], source: dict
) -> tuple[NoticeRows, dict[str, pd.DataFrame]]:
    rows = build_rows(info, path, tables)
    return rows, notice_frames(rows, [source])


@task(name="validate", cache_policy=NO_CACHE)
def validate_stage(
    rows: NoticeRows, tables: list[RecognisedTable], frames: dict[str, pd.DataFrame], out: Path
) -> ValidationReport:
    # A folder per notice: each Data Docs build removes pages of results it does not hold.
    docs = out / "reports" / "data_docs" / rows.info.notice_id
    return validate_notice(rows, tables, frames, docs_dir=docs)


@task(name="notice-file", cache_policy=NO_CACHE)
def extract_file(path: Path, out: Path, source: dict) -> FileExtraction:
    """One file through read, recognise, normalise and validate; errors become its result."""
    result = NoticeResult(source=str(path), status="quarantined")
    extraction = FileExtraction(result, source)
    try:
        doc = read_stage(path)
        source["format"] = doc.format
        info, tables = recognise_stage(doc)
        extraction.info = info
        result.notice_id, result.title, result.year = info.notice_id, info.title, info.year
        rows, frames = normalise_stage(info, path, tables, source)
        result.unknown_units, result.unknown_tables = rows.unknown_units, rows.unknown_tables
        report = validate_stage(rows, tables, frames, out)
        result.warnings = [w.as_dict() for w in report.warnings]
        if report.failures:
            raise report.as_error(path)
        extraction.frames, extraction.report = frames, report
        result.status = "ready"
    except NoticeError as error:
        result.error = error.as_dict()
    except Exception as error:  # a bug must not take the batch down: keep the file and the trace
        result.error = internal_error(path, error)
    return extraction


def internal_error(path: Path, error: Exception) -> dict:
    return {
        "error": "InternalError",
        "message": f"{type(error).__name__}: {error}",
        "file": str(path),
        "traceback": traceback.format_exc(),
        "hint": "this is a bug in the pipeline, not in the file: report it with reason.json",
    }


@task(name="publish", cache_policy=NO_CACHE)
def publish_group(group: list[FileExtraction], out: Path, fingerprint: str) -> list[NoticeResult]:
    """Publish one notice from its file(s): files of one notice must agree, else none is."""
    results = _publish_group(group, out, fingerprint)
    for result in results:
        for listener in listeners:
            listener(result)
    return results


def _publish_group(group: list[FileExtraction], out: Path, fingerprint: str) -> list[NoticeResult]:
    logger = get_run_logger()
    ready = [e for e in group if e.frames is not None]
    for failed in (e for e in group if e.frames is None):
        quarantine(out, Path(failed.result.source), failed.result)
        logger.error("quarantined %s: %s", failed.result.source, failed.result.error["message"])
    if not ready:
        return [e.result for e in group]
    difference = _difference(ready)
    if difference:
        for e in ready:
            e.result.status = "conflict"
            e.result.error = {
                "error": "ConflictingSources",
                "message": difference,
                "file": e.result.source,
                "hint": "keep one version of the notice in raw/, or correct the one that is wrong",
            }
            quarantine(out, Path(e.result.source), e.result)
        logger.error("not published, its files disagree: %s", difference)
        return [e.result for e in group]
    first = ready[0]
    frames = first.frames
    assert frames is not None and first.report is not None and first.info is not None
    sources = [e.source for e in ready]
    frames = _with_sources(frames, sources, warnings=len(first.report.warnings))
    extra = {"unknown_units": first.result.unknown_units, "fingerprint": fingerprint}
    try:
        rows = publish_notice(out, first.info.notice_id, first.info.year, frames, sources, extra)
    except Exception as error:  # disk full, permissions: this notice fails, the batch goes on
        for e in ready:
            e.result.status, e.result.error = (
                "quarantined",
                internal_error(Path(e.result.source), error),
            )
            quarantine(out, Path(e.result.source), e.result)
        logger.exception("could not publish %s", first.info.notice_id)
        return [e.result for e in group]
    for e in ready:
        e.result.status, e.result.rows = "published", rows.rows
    if len(ready) == len(group):  # an old reason is obsolete; a sibling quarantined now is not
        shutil.rmtree(quarantine_folder(out, Path(first.result.source), first.info.notice_id), True)
    logger.info("published %s from %d file(s): %s", first.info.notice_id, len(ready), rows.rows)
    return [e.result for e in group]


def _with_sources(
    frames: dict[str, pd.DataFrame], sources: list[dict], warnings: int
) -> dict[str, pd.DataFrame]:
    notices = frames["notices"].copy()
    notices.at[0, "source_files"] = [s["file"] for s in sources]
    notices.at[0, "source_formats"] = [s["format"] for s in sources]
    notices.at[0, "sha256"] = [s["sha256"] for s in sources]
    notices["warnings"] = warnings
    return {**frames, "notices": notices}


def _difference(extractions: list[FileExtraction]) -> str | None:
    """How two files of one notice differ, or None when their datasets are the same."""
    first = extractions[0]
    for other in extractions[1:]:
        for name, frame in (first.frames or {}).items():
            mine = frame.drop(columns=LINEAGE, errors="ignore").reset_index(drop=True)
            theirs = (other.frames or {})[name].drop(columns=LINEAGE, errors="ignore")
            theirs = theirs.reset_index(drop=True)
            if not mine.equals(theirs):
                return (
                    f"{Path(first.result.source).name} and {Path(other.result.source).name} "
                    f"give different {name}: {_first_difference(mine, theirs)}"
                )
    return None


def _first_difference(mine: pd.DataFrame, theirs: pd.DataFrame) -> str:
    if len(mine) != len(theirs):
        return f"{len(mine)} and {len(theirs)} rows"
    for column in mine.columns:
        for i, (a, b) in enumerate(zip(mine[column], theirs[column], strict=True)):
            if not (a == b or (pd.isna(a) is True and pd.isna(b) is True)):
                return f"row {i + 1}, {column}: {a!r} and {b!r}"
    return "the same values in a different form"
