"""The unit registry: named units with their aliases and former names (units.csv,
unit_history.csv), the standard departments of any Zhejiang place (departments.csv over
jurisdictions.csv), and the patterns of collective units and towns (unit_patterns.csv).

A name is read in a notice of one year and jurisdiction, in this order (the first that knows it
wins); Resolution.by says which:

1. `registry`: units.csv or unit_history.csv lists the name for this notice. A name written
   with 省, 市, 县 or 区 in front (市财政局) is relative: it means that unit only in notices where
   the prefix means the unit's own place (a 嘉兴市 notice, not a 湖州市 one).
2. `jurisdiction`: a standard department name (发改局, 财政局 …) of the place the name states:
   bare or with the prefix of the notice's own level (县财政局 in a county notice, 市财政局 in a
   city or county-level-city notice), 省 (the province), or a place's name (长兴县财政局,
   海曙自然资源规划分局, a full name such as 国家税务总局长兴县税务局).
3. `parent`: 市 + a standard name in a district or county notice, read as the city's unit.
4. `pattern`: a collective (各部门, 市级有关部门) or a town (古林镇) by unit_patterns.csv.

A department of a place that units.csv lists (平湖市发改局, 市财政局 of 嘉兴市) keeps that row's
canonical name; any other is `<place><department name>` (长兴县财政局, 宁波市发改委).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from recognise.jurisdiction import JURISDICTIONS_CSV, Jurisdiction, Places, load_places

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
UNITS_CSV = SCHEMAS / "units.csv"
HISTORY_CSV = SCHEMAS / "unit_history.csv"
DEPARTMENTS_CSV = SCHEMAS / "departments.csv"
PATTERNS_CSV = SCHEMAS / "unit_patterns.csv"

REGISTRY, JURISDICTION, PARENT, PATTERN = "registry", "jurisdiction", "parent", "pattern"
COLLECTIVE, TOWNSHIP = "collective", "township"
_GROUP = "group"  # units.csv's kind for catch-alls, reported as COLLECTIVE
_PREFIXES = "省市县区"
_TIERS = ("province", "city", "county")
_MEANINGS = (COLLECTIVE, TOWNSHIP, "etc")
_MEMO_SIZE = 100_000

_WIDE = str.maketrans({"（": "(", "）": ")", "，": ",", "　": " "})
_NARROW = str.maketrans({"(": "（", ")": "）", ",": "，"})


def name_key(name: str) -> str:
    """A written name as looked up: no whitespace, ASCII brackets (notices mix both)."""
    return "".join(name.translate(_WIDE).split())


def display_name(name: str) -> str:
    """A written name as shown when no row names it: no whitespace, full-width brackets."""
    return "".join(name.split()).translate(_NARROW)


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
class Resolution:
    unit: Unit
    by: str  # registry, jurisdiction, parent or pattern (see the module's docstring)


@dataclass(frozen=True)
class _Name:
    canonical: str
    valid_from: int | None = None
    valid_to: int | None = None
    only_in: str | None = None  # a local alias (财政局) means this unit only in its own notices
    relative: str | None = None  # 市 of 市财政局: means this unit where 市 means its place

    def valid_in(self, year: int, jurisdiction: str) -> bool:
        return (
            (self.valid_from is None or year >= self.valid_from)
            and (self.valid_to is None or year <= self.valid_to)
            and (self.only_in is None or self.only_in == jurisdiction)
        )


@dataclass(frozen=True)
class _Form:
    department: Department
    valid_to: int | None = None  # a former name (环保局) is read up to this year

    def valid_in(self, year: int) -> bool:
        return self.valid_to is None or year <= self.valid_to


@dataclass(frozen=True)
class Department:
    """One row of departments.csv: a standard department at one tier of government."""

    key: str
    tier: str
    name: str
    full_name: str  # a template: {full} {name} {short} {city} {city_short}
    kind: str
    aliases: tuple[str, ...]
    former: tuple[tuple[str, int], ...] = ()  # (name, last year it was in use)

    def unit(self, place: Jurisdiction, places: Places) -> Unit:
        full_name = fill(self.full_name, place, places)
        return Unit(place.name + self.name, full_name, self.kind, place.name, ())


def fill(template: str, place: Jurisdiction, places: Places) -> str:
    """A department's name template written out for one place."""
    city = place if place.tier != "county" else places.get(place.parent) or place
    values = {"full": place.full_name, "name": place.name, "short": place.short}
    return template.format_map(values | {"city": city.full_name, "city_short": city.short})


@dataclass
class Registry:
    units: dict[str, Unit]
    _names: dict[str, list[_Name]] = field(default_factory=dict)
    stamp: tuple[float, ...] = ()  # the files' modification times: an edit makes a new registry
    places: Places = field(default_factory=lambda: Places({}))
    etc_phrases: tuple[str, ...] = ()  # 等部门、单位 …: longest first
    _forms: dict[str, dict[str, _Form]] = field(default_factory=dict)  # name -> tier -> form
    _spelled: dict[str, list[tuple[Jurisdiction, Department]]] = field(default_factory=dict)
    _linked: dict[tuple[str, str], str] = field(default_factory=dict)  # (place, key) -> canonical
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)
    _made: dict[tuple[str, str], Unit] = field(default_factory=dict)
    _made_names: dict[str, Unit] = field(default_factory=dict)
    _memo: dict[tuple[str, int, str], Resolution | None] = field(default_factory=dict)

    def resolve(self, name: str, year: int, jurisdiction: str) -> str | None:
        """The canonical unit a name means in a notice of this year and jurisdiction, if any."""
        found = self.lookup(name, year, jurisdiction)
        return found.unit.canonical if found else None

    def lookup(self, name: str, year: int, jurisdiction: str) -> Resolution | None:
        """The unit a name means in a notice of this year and jurisdiction, and how that was
        decided; None when nothing knows it (it is then listed for review, never guessed)."""
        memo = (name_key(name), year, jurisdiction)
        if memo not in self._memo:
            if len(self._memo) >= _MEMO_SIZE:  # a long batch reads many notices: stay bounded
                self._memo.clear()
            key, place = memo[0], self.places.get(jurisdiction)
            self._memo[memo] = (
                self._from_registry(key, year, jurisdiction, place)
                or self._from_departments(key.removeprefix("中共"), year, place)
                or self._from_patterns(key, jurisdiction, place)
            )
        return self._memo[memo]

    def unit(self, canonical: str) -> Unit | None:
        """A unit by canonical name: a units.csv row, or a place's department a rule has read
        (长兴县财政局, with its full name), for the `units` dimension of a notice's units."""
        return self.units.get(canonical) or self._made_names.get(canonical)

    def names(self) -> set[str]:
        """Every written form units.csv and unit_history.csv know."""
        return set(self._names)

    def words(self) -> set[str]:
        """The segmenter's dictionary: the registry's names and the standard department names,
        bare and after 省 市 县 区, so 县财政局县发改局 splits too."""
        forms = {p + form for form in self._forms for p in ("", *_PREFIXES)}
        return self.names() | forms

    def _add(self, name: str, entry: _Name) -> None:
        if name:
            self._names.setdefault(name_key(name), []).append(entry)

    def _from_registry(
        self, key: str, year: int, jurisdiction: str, place: Jurisdiction | None
    ) -> Resolution | None:
        found: dict[str, str] = {}
        for entry in self._names.get(key, []):
            by = self._scope(entry, year, jurisdiction, place)
            if by and (by == REGISTRY or entry.canonical not in found):
                found[entry.canonical] = by
        if len(found) > 1:  # the same short name in several places: the notice's own wins
            found = {c: b for c, b in found.items() if self.units[c].jurisdiction == jurisdiction}
        if len(found) != 1:
            return None
        canonical, by = found.popitem()
        unit = self.units[canonical]
        if unit.kind == _GROUP:  # a catch-all means the notice's own area's units
            unit = replace(unit, kind=COLLECTIVE, jurisdiction=jurisdiction)
        return Resolution(unit, by)

    def _scope(
        self, entry: _Name, year: int, jurisdiction: str, place: Jurisdiction | None
    ) -> str | None:
        """REGISTRY or PARENT when the entry means its unit in this notice, else None."""
        if not entry.valid_in(year, jurisdiction):
            return None
        if entry.relative is None:
            return REGISTRY
        home = self.units[entry.canonical].jurisdiction
        if place is None:
            return REGISTRY if home == jurisdiction else None
        meant = self.places.meant(entry.relative, place)
        if meant is None or meant[0].name != home:
            return None
        return PARENT if meant[1] else REGISTRY

    def _from_departments(
        self, key: str, year: int, place: Jurisdiction | None
    ) -> Resolution | None:
        spelled = self._spelled_out(key, year)
        if spelled:
            return self._department(*spelled, JURISDICTION)
        for target, by_rule, rest in self._readings(key, year, place):
            form = self._forms.get(rest, {}).get(target.tier)
            if form and form.valid_in(year):
                by = PARENT if by_rule else JURISDICTION
                return self._department(target, form.department, by)
        return None

    def _spelled_out(self, key: str, year: int) -> tuple[Jurisdiction, Department] | None:
        """A full name (国家税务总局长兴县税务局) or a place's own form (宁波生态环境局慈溪分局)."""
        found = {(p.name, d.key): (p, d) for p, d in self._spelled.get(key, [])}
        if len(found) > 1:  # 绍兴供电公司: 绍兴市's, or the former 绍兴县's; the year decides
            found = {k: (p, d) for k, (p, d) in found.items() if p.valid_in(year)}
        return next(iter(found.values())) if len(found) == 1 else None

    def _readings(
        self, key: str, year: int, place: Jurisdiction | None
    ) -> Iterator[tuple[Jurisdiction, bool, str]]:
        """(place meant, whether by rule, the rest) for each way the name may start."""
        for prefix, rest in (("", key), (key[:1], key[1:])):
            meant = self.places.meant(prefix, place) if prefix in ("", *_PREFIXES) else None
            if meant:
                yield meant[0], meant[1], rest
        for end in range(min(len(key) - 1, self.places.longest), 1, -1):  # 长兴县财政局, 海曙…
            named = self.places.named(key[:end], year)
            if named:
                yield named, False, key[end:]

    def _department(self, place: Jurisdiction, department: Department, by: str) -> Resolution:
        """The place's unit for a department: its units.csv row if it has one."""
        key = (place.name, department.key)
        canonical = self._linked.get(key)
        if canonical:
            return Resolution(self.units[canonical], by)
        if key not in self._made:
            made = self._made[key] = department.unit(place, self.places)
            self._made_names[made.canonical] = made
        return Resolution(self._made[key], by)

    def _from_patterns(
        self, key: str, jurisdiction: str, place: Jurisdiction | None
    ) -> Resolution | None:
        shown = display_name(key)
        if _matches(self._patterns.get(COLLECTIVE), key):
            return Resolution(Unit(shown, shown, COLLECTIVE, jurisdiction, ()), PATTERN)
        if _matches(self._patterns.get(TOWNSHIP), key):
            # Towns repeat across the province (城关镇): the county's name keeps them apart.
            canonical = (place.name if place and place.tier == "county" else "") + shown
            return Resolution(Unit(canonical, canonical, TOWNSHIP, jurisdiction, ()), PATTERN)
        return None


def _matches(pattern: re.Pattern[str] | None, key: str) -> bool:
    return bool(pattern and pattern.fullmatch(key))


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


def _year(value: str) -> int | None:
    return int(value) if value.strip() else None


def load_registry(
    units_csv: Path = UNITS_CSV,
    history_csv: Path = HISTORY_CSV,
    *,
    departments_csv: Path = DEPARTMENTS_CSV,
    patterns_csv: Path = PATTERNS_CSV,
    jurisdictions_csv: Path = JURISDICTIONS_CSV,
) -> Registry:
    """The registry as the files are now; a long-running process sees a data officer's edits."""
    files = (units_csv, history_csv, jurisdictions_csv, departments_csv, patterns_csv)
    return _load(files, tuple(_modified(p) for p in files))


def _modified(path: Path) -> int:
    """The file's modification time, 0 for a file that is not there (one system call)."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


@cache
def _load(files: tuple[Path, ...], stamp: tuple[float, ...]) -> Registry:
    """Read the registry's CSV files (a data officer edits them; no code change needed)."""
    units_csv, history_csv, jurisdictions_csv, departments_csv, patterns_csv = files
    registry = Registry(units={}, stamp=stamp, places=load_places(jurisdictions_csv))
    history = _rows(history_csv)
    _read_units(registry, _rows(units_csv), history)
    _read_history(registry, history, history_csv.name, units_csv.name)
    _read_departments(registry, _rows(departments_csv), departments_csv.name)
    _link(registry, units_csv.name)
    _read_patterns(registry, _rows(patterns_csv), patterns_csv.name)
    return registry


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _read_units(
    registry: Registry, rows: list[dict[str, str]], history: list[dict[str, str]]
) -> None:
    former: dict[str, list[str]] = {}
    for row in history:
        former.setdefault(row["canonical"].strip(), []).append(row["former_name"].strip())
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
            registry._add(name, _Name(canonical, relative=_relative(name, unit)))
        for name in unit.local_aliases:
            registry._add(name, _Name(canonical, only_in=unit.jurisdiction))


def _relative(name: str, unit: Unit) -> str | None:
    """The prefix of a name that means its unit only where the prefix means the unit's place:
    市 of 市财政局. Catch-alls (各镇（街道）) and names that state a place are not relative."""
    key = name_key(name)
    return key[0] if key[:1] in _PREFIXES and unit.kind != _GROUP else None


def _read_history(
    registry: Registry, rows: list[dict[str, str]], history_name: str, units_name: str
) -> None:
    for line, row in enumerate(rows, start=2):
        canonical = row["canonical"].strip()
        if canonical not in registry.units:
            raise ValueError(
                f"{history_name} line {line}: {canonical!r} is not a unit of {units_name}; "
                "add the unit first or correct the name"
            )
        name = row["former_name"].strip()
        relative = _relative(name, registry.units[canonical])
        entry = _Name(canonical, _year(row["valid_from"]), _year(row["valid_to"]), None, relative)
        registry._add(name, entry)


def _read_departments(registry: Registry, rows: list[dict[str, str]], file: str) -> None:
    templated: list[tuple[str, Department]] = []
    for line, row in enumerate(rows, start=2):
        department = _department_row(row, f"{file} line {line}")
        names = [(n, None) for n in (department.name, *department.aliases)]
        for name, valid_to in [*names, *department.former]:
            if "{" in name:  # a place's own form: written out for every place below
                templated.append((name, department))
                continue
            tiers = registry._forms.setdefault(name_key(name), {})
            known = tiers.setdefault(department.tier, _Form(department, valid_to)).department
            if known.key != department.key:
                raise ValueError(
                    f"{file} line {line}: {name!r} already names {known.key} at the "
                    f"{department.tier} tier; a name may mean one department per tier"
                )
        templated.append((department.full_name, department))
    for place in registry.places.by_name.values():
        for template, department in templated:
            if department.tier == place.tier:
                spelled = name_key(_filled(template, place, registry.places, file))
                registry._spelled.setdefault(spelled, []).append((place, department))


def _department_row(row: dict[str, str], where: str) -> Department:
    tier = row["level"].strip()
    if tier not in _TIERS:
        raise ValueError(f"{where}: level {tier!r} is not one of {', '.join(_TIERS)}")
    if not row["name"].strip() or not row["kind"].strip():
        raise ValueError(f"{where}: name and kind must not be empty")
    return Department(
        key=row["department"].strip(),
        tier=tier,
        name=row["name"].strip(),
        full_name=row["full_name"].strip(),
        kind=row["kind"].strip(),
        aliases=_split_list(row.get("aliases") or ""),
        former=tuple(_former(f, where) for f in _split_list(row.get("former_names") or "")),
    )


def _former(entry: str, where: str) -> tuple[str, int]:
    """环保局:2018 -> ("环保局", 2018): a former name and the last year it was in use."""
    name, _, year = entry.rpartition(":")
    if not name or not year.strip().isdigit():
        raise ValueError(f"{where}: former name {entry!r} must be written name:last_year")
    return name.strip(), int(year)


def _filled(template: str, place: Jurisdiction, places: Places, file: str) -> str:
    try:
        return fill(template, place, places)
    except (KeyError, ValueError, IndexError) as error:
        raise ValueError(
            f"{file}: {template!r} has an unknown placeholder ({error}); use {{full}}, {{name}}, "
            "{short}, {city} or {city_short}"
        ) from error


def _link(registry: Registry, file: str) -> None:
    """Which units.csv row is a place's department, so a rule gives that row's canonical name:
    市财政局 (嘉兴市) is 嘉兴市's 财政, 平湖市发改局 is 平湖市's 发改."""
    for unit in registry.units.values():
        place = registry.places.get(unit.jurisdiction)
        if place is None:
            continue
        for name in {unit.canonical, unit.full_name, *unit.aliases, *unit.local_aliases}:
            for department in _departments_named(registry, name_key(name), place):
                linked = registry._linked.setdefault((place.name, department.key), unit.canonical)
                if linked != unit.canonical:
                    raise ValueError(
                        f"{file}: {linked!r} and {unit.canonical!r} are both {place.name}'s "
                        f"{department.key} ({name!r}); keep one row, or move the name to the other"
                    )


def _departments_named(registry: Registry, key: str, place: Jurisdiction) -> Iterator[Department]:
    """The departments a unit's name says it is, read as in a notice of its own place."""
    for spelled_place, department in registry._spelled.get(key, []):
        if spelled_place is place:
            yield department
    key = key.removeprefix("中共")
    starts = sorted((place.full_name, place.name, place.short, place.prefix), key=len)
    rest = next((key[len(s) :] for s in reversed(starts) if s and key.startswith(s)), key)
    form = registry._forms.get(rest, {}).get(place.tier)
    if form and form.valid_to is None:  # a unit's name today, not a former one
        yield form.department


def _read_patterns(registry: Registry, rows: list[dict[str, str]], file: str) -> None:
    found: dict[str, list[str]] = {meaning: [] for meaning in _MEANINGS}
    for line, row in enumerate(rows, start=2):
        meaning, pattern = row["means"].strip(), row["pattern"].strip()
        if meaning not in found or not pattern:
            raise ValueError(
                f"{file} line {line}: means must be one of {', '.join(_MEANINGS)} and the "
                f"pattern must not be empty (found {meaning!r}, {pattern!r})"
            )
        found[meaning].append(pattern)
    registry.etc_phrases = tuple(sorted(found.pop("etc"), key=len, reverse=True))
    for meaning, patterns in found.items():
        if patterns:
            glob = "|".join(_glob(p) for p in patterns)
            registry._patterns[meaning] = re.compile(f"(?:{glob})")


def _glob(pattern: str) -> str:
    """A pattern as a regular expression: * any text, ? one character, the rest as written."""
    parts = {"*": ".*", "?": "."}
    return "".join(parts.get(c, re.escape(c)) for c in name_key(pattern))
