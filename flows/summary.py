"""The run's summary for people (Markdown, terminal) and the review queue of unknown units."""

from __future__ import annotations

import csv
from pathlib import Path

from core.records import NoticeResult, Status
from publish.store import manifests

REVIEW_FIELDS = ["notice_id", "source_file", "row_id", "unit", "cell_text"]


def write_review(out: Path) -> Path:
    """output/review/unknown_units.csv: every unknown unit mention of every published notice."""
    path = out / "review" / "unknown_units.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it right
        writer = csv.DictWriter(f, fieldnames=REVIEW_FIELDS)
        writer.writeheader()
        for manifest in manifests(out):
            writer.writerows(manifest.get("unknown_units", []))
    return path


def summary_markdown(results: list[NoticeResult]) -> str:
    """A short Markdown report: notices, rows per dataset, warnings, quarantined files."""
    counts = {s: sum(r.status is s for r in results) for s in Status}
    lines = [
        "# Run summary",
        "",
        f"{len(results)} file(s): " + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + ".",
        "",
        "| file | status | notice | tasks | task units | projects | targets | warnings "
        "| unknown units |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        counts = [
            r.rows.get(k, 0)
            for k in ("key_tasks", "task_units", "livelihood_projects", "livelihood_targets")
        ]
        lines.append(
            f"| {Path(r.source).name} | {r.status} | {r.notice_id or '-'} | "
            + " | ".join(map(str, counts))
            + f" | {len(r.warnings)} | {len(r.unknown_units)} |"
        )
    lines += _details(results)
    return "\n".join(lines) + "\n"


def _details(results: list[NoticeResult]) -> list[str]:
    lines: list[str] = []
    for r in results:
        name = Path(r.source).name
        if r.error:
            lines += [
                "",
                f"## Quarantined: {name}",
                "",
                f"- {r.error.message}",
                f"- what to do: {r.error.hint or 'fix the file and run again'}",
            ]
        if r.warnings:
            lines += ["", f"## Warnings: {name}", ""]
            lines += [f"- {w.check}: {w.message}" for w in r.warnings]
        if r.unknown_tables:
            lines += ["", f"## Tables not recognised: {name}", ""]
            lines += [
                f"- table {t['table_index']} ({t['rows']} rows): {t['first_row']}"
                for t in r.unknown_tables
            ]
    return lines
