"""The work on one notice as Prefect tasks: each file through the stages, then publication.

Tasks are coarse, one per file and one per notice's publication, never one per row: Prefect costs
milliseconds per task run. A file's stages run inside one `notice-file` task so that a Dask worker
does a whole file without shipping documents back and forth. A bad file ends its task Failed with
the reason (no traceback: it is the file's fault, not the pipeline's).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State

from core.errors import ConflictingSources, InternalError
from core.records import NoticeResult, SourceFile, Status
from extractors import SUFFIXES
from flows.pipeline import FileOutcome, process_file
from publish.quarantine import quarantine, quarantine_folder
from publish.store import publish_notice

SUPPORTED = set(SUFFIXES)  # the suffixes the readers take
listeners: list[Callable[[NoticeResult], None]] = []  # the CLI's progress display
# Columns that say where a row was read, or count what the run saw: two files of one notice may
# differ in these and still hold the same notice.
LINEAGE = [
    "source_file", "table_index", "row_index", "source_files", "source_formats", "sha256",
    "warnings", "unknown_units", "unrecognised_tables",
]  # fmt: skip


def validation_results(out: Path) -> Path:
    """Where each file's validation results wait for the run's Data Docs (a folder, not memory,
    so results made on Dask workers are not lost)."""
    return out / "reports" / "validation_results"


@task(name="notice-file", cache_policy=NO_CACHE)
def extract_file(path: Path, out: Path, sha256: str) -> FileOutcome | State:
    """One file through the stages; a file that cannot be published ends Failed, with why."""
    outcome = process_file(path, sha256, results_dir=validation_results(out)).for_publishing()
    if outcome.result.error:
        return Failed(message=str(outcome.result.error), data=outcome)
    return outcome


@task(name="publish", cache_policy=NO_CACHE)
def publish_group(group: list[FileOutcome], out: Path, fingerprint: str) -> list[NoticeResult]:
    """Publish one notice from its file(s): files of one notice must agree, else none is."""
    results = _publish_group(group, out, fingerprint)
    for result in results:
        for listener in listeners:
            listener(result)
    return results


def _publish_group(group: list[FileOutcome], out: Path, fingerprint: str) -> list[NoticeResult]:
    for failed in (o for o in group if not o.ready):
        quarantine(out, failed.source.path, failed.result)
    ready = [o for o in group if o.ready]
    if not ready:
        return [o.result for o in group]
    difference = _difference(ready)
    if difference:
        for o in ready:
            o.result.fail(Status.CONFLICT, _conflict(o, difference))
            quarantine(out, o.source.path, o.result)
        return [o.result for o in group]
    first = ready[0]
    assert first.frames is not None and first.report is not None and first.info is not None
    sources = [o.source for o in ready]
    frames = _with_sources(first.frames, sources, warnings=len(first.report.warnings))
    extra = {
        "unknown_units": first.result.unknown_units,
        "warnings": [w.as_dict() for w in first.result.warnings],
        "fingerprint": fingerprint,
    }
    try:
        publication = publish_notice(
            out,
            first.info.notice_id,
            first.info.year,
            frames,
            [s.as_dict() for s in sources],
            extra,
        )
    except Exception as error:  # disk full, permissions: this notice fails, the batch goes on
        for o in ready:
            o.result.fail(Status.QUARANTINED, InternalError(error, file=o.source.path))
            quarantine(out, o.source.path, o.result)
        return [o.result for o in group]
    for o in ready:
        o.result.status, o.result.rows = Status.PUBLISHED, publication.rows
    if len(ready) == len(group):  # an old reason is obsolete; a sibling quarantined now is not
        shutil.rmtree(quarantine_folder(out, first.source.path, first.info.notice_id), True)
    get_run_logger().info("published %s from %d file(s)", first.info.notice_id, len(ready))
    return [o.result for o in group]


def _conflict(outcome: FileOutcome, difference: str) -> ConflictingSources:
    return ConflictingSources(
        difference,
        file=outcome.source.path,
        hint="keep one version of the notice in raw/, or correct the one that is wrong",
    )


def _with_sources(
    frames: dict[str, pd.DataFrame], sources: list[SourceFile], warnings: int
) -> dict[str, pd.DataFrame]:
    notices = frames["notices"].copy()
    notices.at[0, "source_files"] = [s.name for s in sources]
    notices.at[0, "source_formats"] = [s.format for s in sources]
    notices.at[0, "sha256"] = [s.sha256 for s in sources]
    notices["warnings"] = warnings
    return {**frames, "notices": notices}


def _difference(outcomes: list[FileOutcome]) -> str | None:
    """How two files of one notice differ, or None when their datasets are the same."""
    first = outcomes[0]
    for other in outcomes[1:]:
        for name, frame in (first.frames or {}).items():
            mine = frame.drop(columns=LINEAGE, errors="ignore").reset_index(drop=True)
            theirs = (other.frames or {})[name].drop(columns=LINEAGE, errors="ignore")
            theirs = theirs.reset_index(drop=True)
            if not mine.equals(theirs):
                return (
                    f"{first.source.name} and {other.source.name} "
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
