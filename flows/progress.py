"""What a person at the terminal sees: a line per notice as it finishes, then a summary table.

Text from files (names, messages, unit names) is escaped: a notice may hold `[/]`, which Rich
would otherwise read as markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from core.errors import InternalError
from core.records import NoticeResult, Status
from flows.notice import listeners
from publish.store import OutputNotWritten

_STYLE = {
    Status.PUBLISHED: "green",
    Status.UNCHANGED: "dim",
    Status.QUARANTINED: "red",
    Status.CONFLICT: "red",
    Status.MISSING: "yellow",
    Status.SKIPPED: "yellow",
}
console = Console(stderr=True)


def progress_line(result: NoticeResult) -> str:
    """One line for one file: its status, its name and, when it failed, why."""
    style = _STYLE.get(result.status, "")
    line = f"[{style}]{result.status:>11}[/] {escape(Path(result.source).name)}"
    if result.error:
        line += f"  [red]{escape(result.error.message)}[/]"
    return line


def _announce(result: NoticeResult) -> None:
    console.print(progress_line(result), highlight=False)
    if isinstance(result.error, InternalError):  # a bug: the one case worth a traceback
        console.print(escape(result.error.traceback), highlight=False)


@contextmanager
def show_progress(quiet: bool) -> Iterator[None]:
    """Announce each notice as it is published or quarantined (nothing when quiet)."""
    if quiet:
        yield
        return
    listeners.append(_announce)
    try:
        with console.status("reading notices…"):
            yield
    finally:
        listeners.remove(_announce)


def summary_table(results: list[NoticeResult]) -> Table:
    """The run's results, one row per file; statuses and ids never wrap, names fold."""
    # No rules and one space between columns: in 80 columns the file names get the room.
    table = Table(
        title="notices run", title_justify="left", box=None, pad_edge=False, padding=(0, 1, 0, 0)
    )
    table.add_column("file", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("notice", no_wrap=True)
    for name in ("tasks", "targets", "warn", "unknown"):
        table.add_column(name, justify="right", no_wrap=True)
    for r in results:
        table.add_row(
            escape(Path(r.source).name),
            f"[{_STYLE.get(r.status, '')}]{r.status}[/]",
            r.notice_id or "-",
            str(r.rows.get("key_tasks", "")),
            str(r.rows.get("livelihood_targets", "")),
            str(len(r.warnings)),
            str(len(r.unknown_units)),
        )
    return table


def print_summary(results: list[NoticeResult], out: Path) -> None:
    terminal = Console()
    terminal.print(summary_table(results))
    terminal.print(
        f"summary: {out / 'reports' / 'summary.md'}; review: "
        f"{out / 'review' / 'unknown_units.csv'}",
        highlight=False,
    )


def print_unwritten(errors: list[OutputNotWritten]) -> None:
    """What could not be written into the output folder, a line each, and what to do. What was
    for one file is on that file's line already."""
    lines = dict.fromkeys(f"{e.message}: {e.file}" for e in errors if e.source is None)
    for line in lines:
        console.print(f"[red]not written[/] {escape(line)}", highlight=False)
    console.print(f"notices: {escape(errors[0].hint)}", highlight=False)
