"""The unit registry: canonical unit names, their aliases, full names and former names by year."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
UNITS_CSV = SCHEMAS / "units.csv"
HISTORY_CSV = SCHEMAS / "unit_history.csv"


_WIDE = str.maketrans({"（": "(", "）": ")", "，": ",", "　": " "})


def name_key(name: str) -> str:
    """A written name as looked up: no whitespace, ASCII brackets (notices mix both)."""
    return "".join(name.translate(_WIDE).split())


@dataclass(frozen=True)
class Unit:
    canonical: str
    full_name: str
    kind: str
    jurisdiction: str
    aliases: tuple[str, ...]
    former_names: tuple[str, ...] = ()
    local_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Name:
    canonical: str
    valid_from: int | None = None
    valid_to: int | None = None
    only_in: str | None = None  # a local alias (财政局) means this unit only in its own notices

    def valid_in(self, year: int, jurisdiction: str) -> bool:
        return (
            (self.valid_from is None or year >= self.valid_from)
            and (self.valid_to is None or year <= self.valid_to)
            and (self.only_in is None or self.only_in == jurisdiction)
        )


@dataclass
class Registry:
    units: dict[str, Unit]
    _names: dict[str, list[_Name]] = field(default_factory=dict)
    stamp: tuple[float, ...] = ()  # the files' modification times: an edit makes a new registry

    def resolve(self, name: str, year: int, jurisdiction: str) -> str | None:
        """The canonical unit a name means in a notice of this year and jurisdiction, if any."""
        entries = self._names.get(name_key(name), [])
        found = {n.canonical for n in entries if n.valid_in(year, jurisdiction)}
        if len(found) > 1:  # the same short name in several places: the notice's own wins
            found = {c for c in found if self.units[c].jurisdiction == jurisdiction}
        return found.pop() if len(found) == 1 else None

    def names(self) -> set[str]:
        """Every written form the registry knows, for the segmenter's dictionary."""
        return set(self._names)

    def _add(self, name: str, entry: _Name) -> None:
        if name:
            self._names.setdefault(name_key(name), []).append(entry)


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


def _year(value: str) -> int | None:
    return int(value) if value.strip() else None


def load_registry(units_csv: Path = UNITS_CSV, history_csv: Path = HISTORY_CSV) -> Registry:
    """The registry as the files are now; a long-running process sees a data officer's edits."""
    stamp = tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in (units_csv, history_csv))
    return _load(units_csv, history_csv, stamp)


@cache
def _load(units_csv: Path, history_csv: Path, stamp: tuple[float, ...]) -> Registry:
    """Read the registry's CSV files (a data officer edits them; no code change needed)."""
    with units_csv.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    history: list[dict[str, str]] = []
    if history_csv.exists():
        with history_csv.open(encoding="utf-8-sig", newline="") as f:
            history = list(csv.DictReader(f))
    former: dict[str, list[str]] = {}
    for row in history:
        former.setdefault(row["canonical"].strip(), []).append(row["former_name"].strip())
    registry = Registry(units={}, stamp=stamp)
    for row in rows:
        canonical = row["canonical"].strip()
        unit = Unit(
            canonical=canonical,
            full_name=row["full_name"].strip(),
            kind=row["kind"].strip(),
            jurisdiction=row["jurisdiction"].strip(),
            aliases=_split_list(row.get("aliases") or ""),
            former_names=tuple(former.get(canonical, [])),
            local_aliases=_split_list(row.get("local_aliases") or ""),
        )
        registry.units[canonical] = unit
        for name in {canonical, unit.full_name, *unit.aliases}:
            registry._add(name, _Name(canonical))
        for name in unit.local_aliases:
            registry._add(name, _Name(canonical, only_in=unit.jurisdiction))
    for line, row in enumerate(history, start=2):
        canonical = row["canonical"].strip()
        if canonical not in registry.units:
            raise ValueError(
                f"{history_csv.name} line {line}: {canonical!r} is not a unit of {units_csv.name}; "
                "add the unit first or correct the name"
            )
        entry = _Name(canonical, _year(row["valid_from"]), _year(row["valid_to"]))
        registry._add(row["former_name"].strip(), entry)
    return registry
