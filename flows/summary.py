"""The run's summary for people (Markdown, terminal) and the review queue of unknown units."""

from __future__ import annotations

import csv
from pathlib import Path

from flows.notice import NoticeResult

REVIEW_FIELDS = ["notice_id", "source_file", "row_id", "unit", "cell_text"]


def write_review(out: Path, results: list[NoticeResult]) -> Path:
    """output/review/unknown_units.csv: one row per unit mention the registry did not know."""
    path = out / "review" / "unknown_units.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it right
        writer = csv.DictWriter(f, fieldnames=REVIEW_FIELDS)
        writer.writeheader()
        for result in results:
            writer.writerows(result.unknown_units)
    return path


def summary_markdown(results: list[NoticeResult]) -> str:
    """A short Markdown report: notices, rows per dataset, warnings, quarantined files."""
    published = [r for r in results if r.status == "published"]
    lines = [
        "# Run summary",
        "",
        f"{len(results)} file(s): {len(published)} published, "
        f"{len(results) - len(published)} quarantined.",
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
                f"- {r.error.get('message')}",
                f"- what to do: {r.error.get('hint') or 'fix the file and run again'}",
            ]
        if r.warnings:
            lines += ["", f"## Warnings: {name}", ""]
            lines += [f"- {w['check']}: {w['message']}" for w in r.warnings]
        if r.unknown_tables:
            lines += ["", f"## Tables not recognised: {name}", ""]
            lines += [
                f"- table {t['table_index']} ({t['rows']} rows): {t['first_row']}"
                for t in r.unknown_tables
            ]
    return lines
