"""What a person at the terminal sees: a line per notice as it finishes, then a summary table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from flows.notice import NoticeResult, listeners

_STYLE = {
    "published": "green",
    "unchanged": "dim",
    "quarantined": "red",
    "conflict": "red",
    "missing": "yellow",
}
console = Console(stderr=True)


def _announce(result: NoticeResult) -> None:
    style = _STYLE.get(result.status, "")
    line = f"[{style}]{result.status:>11}[/] {Path(result.source).name}"
    if result.error:
        line += f"  [red]{result.error.get('message', '')}[/]"
    console.print(line, highlight=False)


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


def print_summary(results: list[NoticeResult], out: Path) -> None:
    table = Table(title="notices run")
    for column in ("file", "status", "notice", "tasks", "targets", "warnings", "unknown units"):
        table.add_column(column)
    for r in results:
        table.add_row(
            Path(r.source).name,
            f"[{_STYLE.get(r.status, '')}]{r.status}[/]",
            r.notice_id or "-",
            str(r.rows.get("key_tasks", "")),
            str(r.rows.get("livelihood_targets", "")),
            str(len(r.warnings)),
            str(len(r.unknown_units)),
        )
    Console().print(table)
    Console().print(
        f"summary: {out / 'reports' / 'summary.md'}; review: "
        f"{out / 'review' / 'unknown_units.csv'}",
        highlight=False,
    )
