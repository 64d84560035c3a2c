"""A notice's rows as one DataFrame per published dataset."""

from __future__ import annotations

import pandas as pd

from normalise.registry import load_registry
from normalise.rows import NoticeRows
from schemas.datasets import datasets


def notice_frames(
    rows: NoticeRows, sources: list[dict], warnings: int = 0
) -> dict[str, pd.DataFrame]:
    """Every dataset's frame for one notice, columns in schema order."""
    info = rows.info
    notice = {
        "notice_id": info.notice_id,
        "title": info.title,
        "issuer": info.issuer,
        "jurisdiction": info.jurisdiction,
        "issued_on": info.issued_on,
        "lead_rule": info.lead_rule,
        "source_files": [s["file"] for s in sources],
        "source_formats": [s["format"] for s in sources],
        "sha256": [s["sha256"] for s in sources],
        "status": "published",
        "warnings": warnings,
        "unknown_units": len(rows.unknown_units),
        "unrecognised_tables": len(rows.unknown_tables),
    }
    found = {
        "notices": [notice],
        "key_tasks": rows.key_tasks,
        "task_units": rows.task_units,
        "livelihood_projects": rows.livelihood_projects,
        "livelihood_targets": rows.livelihood_targets,
        "units": units_rows(),
    }
    return {
        name: pd.DataFrame(found[name], columns=spec.column_names)
        for name, spec in datasets().items()
    }


def units_rows() -> list[dict[str, object]]:
    """The registry as the `units` dimension."""
    return [
        {
            "canonical": u.canonical,
            "full_name": u.full_name,
            "kind": u.kind,
            "jurisdiction": u.jurisdiction,
            "aliases": list(u.aliases),
            "former_names": list(u.former_names),
        }
        for u in load_registry().units.values()
    ]
