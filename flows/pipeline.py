"""The stage sequence, written once: one file through read, recognise, normalise and validate.

`notices inspect`, the tests and the benchmark call `process_file`; the Prefect flow calls its two
halves, `read_file` on each file and then `validate_files` on many at once (the suites cost less a
notice over many). None of them strings the stages together on its own, so what `inspect` shows
is what `run` publishes.
"""

from __future__ import annotations

import pickle
import uuid
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from core.errors import InternalError, NoticeError, UnreadableFile
from core.records import NoticeResult, SourceFile, Status
from extractors import Document, read_document
from normalise.rows import NoticeRows, build_rows, dataset_rows
from recognise.layouts import recognise_tables
from recognise.notice import NoticeInfo, read_notice_info
from recognise.tables import RecognisedTable, require_known_tables
from schemas.datasets import dataset_frames
from schemas.findings import ValidationReport
from schemas.validation import NoticeChecks, notice_checks, validate_together

# Files whose suites run in one pass (`validate_files`): a pass costs about what one notice alone
# costs, plus a little a notice; more at once saves little and holds their rows in memory at once.
VALIDATED_TOGETHER = 100


@dataclass
class FileOutcome:
    """One file after the stages: what each stage made of it, and its result so far."""

    source: SourceFile
    result: NoticeResult
    document: Document | None = None
    info: NoticeInfo | None = None
    tables: list[RecognisedTable] = field(default_factory=list)
    rows: NoticeRows | None = None
    frames: dict[str, pd.DataFrame] | None = None
    checks: NoticeChecks | None = None  # read, its suites still to run (`validate_files`)
    report: ValidationReport | None = None
    signature: str | None = None  # what a batch groups files by, kept while frames are spilled
    spilled: Path | None = None  # where the frames wait for publication (`spill`)

    @property
    def ready(self) -> bool:
        """Read and validated without a critical finding: it may be published."""
        return self.result.status is Status.READY

    def for_publishing(self) -> FileOutcome:
        """Only what publication needs: a batch holds every file's outcome until its notice's
        files are all read (and a Dask worker sends it back), so the document and the
        intermediate rows are let go."""
        return replace(self, document=None, tables=[], rows=None)

    def spill(self, folder: Path) -> FileOutcome:
        """The frames written to a file in `folder` and let go (`unspilled` reads them back): a
        batch holds every file's outcome until all are read, about 0.5 MB a notice in memory.
        On a full disk they stay in memory."""
        if self.frames is None or self.checks is not None:
            return self
        path = folder / f"{uuid.uuid4().hex}.pickle"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(self.frames, pickle.HIGHEST_PROTOCOL))
        except OSError:
            with suppress(OSError):
                path.unlink(missing_ok=True)
            return self
        return replace(self, frames=None, spilled=path)

    def unspilled(self) -> FileOutcome:
        """The frames back from their file, which is removed."""
        if self.spilled is None:
            return self
        frames = pickle.loads(self.spilled.read_bytes())
        self.spilled.unlink(missing_ok=True)
        return replace(self, frames=frames, spilled=None)


def process_file(
    path: Path, expected_sha256: str = "", results_dir: Path | None = None
) -> FileOutcome:
    """Run every stage on one file; a bad file (or a bug) becomes its result, never a raise.

    `expected_sha256` is the hash the batch saw when it chose the file: a file that changed
    since (copied into raw/ while the run reads it) is refused rather than published half-read.
    Validation results go to `results_dir` for the run's Data Docs (kept in memory without one).
    """
    outcome = read_file(path, expected_sha256)
    validate_files([outcome], results_dir)
    return outcome


def read_file(path: Path, expected_sha256: str = "") -> FileOutcome:
    """Every stage but the suites (see `validate_files`), as `process_file` runs them."""
    outcome = FileOutcome(
        SourceFile(path, expected_sha256), NoticeResult(str(path), Status.QUARANTINED)
    )
    try:
        _run_stages(outcome)
    except NoticeError as error:
        outcome.result.error = error
    except Exception as error:  # a bug must not take the batch down: keep the file and the trace
        outcome.result.error = InternalError(error, file=path)
    return outcome


def validate_files(outcomes: list[FileOutcome], results_dir: Path | None = None) -> None:
    """The suites of every file read without error, in one pass: each is then ready to publish,
    or refused with its findings, as it would be validated alone."""
    waiting = [(o, o.checks) for o in outcomes if o.checks is not None and not o.result.error]
    if not waiting:
        return
    try:
        reports = validate_together([checks for _, checks in waiting], results_dir)
    except Exception as error:  # a bug: each file alone, so that it fails only its own
        if len(waiting) > 1:
            for outcome, _ in waiting:
                validate_files([outcome], results_dir)
            return
        alone = waiting[0][0]
        alone.result.error = InternalError(error, file=alone.source.path)
        return
    for (outcome, _), report in zip(waiting, reports, strict=True):
        _conclude(outcome, report)


def _run_stages(outcome: FileOutcome) -> None:
    path, result = outcome.source.path, outcome.result
    document = outcome.document = read_document(path)
    _same_bytes(outcome.source, document)
    outcome.source = replace(outcome.source, sha256=document.sha256, format=document.format)
    outcome.tables = recognise_tables(document)
    info = outcome.info = read_notice_info(document)
    result.notice_id, result.title, result.year = info.notice_id, info.title, info.year
    require_known_tables(document, outcome.tables)
    rows = outcome.rows = build_rows(info, path, outcome.tables)
    result.unknown_units, result.unknown_tables = rows.unknown_units, rows.unknown_tables
    outcome.frames = dataset_frames(dataset_rows(rows, [outcome.source]))
    outcome.checks = notice_checks(rows, outcome.tables, outcome.frames)


def _conclude(outcome: FileOutcome, report: ValidationReport) -> None:
    outcome.report, outcome.checks = report, None
    outcome.result.warnings = list(report.warnings)
    if report.failures:
        outcome.result.error = report.as_error(outcome.source.path)
    else:
        outcome.result.status = Status.READY


def _same_bytes(source: SourceFile, document: Document) -> None:
    if source.sha256 and source.sha256 != document.sha256:
        raise UnreadableFile(
            "the file changed while the run was reading it (it was being copied or saved?)",
            file=source.path,
            hint="wait until the file is complete, then run again",
        )
