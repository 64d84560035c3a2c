"""Prefect flows: one notice through its stages, and a batch over files and folders."""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors import Document, NoticeError, read_document
from normalise.rows import NoticeRows, build_rows
from publish.frames import notice_frames
from publish.quarantine import quarantine
from publish.store import publish_notice
from recognise.notice import NoticeInfo, read_notice_info
from recognise.tables import RecognisedTable, recognise_table
from schemas.findings import ValidationReport
from schemas.validation import validate_notice

SUPPORTED = {".docx", ".html", ".htm", ".txt"}


@dataclass
class NoticeResult:
    """What happened to one file; the run summary is a list of these."""

    source: str
    status: str  # published, quarantined
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


# Coarse tasks, one per stage: Prefect costs milliseconds per task run, so never one per row.
@task(name="read", cache_policy=NO_CACHE)
def read_stage(path: Path) -> Document:
    return read_document(path)


@task(name="recognise", cache_policy=NO_CACHE)
def recognise_stage(doc: Document) -> tuple[NoticeInfo, list[RecognisedTable]]:
    info = read_notice_info(doc)
    tables = [recognise_table(t) for t in doc.tables]
    for found in tables:
        get_run_logger().info(
            "table %d (%s): %s, %d rows",
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
    return validate_notice(rows, tables, frames, docs_dir=out / "reports" / "data_docs")


@task(name="publish", cache_policy=NO_CACHE)
def publish_stage(
    info: NoticeInfo,
    frames: dict[str, pd.DataFrame],
    report: ValidationReport,
    out: Path,
    source: dict,
) -> dict[str, int]:
    frames["notices"]["warnings"] = len(report.warnings)
    return publish_notice(out, info.notice_id, info.year, frames, [source]).rows


def describe_source(path: Path, format_name: str) -> dict:
    data = path.read_bytes()
    return {"file": path.name, "format": format_name, "sha256": hashlib.sha256(data).hexdigest()}


@flow(name="notice", log_prints=False)
def process_notice(path: Path, out: Path) -> NoticeResult:
    """One notice file: read, recognise, normalise, validate, publish; or quarantine it."""
    logger = get_run_logger()
    result = NoticeResult(source=str(path), status="quarantined")
    try:
        doc = read_stage(path)
        info, tables = recognise_stage(doc)
        result.notice_id, result.title, result.year = info.notice_id, info.title, info.year
        source = describe_source(path, doc.format)
        rows, frames = normalise_stage(info, path, tables, source)
        result.unknown_units, result.unknown_tables = rows.unknown_units, rows.unknown_tables
        report = validate_stage(rows, tables, frames, out)
        result.warnings = [w.as_dict() for w in report.warnings]
        if report.failures:
            raise report.as_error(path)
        result.rows = publish_stage(info, frames, report, out, source)
        result.status = "published"
        logger.info("published %s (%s): %s", path.name, info.notice_id, result.rows)
    except NoticeError as error:
        result.error = error.as_dict()
        quarantine(out, path, result)
        logger.error("quarantined %s: %s", path.name, error)
    except Exception as error:  # a bug must not take the batch down: keep the file and the trace
        result.error = internal_error(path, error)
        quarantine(out, path, result)
        logger.exception("quarantined %s after an internal error", path.name)
    return result


def internal_error(path: Path, error: Exception) -> dict:
    return {
        "error": "InternalError",
        "message": f"{type(error).__name__}: {error}",
        "file": str(path),
        "traceback": traceback.format_exc(),
        "hint": "this is a bug in the pipeline, not in the file: report it with reason.json",
    }
