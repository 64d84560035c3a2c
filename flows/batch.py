"""The batch flow: the notice files under the given paths, incrementally, then the run's reports.

A file whose content hash was already published is skipped; a changed or new file is processed
(with the other files of its notice, which must agree with it); a file that disappeared leaves
its published data in place and is reported.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections import defaultdict
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from core.errors import InternalError, LinkOutside, NoticeError, UnreadableFile
from core.records import WARNING, Finding, NoticeResult, SourceFile, Status
from extractors import MAX_FILE_BYTES, identify
from flows.notice import (
    FILE_TIMEOUT_SECONDS,
    extract_file,
    keep_validations,
    notice_groups,
    publish_group,
    published_content,
    published_validations,
    report_unwritten,
    spill,
    spilled_frames,
    validate_read_files,
)
from flows.pipeline import VALIDATED_TOGETHER, FileOutcome
from flows.summary import summary_markdown, write_review
from publish.lock import exclusive_output
from publish.quarantine import clear_quarantine, validation_files
from publish.store import manifests, not_written, recover
from schemas.card import dataset_card
from schemas.data_docs import build_site
from schemas.suites import RESULTS_SUFFIX

# The stage packages, lowest first: a package imports only packages before it in this list.
PACKAGES = ["core", "extractors", "recognise", "normalise", "schemas", "publish", "flows"]
_FINGERPRINTED = {".py", ".csv", ".toml", ".json"}
_SYSTEM_FILES = {"thumbs.db", "desktop.ini"}  # Windows keeps these hidden in every folder
EXTRACT_THREADS = 4  # files read at once
# The Data Docs of the validations the published notices were published with, and of the files
# in quarantine/: apart, so a rejected version never hides what is published.
DATA_DOCS = Path("reports", "data_docs")
QUARANTINE_DATA_DOCS = Path("reports", "quarantine_data_docs")


def notice_files(
    paths: list[Path], exclude: Path | None = None
) -> tuple[list[Path], list[NoticeResult]]:
    """Every file under the given files and folders, recursively, in a stable order: each is
    read, or reported as skipped, never ignored without a word; and a result for each folder
    that cannot be read (no permission), whose files are not.

    Only Word's lock files (~$notice.docx) and hidden files (.notice.txt, macOS ._notice.txt,
    anything in a hidden folder, Thumbs.db) stay silent: they are no one's notice, and an open
    document would otherwise fail every run. The output folder `exclude` is never read: a run
    whose --out is inside raw/ would otherwise read its own reports as notices.
    """
    found: list[Path] = []
    unreadable: list[OSError] = []
    for path in paths:
        if _is_folder(path):
            found += sorted(_walk(path, exclude, unreadable))
        elif not _inside(path, exclude):
            found.append(path)
    return found, [_unreadable_folder(error) for error in unreadable]


def _walk(root: Path, exclude: Path | None, unreadable: list[OSError]) -> list[Path]:
    """The files under `root`, not following links to folders (as Path.rglob), without hidden
    folders or the output folder; a folder that cannot be listed goes to `unreadable`."""
    found: list[Path] = []
    for folder, folders, names in os.walk(root, onerror=unreadable.append):
        here = Path(folder)
        folders[:] = [f for f in folders if not _silent(Path(f)) and not _inside(here / f, exclude)]
        found += [
            here / name
            for name in names
            if not _silent((here / name).relative_to(root)) and (here / name).is_file()
        ]
    return found


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # its own folder cannot be searched: reported when it is read
        return False


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and path.resolve().is_relative_to(folder.resolve())


def _unreadable_folder(error: OSError) -> NoticeResult:
    folder = Path(str(error.filename))
    problem = UnreadableFile(
        f"cannot read the folder ({error.strerror or type(error).__name__}): the files in it "
        "were not read; what was published from them stays",
        file=folder,
        hint="check the folder's permissions (or that the drive is still there), then run again",
    )
    return NoticeResult(str(folder), Status.QUARANTINED, error=problem)


def _silent(relative: Path) -> bool:
    return (
        any(part.startswith((".", "~$")) for part in relative.parts)
        or relative.name.lower() in _SYSTEM_FILES
    )


def skipped_files(files: list[Path]) -> tuple[list[Path], list[NoticeResult]]:
    """The files to read, and the others reported as skipped with what they are (an image, an
    archive, an .ofd) and what to do. A file named as a notice (.docx, .pdf …) is always read:
    if it is something else, its reader refuses it by name and it is quarantined."""
    read: list[Path] = []
    skipped: list[NoticeResult] = []
    for path in files:
        kind = identify(path)
        if kind.reader:
            read.append(path)
            continue
        error = UnreadableFile(
            f"not read: the file is {kind.what}, not a notice format",
            file=path,
            hint=kind.hint or "remove it from raw/ if it is not a notice",
        )
        skipped.append(NoticeResult(str(path), Status.SKIPPED, error=error))
    return read, skipped


def links_outside(paths: list[Path], files: list[Path]) -> list[Path]:
    """Symbolic links in a folder that point outside it: not read (raw/ holds its own files)."""
    folders = [p.resolve() for p in paths if p.is_dir()]
    return [
        f
        for f in files
        if f.is_symlink() and not any(f.resolve().is_relative_to(d) for d in folders)
    ]


def _refuse_links(links: list[Path]) -> list[NoticeResult]:
    return [
        NoticeResult(
            str(link),
            Status.QUARANTINED,
            error=LinkOutside(
                f"a symbolic link to {link.resolve()}, outside the folder being read",
                file=link,
                hint="copy the notice into raw/ instead of linking to it",
            ),
        )
        for link in links
    ]


# Prefect's default thread pool has no bound (a thread per file): every file of a batch was read
# at once, each holding its document and frames while it waited for the one GX context, and
# memory grew with the batch (3.2 GB at 1,000 notices; 720 MB bounded). 2 to 8 measured alike.
@flow(name="notices-batch", task_runner=ThreadPoolTaskRunner(max_workers=EXTRACT_THREADS))
def run_batch(
    paths: list[str],
    out: str = "output",
    wait_seconds: float = 600,
    accept_shrink: list[str] | None = None,
    file_timeout: float = FILE_TIMEOUT_SECONDS,
) -> list[NoticeResult]:
    """Process what changed under `paths` and publish it into `out`; write the run's reports.
    A notice read again never publishes fewer rows, unless its id is in `accept_shrink`; a file
    whose stages take longer than `file_timeout` seconds is quarantined."""
    out_dir = Path(out)
    with exclusive_output(out_dir, wait_seconds):
        return _run(paths, out_dir, frozenset(accept_shrink or []), file_timeout)


def _run(
    paths: list[str], out_dir: Path, accept_shrink: frozenset[str], file_timeout: float
) -> list[NoticeResult]:
    for problem in recover(out_dir):
        report_unwritten(problem)
    shutil.rmtree(spilled_frames(out_dir), ignore_errors=True)  # a run killed midway left them
    files, unreadable_folders = notice_files([Path(p) for p in paths], exclude=out_dir)
    refused = links_outside([Path(p) for p in paths], files)
    files, irregular = _openable([f for f in files if f not in refused])
    files, skipped = skipped_files(files)
    sources, unreadable = _describe(files)
    files = [f for f in files if f in sources]
    stamp = fingerprint()  # once: a registry edited during the run applies to the next one
    published = _published_sources(out_dir, stamp)
    todo = [f for f in files if sources[f].sha256 not in published]
    outcomes = _extract(todo, out_dir, sources, file_timeout)
    siblings = _unchanged_siblings(outcomes, files, sources, published)
    outcomes += _extract(siblings, out_dir, sources, file_timeout)
    results = _publish(outcomes, out_dir, stamp, accept_shrink) + unreadable + irregular
    shutil.rmtree(spilled_frames(out_dir), ignore_errors=True)
    results += unreadable_folders
    fresh = keep_validations(out_dir, outcomes)
    _flag_renamed_notices(out_dir, results)
    done = {r.source for r in results}
    unchanged = [f for f in files if str(f) not in done]
    results += [
        NoticeResult(str(f), Status.UNCHANGED, notice_id=published[sources[f].sha256])
        for f in unchanged
    ]
    # a file back to its published content: the reason it was quarantined for is obsolete
    cleared = clear_quarantine(out_dir, unchanged)
    results += _missing(out_dir, sources) + _refuse_links(refused) + skipped
    write_reports(out_dir, results, fresh, quarantine_changed=bool(outcomes or cleared))
    return results


def fingerprint() -> str:
    """What the results depend on besides the file: the code and its data (registry, vocabulary,
    schemas). A notice published under another fingerprint is read again, so a unit added to the
    registry, a synonym added to the vocabulary or a fixed bug reaches earlier notices."""
    digest = hashlib.sha256()
    for package in PACKAGES:
        folder = Path(str(resources.files(package)))
        for path in sorted(p for p in folder.rglob("*") if p.suffix in _FINGERPRINTED):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _describe(files: list[Path]) -> tuple[dict[Path, SourceFile], list[NoticeResult]]:
    """Each file's hash; a file that cannot be read (gone, no permission) is reported."""
    sources: dict[Path, SourceFile] = {}
    unreadable: list[NoticeResult] = []
    for path in files:
        try:
            sources[path] = SourceFile.of(path)
        except OSError as error:
            unreadable_file = UnreadableFile(
                f"cannot read the file ({error.strerror or type(error).__name__})",
                file=path,
                hint="check the file's permissions, or put it back",
            )
            unreadable.append(NoticeResult(str(path), Status.QUARANTINED, error=unreadable_file))
    return sources, unreadable


def _openable(files: list[Path]) -> tuple[list[Path], list[NoticeResult]]:
    """The files that may be opened; the others (a pipe, a device, an oversized file) are
    refused by name before anything reads them."""
    kept: list[Path] = []
    refused: list[NoticeResult] = []
    for path in files:
        error = _refused_before_hashing(path)
        if error:
            refused.append(NoticeResult(str(path), Status.QUARANTINED, error=error))
        else:
            kept.append(path)
    return kept, refused


def _refused_before_hashing(path: Path) -> UnreadableFile | None:
    """A device, a pipe or an oversized file is refused before it is hashed: hashing /dev/zero
    would never end, and a reader refuses more than MAX_FILE_BYTES anyway."""
    try:
        info = path.stat()
    except OSError:
        return None  # gone or unreadable: hashing reports it
    if not stat.S_ISREG(info.st_mode):
        return UnreadableFile(
            "not a regular file (a device, a pipe or a socket)",
            file=path,
            hint="give the notice file itself, or a folder holding it",
        )
    if info.st_size > MAX_FILE_BYTES:
        return UnreadableFile(
            f"the file is larger than {MAX_FILE_BYTES // 2**20} MB; a notice is a few MB at most",
            file=path,
            hint="check that this is the notice; save it again without embedded media",
        )
    return None


def _published_sources(out: Path, stamp: str) -> dict[str, str]:
    """sha256 of every source published under this fingerprint -> its notice."""
    return {
        s["sha256"]: m["notice_id"]
        for m in manifests(out)
        if m.get("fingerprint") == stamp
        for s in m.get("sources", [])
    }


def _extract(
    files: list[Path], out: Path, sources: dict[Path, SourceFile], timeout: float
) -> list[FileOutcome]:
    """Each file read on the flow's task runner (threads, or a Dask cluster) and validated with
    others in this process, VALIDATED_TOGETHER at a time: their frames then wait on disk, so
    memory holds one chunk's, whatever the batch's size."""
    outcomes: list[FileOutcome] = []
    for start in range(0, len(files), VALIDATED_TOGETHER):
        chunk = files[start : start + VALIDATED_TOGETHER]
        futures = [extract_file.submit(f, out, sources[f].sha256, timeout) for f in chunk]
        read = [_outcome(future, path) for future, path in zip(futures, chunk, strict=True)]
        del futures  # a finished future holds its outcome: the frames would stay in memory
        # quote: Prefect would otherwise walk every frame looking for futures
        validate_read_files(quote(read), out)
        outcomes += [spill(outcome, out) for outcome in read]
    return outcomes


def _outcome(future: PrefectFuture, path: Path) -> FileOutcome:
    """The task's outcome; a failed task carries it too (a task that crashed does not)."""
    future.wait()
    outcome = future.state.result(raise_on_failure=False)
    if isinstance(outcome, FileOutcome):
        return outcome
    error = outcome if isinstance(outcome, BaseException) else RuntimeError(str(outcome))
    crashed = FileOutcome(SourceFile(path, ""), NoticeResult(str(path), Status.QUARANTINED))
    crashed.result.error = (
        error if isinstance(error, NoticeError) else InternalError(error, file=path)
    )
    return crashed


def _unchanged_siblings(
    outcomes: list[FileOutcome],
    files: list[Path],
    sources: dict[Path, SourceFile],
    published: dict[str, str],
) -> list[Path]:
    """Unchanged files of a notice that has a changed file: they are compared again."""
    touched = {o.result.notice_id for o in outcomes if o.result.notice_id}
    return [f for f in files if published.get(sources[f].sha256) in touched]


def _publish(
    outcomes: list[FileOutcome], out: Path, stamp: str, accept_shrink: frozenset[str]
) -> list[NoticeResult]:
    """Each notice once: files of one id, or of the same tasks under other ids, are one group."""
    results: list[NoticeResult] = []
    published = published_content(out)
    for group in notice_groups(outcomes):
        # quote: Prefect would otherwise walk every frame and cell of the group looking for
        # futures (about 0.3 s a notice)
        results += publish_group(quote(group), out, stamp, accept_shrink, quote(published))
    return results


def _flag_renamed_notices(out: Path, results: list[NoticeResult]) -> None:
    """A file published before under another notice id (its title changed): both stay, said."""
    by_path: dict[str, set[str]] = defaultdict(set)
    for manifest in manifests(out):
        for source in manifest.get("sources", []):
            by_path[source.get("path", "")].add(manifest["notice_id"])
    for result in results:
        if result.status is not Status.PUBLISHED:
            continue
        for other in sorted(by_path[str(Path(result.source).resolve())] - {result.notice_id}):
            result.warnings.append(
                Finding(
                    "file_published_as_another_notice",
                    WARNING,
                    "notices",
                    f"{Path(result.source).name} was published before as notice {other} "
                    f"(its title or issuer changed?); that publication stays: delete "
                    f"_manifests/{other}.json and its files if this one replaces it",
                    [other],
                )
            )


def _missing(out: Path, sources: dict[Path, SourceFile]) -> list[NoticeResult]:
    """Published sources no longer on disk: their data stays, the run says so."""
    present = {s.sha256 for s in sources.values()} | {str(p.resolve()) for p in sources}
    found = []
    for manifest in manifests(out):
        for source in manifest.get("sources", []):
            path = source.get("path", source["file"])
            if _gone(path) and source["sha256"] not in present:
                found.append(NoticeResult(path, Status.MISSING, notice_id=manifest["notice_id"]))
    if found:
        get_run_logger().warning("%d published source file(s) are gone; data kept", len(found))
    return found


def _gone(path: str) -> bool:
    """A published source no longer there; one whose folder cannot be searched is not said gone
    (the folder is reported as unreadable)."""
    try:
        return not Path(path).exists()
    except OSError:
        return False


def write_reports(
    out: Path,
    results: list[NoticeResult],
    fresh: list[Path] | None = None,
    quarantine_changed: bool = True,
) -> str:
    """The review lists, the Data Docs, the summary and the output's README. One that cannot be
    written (a full disk) is reported, the others written.

    The Data Docs of the published notices are rebuilt when the run kept `fresh` validation
    results for them (None: rebuilt whole), rendering only the new pages; the quarantine's when
    its records may have changed."""
    summary = summary_markdown(results)
    _report(out / "review", "the review lists", lambda: write_review(out))
    store = published_validations(out)
    if fresh is None or any(p.is_relative_to(store) for p in fresh):
        site = out / DATA_DOCS
        files = sorted(store.glob(f"*/*{RESULTS_SUFFIX}"))
        _report(site, "the Data Docs", lambda: build_site(site, files, fresh))
    if quarantine_changed:
        quarantined = out / QUARANTINE_DATA_DOCS
        files = validation_files(out)
        _report(quarantined, "the quarantine's Data Docs", lambda: build_site(quarantined, files))
    report = out / "reports" / "summary.md"
    _report(report, "the run's summary", lambda: _write(report, summary))
    card = out / "README.md"
    _report(card, "the output folder's README", lambda: _write(card, dataset_card()))
    create_markdown_artifact(markdown=summary, key="notices-run-summary", description="Run summary")
    return summary


def _write(path: Path, text: str) -> None:
    """The whole text or, on a full disk, the previous file: never one cut short."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def _report(path: Path, what: str, write: Callable[[], object]) -> None:
    try:
        write()
    except OSError as error:
        report_unwritten(not_written(error, path, what))
