"""Zhejiang's places (schemas/jurisdictions.csv) and the one a notice's issuer names."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

JURISDICTIONS_CSV = Path(__file__).resolve().parent.parent / "schemas" / "jurisdictions.csv"
LEVELS = ("province", "city", "district", "county", "county_city")
# A district, a county and a county-level city have the same departments (县级): a county's.
_TIER = {"province": "province", "city": "city"}
# How a place's own notices write it before a unit's name: 县财政局 in a county's.
_OWN_PREFIX = {"province": "省", "city": "市", "district": "区", "county": "县"}
# What an issuer writes after its place: 长兴县人民政府办公室, 宁波市海曙区人民政府.
_GOVERNMENT = ("人民政府", "政府")
# The old reading, kept for places the file does not list: the text before 人民政府.
_BEFORE_GOVERNMENT = re.compile(r"^(.+?[省市县区])(?:人民政府)")
_PROVINCE_GOVERNMENT = ("省政府", "省人民政府")
_HEAD = 40  # paragraphs searched for a signature when neither issuer nor title names the place


@dataclass(frozen=True)
class Jurisdiction:
    name: str  # 海曙区: what canonical unit names start with
    full_name: str  # 宁波市海曙区: what official names start with
    level: str  # one of LEVELS
    parent: str  # the city of a county-level place, the province of a city
    short: str  # 海曙: written before some names (海曙自然资源规划分局)
    valid_from: int | None = None
    valid_to: int | None = None

    @property
    def tier(self) -> str:
        """province, city or county: which row of departments.csv this place's units follow."""
        return _TIER.get(self.level, "county")

    @property
    def prefix(self) -> str:
        """省, 市, 县 or 区: this place in its own notices (a county-level city writes 市)."""
        return _OWN_PREFIX.get(self.level, "市")

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or year >= self.valid_from) and (
            self.valid_to is None or year <= self.valid_to
        )


@dataclass
class Places:
    by_name: dict[str, Jurisdiction]
    _written: dict[str, list[Jurisdiction]] = field(default_factory=dict)
    longest: int = 0  # the longest written name, so a reader need not try longer prefixes
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def get(self, name: str) -> Jurisdiction | None:
        return self.by_name.get(name)

    def named(self, text: str, year: int) -> Jurisdiction | None:
        """The place a written name means (长兴县, 宁波市海曙区, 海曙); a short name by year."""
        found = self._written.get(text, [])
        if len(found) > 1:  # 富阳 was 富阳市, then 富阳区: the year decides
            found = [p for p in found if p.valid_in(year)]
        return found[0] if len(found) == 1 else None

    def meant(self, prefix: str, place: Jurisdiction | None) -> tuple[Jurisdiction, bool] | None:
        """The place a prefix (省 市 县 区, or none) means in a notice of `place`, and whether
        that is a reading by rule: 市 in a district or county notice most likely means its city.
        """
        if place is not None and prefix in ("", place.prefix):
            return place, False
        if prefix == "省":
            province = self.province()
            return (province, False) if province else None
        if place and prefix == "市" and place.tier == "county" and place.parent in self.by_name:
            return self.by_name[place.parent], True  # 市 in a district's or county's notice
        return None

    def province(self) -> Jurisdiction | None:
        return next((p for p in self.by_name.values() if p.level == "province"), None)

    def governing(self, text: str, *, at_start: bool = False) -> Jurisdiction | None:
        """The first place in a text that is followed by its government: 长兴县人民政府办公室,
        《湖州市人民政府办公室关于…》 (a place named otherwise, 涉及我市 of 浙江省…, is not)."""
        pattern = self._pattern(f"(?={'|'.join(_GOVERNMENT)})")
        found = pattern.match(text) if at_start else pattern.search(text)
        return self._written[found.group(1)][0] if found else None

    def opening(self, text: str) -> Jurisdiction | None:
        """The place a title starts with: 台州市2006年政府工作报告目标任务责任分解."""
        found = self._pattern("").match(text)
        return self._written[found.group(1)][0] if found else None

    def _pattern(self, after: str) -> re.Pattern[str]:
        """Any place's name or full name (the longest first: 杭州市拱墅区 before 杭州市)."""
        if after not in self._patterns:
            names = {n for p in self.by_name.values() for n in (p.name, p.full_name)}
            alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            self._patterns[after] = re.compile(f"({alternatives or '(?!)'}){after}")
        return self._patterns[after]


def load_places(path: Path = JURISDICTIONS_CSV) -> Places:
    """The places as the file is now; an edit is seen by a long-running process."""
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = 0
    return _load(path, stamp)


@cache
def _load(path: Path, stamp: int) -> Places:
    places = Places({})
    if not path.exists():
        return places
    with path.open(encoding="utf-8-sig", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            place = _place(row, f"{path.name} line {line}")
            if place.name in places.by_name:
                raise ValueError(f"{path.name} line {line}: {place.name!r} is listed twice")
            places.by_name[place.name] = place
            for written in {place.name, place.full_name, place.short} - {""}:
                places._written.setdefault(written, []).append(place)
                places.longest = max(places.longest, len(written))
    return places


def _place(row: dict[str, str], where: str) -> Jurisdiction:
    level = row["level"].strip()
    if level not in LEVELS:
        raise ValueError(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    return Jurisdiction(
        name=row["name"].strip(),
        full_name=row["full_name"].strip() or row["name"].strip(),
        level=level,
        parent=row["parent"].strip(),
        short=row["short"].strip(),
        valid_from=int(row["valid_from"]) if row["valid_from"].strip() else None,
        valid_to=int(row["valid_to"]) if row["valid_to"].strip() else None,
    )


def jurisdiction_of(issuer: str, title: str, paragraphs: Sequence[str] = ()) -> str:
    """The notice's jurisdiction as jurisdictions.csv names it: the place whose government the
    issuer or title names (杭州市拱墅区人民政府办公室 gives 拱墅区), the place a title starts with,
    or a paragraph near the top that starts with a government (a signature, a breadcrumb). For a
    place the file does not list, the issuer's text before 人民政府, as before."""
    places = load_places()
    found = places.governing(issuer) or places.governing(title) or places.opening(title)
    if found is None and any(t.startswith(_PROVINCE_GOVERNMENT) for t in (issuer, title)):
        found = places.province()  # 省政府印发…: the registry's places are one province's
    for paragraph in paragraphs[:_HEAD] if found is None else ():
        found = places.governing(paragraph.strip(), at_start=True)
        if found:
            break
    if found:
        return found.name
    before = _BEFORE_GOVERNMENT.match(issuer)
    return before.group(1) if before else issuer
