"""Validate one notice's datasets: schema, GX suites, and the checks that span datasets."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pyarrow as pa

from normalise.rows import NoticeRows
from recognise.tables import CONTENT, DISPUTED, EXTRA_ROLES, KEYWORD, UNKNOWN, RecognisedTable
from schemas.consistency import target_warnings
from schemas.datasets import datasets, to_table
from schemas.findings import CRITICAL, WARNING, Finding, ValidationReport
from schemas.suites import Extra, run_suites_together


@dataclass
class NoticeChecks:
    """A notice's checks before its suites run: the frames and extra expectations the suites
    are to validate, and what the schema and the other checks found."""

    frames: dict[str, pd.DataFrame]
    extra: Extra
    schema: list[Finding]
    other: list[Finding]

    def report(self, suites: list[Finding]) -> ValidationReport:
        """Every finding, the suites' after the schema's (as they ran) and before the rest."""
        report = ValidationReport()
        for found in (self.schema, suites, self.other):
            report.add(found)
        return report


def validate_notice(
    rows: NoticeRows,
    tables: list[RecognisedTable],
    frames: dict[str, pd.DataFrame],
    results_dir: Path | None = None,
) -> ValidationReport:
    """Every check of a notice; critical findings stop publication, warnings are reported.
    The suites' results go to `results_dir` for the run's Data Docs."""
    return validate_together([notice_checks(rows, tables, frames)], results_dir)[0]


def validate_together(
    checks: list[NoticeChecks], results_dir: Path | None = None
) -> list[ValidationReport]:
    """Many notices' suites in one pass (schemas/suites.py); each notice gets its own report,
    the same as validated alone."""
    suited = [c for c in checks if not c.schema]  # the suites assume the documented columns
    found = run_suites_together([(c.frames, c.extra) for c in suited], results_dir)
    by_notice = {id(c): f for c, f in zip(suited, found, strict=True)}
    return [c.report(by_notice.get(id(c), [])) for c in checks]


def notice_checks(
    rows: NoticeRows, tables: list[RecognisedTable], frames: dict[str, pd.DataFrame]
) -> NoticeChecks:
    """Every check of a notice but its suites."""
    schema = schema_findings(frames)
    if schema:  # the other checks assume the documented columns and types too
        return NoticeChecks(frames, {}, schema, [])
    other = [
        *split_table_findings(tables),
        *sequence_findings(frames["key_tasks"]),
        *unit_findings(frames["key_tasks"], frames["task_units"]),
        *count_findings(rows, frames),
        *target_warnings(frames["livelihood_projects"], frames["livelihood_targets"]),
        *unknown_unit_warnings(rows),
        *extra_column_warnings(tables),
        *weak_evidence_warnings(tables, frames["task_units"]),
        *unrecognised_table_warnings(tables),
    ]
    return NoticeChecks(frames, _area_expectation(tables), [], other)


def _area_expectation(tables: list[RecognisedTable]) -> Extra:
    """A notice's targets are for the areas its livelihood tables name."""
    areas = sorted({area for t in tables if t.kind == "livelihood" for area in t.areas})
    return {
        "livelihood_targets": [
            {
                "expectation": "ExpectColumnValuesToBeInSet",
                "column": "area",
                "value_set": areas,
                "level": CRITICAL,
            }
        ]
    }


def schema_findings(frames: dict[str, pd.DataFrame]) -> list[Finding]:
    """Each frame converts to its dataset's pyarrow schema without loss."""
    found = []
    for name, spec in datasets().items():
        try:
            to_table(spec, frames[name])
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, KeyError) as error:
            found.append(Finding("schema", CRITICAL, name, f"does not match its schema: {error}"))
    return found


def split_table_findings(tables: list[RecognisedTable]) -> list[Finding]:
    """An unknown table right after a known one, of its width and numbered like it, is most
    likely its second half (a page break in Word): its rows would be lost, so stop."""
    found = []
    for known, unknown in pairwise(tables):
        if known.kind == UNKNOWN or unknown.kind != UNKNOWN:
            continue
        widths = {len(known.columns), len(known.columns) + 1}
        table = unknown.table
        rows = [table.row_texts(r) for r in range(table.n_rows)]
        numbered = [r for r in rows if len(r) in widths and r[0].strip().isdigit()]
        if rows and len(numbered) * 2 > len(rows):
            found.append(
                Finding(
                    "table_split",
                    CRITICAL,
                    known.kind,
                    f"table {table.index} has no header but the shape of table "
                    f"{known.table.index}: a table split in two? ({len(rows)} rows)",
                )
            )
    return found


def sequence_findings(tasks: pd.DataFrame) -> list[Finding]:
    """序号 runs 1..N: no gap, no repeat except by sub_seq."""
    if tasks.empty:
        return []
    seqs = set(tasks["seq"])
    missing = sorted(set(range(1, max(seqs) + 1)) - seqs)
    if not missing:
        return []
    return [
        Finding(
            "seq_runs_without_gap",
            CRITICAL,
            "key_tasks",
            f"序号 skips {missing[:10]}",
            [str(m) for m in missing[:20]],
        )
    ]


def unit_findings(tasks: pd.DataFrame, units: pd.DataFrame) -> list[Finding]:
    """Every task has at least one unit and at least one lead."""
    found = []
    with_units = set(units["task_id"])
    without = sorted(set(tasks["task_id"]) - with_units)
    if without:
        found.append(
            Finding(
                "task_has_unit",
                CRITICAL,
                "task_units",
                f"{len(without)} task(s) have no responsible unit",
                without[:20],
            )
        )
    with_lead = set(units.loc[units["role"] == "lead", "task_id"])
    leaderless = sorted(with_units - with_lead)
    if leaderless:
        found.append(
            Finding(
                "task_has_lead",
                CRITICAL,
                "task_units",
                f"{len(leaderless)} task(s) have no lead unit",
                leaderless[:20],
            )
        )
    return found


def count_findings(rows: NoticeRows, frames: dict[str, pd.DataFrame]) -> list[Finding]:
    """Nothing lost between stages: each dataset holds as many rows as the reader saw."""
    return [
        Finding(
            "rows_match_reader",
            CRITICAL,
            name,
            f"the reader saw {seen} rows, the dataset has {len(frames[name])}",
        )
        for name, seen in rows.seen.items()
        if len(frames[name]) != seen
    ]


def extra_column_warnings(tables: list[RecognisedTable]) -> list[Finding]:
    """Columns no role was found for: a task table keeps them in `extras` (said, since a unit
    column under an unknown header would be lost there); other tables do not publish them."""
    return [
        Finding(
            "unused_column" if found.kind != "key_tasks" else "unknown_column",
            WARNING,
            found.kind,
            f"table {found.table.index} has a column {c.label!r} "
            + (
                "that no dataset holds"
                if found.kind != "key_tasks"
                else "whose header the vocabulary does not know: kept in key_tasks.extras"
            )
            + "; add its header to recognise/vocabulary.toml if it matters",
        )
        for found in tables
        for c in found.columns
        if c.role in EXTRA_ROLES and (found.kind != "key_tasks" or not c.evidence)
    ]


def unknown_unit_warnings(rows: NoticeRows) -> list[Finding]:
    return [
        Finding(
            "unknown_unit",
            WARNING,
            "task_units",
            f"{u['unit']!r} is not in the unit registry (cell: {u['cell_text']!r})",
            [str(u["row_id"])],
        )
        for u in rows.unknown_units
    ]


_WEAK_ROLES = {  # check -> which evidence it flags
    "role_disputed": lambda why: DISPUTED in why,
    "role_by_keyword": lambda why: why.startswith(KEYWORD) and DISPUTED not in why,
    "role_by_content": lambda why: why.startswith(CONTENT),
}


def weak_evidence_warnings(tables: list[RecognisedTable], units: pd.DataFrame) -> list[Finding]:
    """Decisions taken on weaker evidence than a whole header word or a registry entry, for a
    person to confirm: column roles from a keyword, units read by the 市-means-the-city rule."""
    found = [
        Finding(
            check,
            WARNING,
            t.kind,
            f"table {t.table.index}: "
            + ", ".join(f"{c.label!r} read as {c.role} ({c.evidence})" for c in weak),
        )
        for t in tables
        for check, test in _WEAK_ROLES.items()
        if (weak := [c for c in t.columns if test(c.evidence)])
    ]
    by_rule = units[units["resolved_by"] == "parent"]
    found += [
        Finding(
            "unit_by_rule",
            WARNING,
            "task_units",
            f"{written!r} read as {unit!r}: in a county or district notice 市 is taken to mean "
            "its city; add the unit to the registry if that is wrong",
            sorted(set(group["task_id"]))[:20],
        )
        for (written, unit), group in by_rule.groupby(["unit_written", "unit"], sort=True)
    ]
    return found


def unrecognised_table_warnings(tables: list[RecognisedTable]) -> list[Finding]:
    """A table of a notice that is otherwise read, but of no known kind: its rows are not
    published, so it is said (a page's layout table is one; a task table with new headers too)."""
    return [
        Finding(
            "table_not_recognised",
            WARNING,
            "notices",
            f"table {t.table.index} ({t.table.n_rows} rows) is of no known kind and is not "
            f"published: it starts with {' | '.join(t.table.row_texts(0))[:60]!r}",
        )
        for t in tables
        if t.kind == UNKNOWN and t.table.n_rows
    ]
