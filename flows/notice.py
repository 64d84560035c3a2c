"""The work on notices as Prefect tasks: each file read, many validated at once, then each
notice's publication.

Tasks are coarse, one per file, one per up to 100 files' validation and one per notice's
publication, never one per row: Prefect costs milliseconds per task run. A file's stages up to
validation run inside one `notice-file` task so that a Dask worker does a whole file without
shipping documents back and forth; the suites then run in the flow's process, over many files'
frames in one pass (schemas/suites.py). A file that cannot be read ends its task Failed with the
reason (no traceback: it is the file's fault, not the pipeline's).

A file gets `FILE_TIMEOUT_SECONDS` of wall-clock time (`--file-timeout`). A thread cannot be
killed (Prefect's own task timeout raises inside the thread at the next Python instruction, never
inside a long C call such as a regular expression or an XML parse, and may leave a shared GX
context or tokenizer half-updated), so the stages run in a daemon thread of their own that the
task waits for: after the limit the file is quarantined and the run goes on; the thread is left to
end by itself (it does not hold the process's exit) and what it makes is dropped.
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
import threading
from collections.abc import Callable
from copy import copy
from dataclasses import replace
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State

from core.errors import (
    ConflictingSources,
    InternalError,
    NoticeError,
    PublicationShrinks,
    UnreadableFile,
)
from core.records import WARNING, Finding, NoticeResult, SourceFile, Status
from flows.pipeline import FileOutcome, read_file, validate_files
from publish.quarantine import VALIDATION, clear_quarantine, quarantine, quarantine_folder
from publish.store import OutputNotWritten, manifests, publish_notice, shrinkage
from recognise.notice import folded
from schemas.suites import RESULTS_SUFFIX, result_sources

listeners: list[Callable[[NoticeResult], None]] = []  # the CLI's progress display
# What could not be written into the output folder (a full disk): the CLI names it and exits 5.
write_failures: list[Callable[[OutputNotWritten], None]] = []
FILE_TIMEOUT_SECONDS = 300.0  # a notice reads in seconds; minutes mean something is wrong
# Columns that say where a row was read, or count what the run saw: two files of one notice may
# differ in these and still hold the same notice.
LINEAGE = [
    "source_file", "table_index", "row_index", "source_files", "source_formats", "sha256",
    "warnings", "unknown_units", "unrecognised_tables", "url", "index_number", "provenance",
]  # fmt: skip
# What names a notice, read from each file as well as that file allows (a page's <title>, a
# .docx's signature): files of one notice may differ here; the publication takes the best file's.
NAMING = ["notice_id", "title", "issuer", "issued_on", "document_number"]


class ReadingTimedOut(NoticeError):
    """A file's stages took longer than the run allows a file."""


def validation_results(out: Path) -> Path:
    """Where each file's validation results wait for the run's Data Docs (a folder, not memory,
    so results made on Dask workers are not lost)."""
    return out / "reports" / "validation_results"


def spilled_frames(out: Path) -> Path:
    """Where read files' frames wait for their notice's publication (`FileOutcome.spill`)."""
    return out / ".frames"


def published_validations(out: Path) -> Path:
    """The validation results each published notice was published with, one folder a notice:
    its Data Docs stay until the notice is published again, whatever is quarantined since."""
    return out / "reports" / "published_validations"


def report_unwritten(error: OutputNotWritten) -> None:
    get_run_logger().error("%s", error)
    for listener in write_failures:
        listener(error)


@task(name="notice-file", cache_policy=NO_CACHE)
def extract_file(
    path: Path, out: Path, sha256: str, timeout_seconds: float = FILE_TIMEOUT_SECONDS
) -> FileOutcome | State:
    """One file through the stages; a file that cannot be published ends Failed, with why."""
    outcome = _within(timeout_seconds, path, out, sha256)
    if outcome.result.error:
        return Failed(message=str(outcome.result.error), data=outcome)
    return outcome


def _within(seconds: float, path: Path, out: Path, sha256: str) -> FileOutcome:
    """The file's stages in a daemon thread, waited for `seconds` at most (see the module)."""
    done: list[FileOutcome] = []

    def work() -> None:
        done.append(read_file(path, sha256).for_publishing())

    worker = threading.Thread(target=work, name=f"notice-file {path.name}", daemon=True)
    worker.start()
    worker.join(seconds)
    if done:
        return done[0]
    late = FileOutcome(SourceFile(path, sha256), NoticeResult(str(path), Status.QUARANTINED))
    if not worker.is_alive():  # ended by a BaseException, which read_file lets through
        late.result.error = InternalError(RuntimeError("the stages gave no result"), file=path)
        return late
    late.result.error = ReadingTimedOut(
        f"reading took longer than {seconds:g} s; the file was set aside and the run went on",
        file=path,
        hint="check the file (an enormous table? open it and save it again); if it is right, "
        "run again with a longer --file-timeout",
    )
    return late


@task(name="validate", cache_policy=NO_CACHE)
def validate_read_files(outcomes: list[FileOutcome], out: Path) -> None:
    """The suites of many read files in one pass (schemas/suites.py): each file is then ready to
    publish or refused with its findings; its results wait for the run's Data Docs."""
    validate_files(outcomes, validation_results(out))


def spill(outcome: FileOutcome, out: Path) -> FileOutcome:
    """The outcome with its frames on disk until publication, its grouping signature kept."""
    return replace(outcome, signature=_tasks(outcome)).spill(spilled_frames(out))


@task(name="publish", cache_policy=NO_CACHE)
def publish_group(
    group: list[FileOutcome],
    out: Path,
    fingerprint: str,
    accept_shrink: frozenset[str] = frozenset(),
    published: dict[str, str] | None = None,
) -> list[NoticeResult]:
    """Publish one notice from its file(s): files of one notice must agree, else none is; a
    notice that would lose rows is kept as it was unless its id is in `accept_shrink`.
    `published` (content_key -> id, from `published_content`) is kept up to date."""
    known = published if published is not None else published_content(out)
    results = _publish_group(group, out, fingerprint, accept_shrink, known)
    for result in results:
        for listener in listeners:
            listener(result)
    return results


def _publish_group(
    group: list[FileOutcome],
    out: Path,
    fingerprint: str,
    accept_shrink: frozenset[str],
    published: dict[str, str],
) -> list[NoticeResult]:
    group = [_unspilled(o) for o in group]
    _quarantine(out, [o for o in group if not o.ready])
    ready = sorted((o for o in group if o.ready), key=_named_worse)
    if not ready:
        return [o.result for o in group]
    difference = _difference(ready)
    if difference:
        for o in ready:
            o.result.fail(Status.CONFLICT, _conflict(o, difference))
        _quarantine(out, ready)
        return [o.result for o in group]
    first = ready[0]
    assert first.frames is not None and first.report is not None and first.info is not None
    _note_naming(ready)
    sources = [o.source for o in ready]
    frames = _with_sources(first.frames, sources, warnings=len(first.result.warnings))
    extra = {
        "unknown_units": first.result.unknown_units,
        "warnings": [w.as_dict() for w in first.result.warnings],
        "fingerprint": fingerprint,
    }
    key = content_key(first)
    # The same year, tasks and projects published under another id: the notice retitled (or
    # given a 文号); it keeps its id, so a year never holds one notice twice.
    notice_id = published.get(key or "", first.info.notice_id)
    if notice_id != first.info.notice_id:
        frames = _rekeyed(frames, first.info.notice_id, notice_id)
        first.result.warnings.append(_retitled(first, notice_id))
        extra["warnings"] = [w.as_dict() for w in first.result.warnings]
        frames["notices"]["warnings"] = len(first.result.warnings)
    extra["content_key"] = key
    lost = shrinkage(out, notice_id, {n: len(f) for n, f in frames.items()})
    if lost and notice_id not in accept_shrink:
        for o in ready:
            o.result.fail(Status.QUARANTINED, _shrinks(o, notice_id, lost))
        _quarantine(out, ready)
        return [o.result for o in group]
    if lost:  # the operator said so: the manifest keeps what was given up
        extra["accepted_shrink"] = {name: list(counts) for name, counts in lost.items()}
    try:
        publication = publish_notice(
            out,
            notice_id,
            first.info.year,
            frames,
            [s.as_dict() for s in sources],
            extra,
        )
    except OutputNotWritten as error:  # a full disk: this notice fails, the batch goes on
        error.source = str(first.source.path)  # said on the files' own lines
        report_unwritten(error)
        for o in ready:
            o.result.fail(Status.QUARANTINED, copy(error))  # each file's message its own
        _quarantine(out, ready)
        return [o.result for o in group]
    except Exception as error:  # a bug: this notice fails, the batch goes on
        for o in ready:
            o.result.fail(Status.QUARANTINED, InternalError(error, file=o.source.path))
        _quarantine(out, ready)
        return [o.result for o in group]
    for o in ready:
        o.result.status, o.result.rows = Status.PUBLISHED, publication.rows
        o.result.notice_id = notice_id
    if key:
        published[key] = notice_id
    # The published files' old reasons are obsolete, and the notice's when no sibling failed now.
    whole = notice_id if len(ready) == len(group) else None
    clear_quarantine(out, [o.source.path for o in ready], whole)
    get_run_logger().info("published %s from %d file(s)", notice_id, len(ready))
    return [o.result for o in group]


def _unspilled(outcome: FileOutcome) -> FileOutcome:
    """The outcome with its frames back from disk; one whose frames are gone is quarantined."""
    try:
        return outcome.unspilled()
    except (OSError, EOFError, pickle.UnpicklingError) as error:
        outcome.result.fail(
            Status.QUARANTINED,
            UnreadableFile(
                f"what was read of it, set aside in {outcome.spilled} until publication, could "
                f"not be read back ({error.__class__.__name__}): the file was not published",
                file=outcome.source.path,
                hint="run again (and leave the output folder's .frames alone during a run)",
            ),
        )
        return replace(outcome, frames=None, spilled=None)


def _quarantine(out: Path, outcomes: list[FileOutcome]) -> None:
    """Record each file's reason; one whose record cannot be written (a full disk) says so."""
    for o in outcomes:
        try:
            quarantine(out, o.source.path, o.result)
        except OutputNotWritten as error:
            report_unwritten(error)
            if o.result.error is not None:  # said on the file's own line
                what = "record" if "record" in error.message else "copy"
                o.result.error.message += f"; its quarantine {what} not written ({error.reason})"


def keep_validations(out: Path, outcomes: list[FileOutcome]) -> list[Path]:
    """Each validation of the run goes with its file: a published notice's replace what it was
    published with before (for the Data Docs of the published notices); a quarantined file's go
    into its quarantine record (the quarantine's Data Docs). Results of no file of the run (a
    file set aside after its time limit, a run killed) are dropped. Where they went."""
    by_sha = {o.source.sha256: o for o in outcomes if o.source.sha256}
    replaced: set[str] = set()
    kept: list[Path] = []
    for path in sorted(validation_results(out).glob(f"*{RESULTS_SUFFIX}")):
        try:
            found = [by_sha[s] for s in result_sources(path) if s in by_sha]
            target = _validation_home(out, found[0], replaced) if found else None
            if target is None:
                path.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                path.replace(target)
                kept.append(target)
        except (OSError, ValueError) as error:  # a full disk, a damaged file: the page is lost
            get_run_logger().warning("validation results %s not kept: %s", path.name, error)
    return kept


def _validation_home(out: Path, outcome: FileOutcome, replaced: set[str]) -> Path | None:
    """Where a file's validation results are kept, or None when nowhere."""
    result = outcome.result
    if result.status is Status.PUBLISHED and result.notice_id:
        folder = published_validations(out) / result.notice_id
        if result.notice_id not in replaced:  # the publication before this one's results go
            shutil.rmtree(folder, ignore_errors=True)
            replaced.add(result.notice_id)
        return folder / f"{outcome.source.sha256}{RESULTS_SUFFIX}"
    if result.status.failed:
        folder = quarantine_folder(out, outcome.source.path, result.notice_id)
        return folder / VALIDATION if (folder / "reason.json").exists() else None
    return None


def content_key(outcome: FileOutcome) -> str | None:
    """A short digest of what a notice says (year, tasks, projects), kept in its manifest."""
    tasks = _tasks(outcome)
    return hashlib.sha256(tasks.encode()).hexdigest()[:16] if tasks else None


def published_content(out: Path) -> dict[str, str]:
    """content_key -> notice id of every notice the output folder holds (read once a run)."""
    return {m["content_key"]: m["notice_id"] for m in manifests(out) if m.get("content_key")}


def _rekeyed(frames: dict[str, pd.DataFrame], new: str, old: str) -> dict[str, pd.DataFrame]:
    """The frames under the notice's earlier id: its column and the ids that start with it."""
    keyed = {}
    for name, frame in frames.items():
        frame = frame.copy()
        for column in [c for c in frame.columns if c == "notice_id" or c.endswith("_id")]:
            frame[column] = frame[column].map(
                lambda v: old + v[len(new) :] if isinstance(v, str) and v.startswith(new) else v
            )
        keyed[name] = frame
    return keyed


def _retitled(outcome: FileOutcome, earlier: str) -> Finding:
    assert outcome.info is not None
    return Finding(
        "retitled_notice",
        WARNING,
        "notices",
        f"{outcome.source.name} holds the same tasks as notice {earlier}, published before under "
        f"another title or 文号: it replaces that publication and keeps its id (read now as "
        f"{outcome.info.notice_id}, {outcome.info.title!r})",
        [earlier],
    )


def _shrinks(
    outcome: FileOutcome, notice_id: str, lost: dict[str, tuple[int, int]]
) -> PublicationShrinks:
    losses = ", ".join(f"{name} {before} → {after}" for name, (before, after) in lost.items())
    return PublicationShrinks(
        f"read again, notice {notice_id} would publish fewer rows than it has ({losses}); "
        "what was published stays as it was",
        file=outcome.source.path,
        hint="check the file against the warnings (a table not recognised, a new header?); "
        f"if the smaller notice is right, run again with --accept-shrink {notice_id}",
    )


def _named_worse(outcome: FileOutcome) -> bool:
    """A file with a 文号 names the notice best: the others are published under its id."""
    return outcome.info is None or outcome.info.document_number is None


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
    """How two files of one notice differ, or None when their data are the same.

    The notice's ids inside task and project ids are left out: a file read under another id
    (its title read otherwise) holds the same notice when its data are the same. What names the
    notice is compared by `_note_naming`, except two 文号: two documents.
    """
    first = outcomes[0]
    for other in outcomes[1:]:
        numbers = {o.info.document_number for o in (first, other) if o.info} - {None}
        if len(numbers) > 1:
            return (
                f"{first.source.name} and {other.source.name} hold the same tasks under two "
                f"document numbers: {' and '.join(sorted(numbers))}"  # type: ignore[arg-type]
            )
        for name, frame in (first.frames or {}).items():
            if name == "notices":
                continue
            mine = _comparable(frame, first)
            theirs = _comparable((other.frames or {})[name], other)
            if not mine.equals(theirs):
                return (
                    f"{first.source.name} and {other.source.name} "
                    f"give different {name}: {_first_difference(mine, theirs)}"
                )
    return None


def _comparable(frame: pd.DataFrame, outcome: FileOutcome) -> pd.DataFrame:
    """A dataset without lineage, and its row ids without the notice id they start with."""
    notice_id = outcome.info.notice_id if outcome.info else ""
    frame = frame.drop(columns=[*LINEAGE, "notice_id"], errors="ignore").reset_index(drop=True)
    for column in [c for c in frame.columns if c.endswith("_id")]:  # task_id, project_id
        frame[column] = frame[column].str.removeprefix(notice_id)
    return frame


def _note_naming(ready: list[FileOutcome]) -> None:
    """Files of one notice that name it differently: published once, the difference reported."""
    first = ready[0].info
    assert first is not None
    seen = [
        f"{column} {getattr(o.info, column)!s} in {o.source.name}"
        for o in ready[1:]
        for column in NAMING
        if o.info and getattr(o.info, column) not in (None, "", getattr(first, column))
    ]
    if not seen:
        return
    names = ", ".join(o.source.name for o in ready)
    finding = Finding(
        "files_name_the_notice_differently",
        WARNING,
        "notices",
        f"{names} hold one notice but name it differently ({'; '.join(seen)}); published once "
        f"as {first.notice_id}, named as {ready[0].source.name} names it",
        sorted({o.info.notice_id for o in ready if o.info}),
    )
    for o in ready:
        o.result.warnings.append(finding)


def notice_groups(outcomes: list[FileOutcome]) -> list[list[FileOutcome]]:
    """The files of each notice: one notice id, or the same tasks under other ids (a title read
    otherwise, a retitled copy), so that no notice is published twice."""
    groups: list[list[FileOutcome]] = []
    where: dict[str, int] = {}  # a notice id or a task signature -> its group
    for outcome in outcomes:
        keys = [
            k for k in (outcome.result.notice_id or outcome.result.source, _tasks(outcome)) if k
        ]
        found = sorted({where[k] for k in keys if k in where})
        index = found[0] if found else len(groups)
        if not found:
            groups.append([])
        for other in found[1:]:  # this file joins two groups: they are one notice
            groups[index] += groups[other]
            groups[other] = []
            where.update({k: index for k, v in where.items() if v == other})
        groups[index].append(outcome)
        where.update({k: index for k in keys})
    return [g for g in groups if g]


def _tasks(outcome: FileOutcome) -> str | None:
    """The year, task texts (with their other columns) and project names of a file, folded;
    None without any. Two quarterly progress reports differ in their progress columns."""
    if outcome.signature is not None:  # read before its frames were spilled
        return outcome.signature
    if outcome.frames is None or outcome.info is None:
        return None
    tasks = outcome.frames["key_tasks"]
    extras = tasks["extras"] if "extras" in tasks else [{}] * len(tasks)
    pairs = zip(tasks["task_text"], extras, strict=True)
    texts = [f"{folded(text)}|{sorted(dict(extra).items())}" for text, extra in pairs]
    texts += [folded(n) for n in outcome.frames["livelihood_projects"]["name"]]
    return f"{outcome.info.year}|{sorted(texts)}" if texts else None


def _first_difference(mine: pd.DataFrame, theirs: pd.DataFrame) -> str:
    if len(mine) != len(theirs):
        return f"{len(mine)} and {len(theirs)} rows"
    for column in mine.columns:
        for i, (a, b) in enumerate(zip(mine[column], theirs[column], strict=True)):
            if not (a == b or (pd.isna(a) is True and pd.isna(b) is True)):
                return f"row {i + 1}, {column}: {a!r} and {b!r}"
    return "the same values in a different form"
