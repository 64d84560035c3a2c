"""Warnings about livelihood targets that disagree with each other or with the project's name."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import pandas as pd

from schemas.findings import WARNING, Finding

_CLAUSES = re.compile(r"[，,；;。、]")
# A count in a project name: 1230台, 6000名以上, 3万户以上, 14.2公里. Ages (60岁), years (2年内),
# grades (3～5年级) and percentages are not counts.
_COUNT = re.compile(
    # Not inside a longer digit run, at most 15 digits: a run of 50,000 digits is read in
    # linear time (an unbounded \d+ retried at every digit of it was quadratic).
    r"(?<![\d.])(?P<number>\d{1,15}(?:\.\d{1,6})?)(?P<wan>万)?"
    r"(?P<unit>公里|个|家|人|名|台|所|间|户|处|场|部|条|座|次|辆|套|张|项|栋|只|块|亩|米)"
    r"(?P<at_least>以上)?"
)


@dataclass(frozen=True)
class StatedCount:
    value: float
    at_least: bool
    clause: str
    written: str


def stated_counts(name: str) -> list[StatedCount]:
    """Counts a project's name states, with the clause around each."""
    found = []
    for clause in _CLAUSES.split(name):
        for m in _COUNT.finditer(clause):
            value = float(m["number"]) * (10000 if m["wan"] else 1)
            found.append(StatedCount(value, bool(m["at_least"]), clause, m.group(0)))
    return found


def target_warnings(projects: pd.DataFrame, targets: pd.DataFrame) -> list[Finding]:
    """Sums that miss the city total, names that state other numbers, city targets with no area."""
    # Plain records grouped once: per-project pandas filters cost more than the checks.
    by_project: dict[str, list[Target]] = defaultdict(list)
    for target in targets.itertuples(index=False):
        by_project[target.project_id].append(target)
    findings: list[Finding] = []
    for project in projects.itertuples():
        rows = by_project.get(project.project_id, [])
        findings += _area_sum_warnings(project, rows)
        findings += _name_warnings(project, _item_totals(rows))
    return findings


Target = Any  # a livelihood_targets row as a named tuple


def _item_totals(rows: list[Target]) -> dict[str, float | None]:
    """The city-wide (area_order 0) number of each breakdown item; a missing item is ''."""
    return {
        (r.item or ""): (r.value if r.value_kind == "number" else None)
        for r in rows
        if r.area_order == 0
    }


def _area_sum_warnings(project, rows: list[Target]) -> list[Finding]:  # type: ignore[no-untyped-def]
    by_item: dict[int, list[Target]] = defaultdict(list)
    for row in rows:
        by_item[row.item_no].append(row)
    found = []
    for item_no in sorted(by_item):
        totals = [r for r in by_item[item_no] if r.area_order == 0]
        areas = [r for r in by_item[item_no] if r.area_order > 0]
        if not totals or totals[0].value_kind != "number":
            continue  # no city-wide number to compare with
        total = totals[0]
        label = _label(project, total.item)
        kinds = {r.value_kind for r in areas}
        if kinds <= {"not_applicable"}:
            found.append(
                _warning(
                    "city_target_without_areas",
                    project,
                    [item_no],
                    f"{label}: city-wide target {total.value_text} but every area is /",
                )
            )
        elif kinds <= {"number", "not_applicable", "blank"}:
            summed = float(sum(r.value for r in areas if r.value == r.value and r.value))
            if abs(summed - total.value) > 1e-6:
                found.append(
                    _warning(
                        "area_sum_differs",
                        project,
                        [item_no],
                        f"{label}: areas add up to {summed:g}, city-wide target is {total.value:g}",
                    )
                )
    return found


def _name_warnings(project, items: dict[str, float | None]) -> list[Finding]:  # type: ignore[no-untyped-def]
    """Each count in the name against the item it names, or the items no other count names."""
    stated = stated_counts(project.name)
    matches = {id(s): _best_item(s.clause, items) for s in stated}
    named = {item for item in matches.values() if item is not None}
    found = []
    for count in stated:
        item = matches[id(count)]
        if item is not None:
            table, what = items[item], f"{item} says"
        else:
            rest = [v for k, v in items.items() if k not in named] or list(items.values())
            if any(v is None for v in rest):
                continue
            table, what = sum(rest), "its items add up to" if len(items) > 1 else "the table says"  # type: ignore[arg-type]
        if table is None or _agrees(count, table):
            continue
        found.append(
            _warning(
                "name_differs_from_table",
                project,
                [],
                f"project {project.seq} name says {count.written}, {what} {table:g}",
            )
        )
    return found


def _best_item(clause: str, items: dict[str, float | None]) -> str | None:
    """The one item whose label shares the longest run of characters (two at least) with the
    clause: 学生宿舍 names both 高校宿舍 and 中小学宿舍, so it names neither alone."""
    scores = {item: _common_run(item, clause) for item in items if item}
    best = max(scores.values(), default=0)
    winners = [item for item, score in scores.items() if score == best]
    return winners[0] if best >= 2 and len(winners) == 1 else None


def _common_run(a: str, b: str) -> int:
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match().size


def _agrees(count: StatedCount, table: float) -> bool:
    return table >= count.value - 1e-6 if count.at_least else abs(table - count.value) < 1e-6


def _label(project, item: str | None) -> str:  # type: ignore[no-untyped-def]
    return f"project {project.seq}" + (f" {item}" if item else "")


def _warning(check: str, project, items: list, message: str) -> Finding:  # type: ignore[no-untyped-def]
    rows = [f"{project.project_id}/{i}" for i in items] or [project.project_id]
    return Finding(check, WARNING, "livelihood_targets", message, rows)
