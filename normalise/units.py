"""Responsible-unit cells into unit mentions: split, strip markers, resolve, decide the leads."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from normalise.registry import Registry, load_registry
from recognise.notice import states_lead_rule

_SEPARATORS = set("、，,；;\n\t")
_CONNECTORS = {"和", "及", "与", "以及"}  # X和Y分别牵头: connectors between names, not names
_OPEN, _CLOSE = "（(", "）)"
_MARKERS = "★☆*＊▲△"
_TRAILING = "。.等"
_SUPPORT_SUFFIXES = ("配合", "参与", "协助", "协同")
_CAPACITY = re.compile(r"^(?P<unit>.+?)[（(](?P<capacity>[^（()）]+)[)）]$")
# 牵头 as a word of its own (X、Y分别牵头，Z): followed by a separator or the end, so a unit named
# 市重点工作牵头办 is not split.
_LEADS_PHRASE = re.compile(r"^(?P<leads>.+?)(?:分别)?牵头(?:[，,、；;](?P<rest>.*))?$", re.S)
_CLAUSE = re.compile(r"[，；;]")
_LEAD_NOTE = re.compile(r"[（(]牵头[)）]$")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")


@dataclass(frozen=True)
class UnitMention:
    position: int
    unit: str  # canonical name, or the name as written when the registry does not know it
    unit_raw: str
    capacity: str | None
    role: str  # "lead" or "co"
    known: bool


def split_units(raw: str) -> list[str]:
    """Split a unit list at separators outside brackets: 各县（市、区）政府 stays whole."""
    pieces, current, depth = [], [], 0
    for char in raw:
        depth += (char in _OPEN) - (char in _CLOSE)
        if char in _SEPARATORS and depth <= 0:
            pieces.append("".join(current))
            current, depth = [], 0
        else:
            current.append(char)
    pieces.append("".join(current))
    return [p.strip().rstrip(_TRAILING) for p in pieces if p.strip().rstrip(_TRAILING)]


def read_units(raw: str, year: int, jurisdiction: str) -> list[UnitMention]:
    """All units of a cell, in order, with their capacities and lead roles."""
    registry = load_registry()
    before, leads_text, rest = _split_lead_phrase(_without_rule_notes(raw))
    written = [(p, False) for p in split_units(before)]
    written += [(p, True) for p in split_units(leads_text)]
    written += [(p, False) for p in split_units(rest)]
    mentions: list[tuple[str, str, str | None, bool, str]] = []  # role: lead, support or ""
    for piece, in_lead_phrase in written:
        role, name = _strip_marker(piece)
        role = role or ("lead" if in_lead_phrase else "")
        for unit, capacity, known in _resolve_piece(name, registry, year, jurisdiction):
            mentions.append((unit, piece, capacity, known, role))
    leads = {i for i, m in enumerate(mentions) if m[4] == "lead"} or _first_listed(mentions)
    return [
        UnitMention(i, unit, unit_raw, capacity, "lead" if i in leads else "co", known)
        for i, (unit, unit_raw, capacity, known, _) in enumerate(mentions)
    ]


def _first_listed(mentions: list[tuple[str, str, str | None, bool, str]]) -> set[int]:
    """The notices' rule: the first listed unit leads (one marked 配合 cannot)."""
    return next(({i} for i, m in enumerate(mentions) if m[4] != "support"), set())


def with_lead_column(leads: list[UnitMention], units: list[UnitMention]) -> list[UnitMention]:
    """A 牵头单位 column names the leads; 责任单位 adds the others (a unit is listed once)."""
    seen = {m.unit for m in leads}
    merged = [*leads, *(m for m in units if m.unit not in seen)]
    return [
        UnitMention(i, m.unit, m.unit_raw, m.capacity, "lead" if i < len(leads) else "co", m.known)
        for i, m in enumerate(merged)
    ]


def _without_rule_notes(raw: str) -> str:
    """Drop a bracketed footnote such as （首位单位为牵头单位，下同） written inside a unit list."""
    return _BRACKETED.sub(lambda m: "" if states_lead_rule(m.group(0)) else m.group(0), raw)


def _split_lead_phrase(raw: str) -> tuple[str, str, str]:
    """`X、Y分别牵头` and `X、Y牵头，Z` name their leads in words; others lead by position.

    In `Z配合，X牵头` only the clause right before 牵头 leads; earlier clauses are the others.
    """
    found = _LEADS_PHRASE.match(raw.strip())
    if not found or "牵头单位" in raw:
        return "", "", raw
    *before, leads = _CLAUSE.split(found.group("leads"))
    return "、".join(before), leads, found.group("rest") or ""


def _strip_marker(piece: str) -> tuple[str, str]:
    """('lead' | 'support' | '', name): ★ * ▲ or （牵头） mark a lead; 配合, 参与 … a supporter."""
    name = _LEAD_NOTE.sub("", piece.strip(_MARKERS).strip())
    if name != piece.strip():
        return "lead", name
    for suffix in _SUPPORT_SUFFIXES:
        if name.endswith(suffix):
            return "support", name.removesuffix(suffix)
    return "", name


def _resolve_piece(
    name: str, registry: Registry, year: int, jurisdiction: str
) -> list[tuple[str, str | None, bool]]:
    """One written piece into (unit, capacity, known) triples; unknown text is kept whole."""
    canonical = registry.resolve(name, year, jurisdiction)
    if canonical:
        return [(canonical, None, True)]
    if len(name.split()) > 1:  # 市人力社保局 市财政局: a space that separates names
        spaced = [_resolve_piece(p, registry, year, jurisdiction) for p in name.split()]
        if all(known for found in spaced for _, _, known in found):
            return [triple for found in spaced for triple in found]
    bracketed = _CAPACITY.match(name)
    if bracketed:
        unit = registry.resolve(bracketed["unit"].strip(), year, jurisdiction)
        if unit:
            return [(unit, bracketed["capacity"].strip(), True)]
    run_together = [registry.resolve(w, year, jurisdiction) for w in _segment(name)]
    if len(run_together) > 1 and all(run_together):
        return [(unit, None, True) for unit in run_together if unit]
    return [(name, None, False)]


def _segment(name: str) -> list[str]:
    words = _tokenizer(load_registry().stamp).cut(name, HMM=False)
    return [w for w in words if w.strip() and w not in _CONNECTORS]


@lru_cache(maxsize=2)
def _tokenizer(stamp: tuple[float, ...]):  # type: ignore[no-untyped-def]
    """A private jieba tokenizer whose dictionary is the registry's names and nothing else."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="notices-jieba-"))
    dictionary = folder / "units.dict"
    names = sorted(load_registry().names())
    dictionary.write_text("".join(f"{n} 1000\n" for n in names), encoding="utf-8")
    tokenizer = jieba.Tokenizer(dictionary=str(dictionary))
    tokenizer.tmp_dir = str(folder)
    return tokenizer
