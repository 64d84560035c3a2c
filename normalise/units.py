"""Responsible-unit cells into unit mentions: split, strip markers, resolve, decide the leads.

Which units lead, strongest evidence first (the one place this is decided; UnitMention.lead_by
says which applied):

1. `marker`: a mark written in a cell: ★ ☆ * ＊ ▲ △ before or after a name, （牵头） after it,
   `X、Y分别牵头`, `X、Y牵头，Z`. Only the marked units lead, in a 牵头单位 column too.
2. `column`: a separate 牵头单位 column or field: all its units lead (with_lead_column).
3. `rule`: the notice's stated rule (列第一位的为牵头单位, given as `lead_rule` or written in the
   cell): the first listed unit leads.
4. `first_listed`: otherwise the first listed unit leads, by the notices' convention.

A unit marked 配合 (参与, 协助, 协同) never leads by position. How each unit's name was read is
UnitMention.resolved_by (see normalise.registry): nothing is guessed without saying so.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from normalise.registry import Registry, Resolution, load_registry, name_key
from recognise.notice import states_lead_rule

MARKER, COLUMN, RULE, FIRST_LISTED = "marker", "column", "rule", "first_listed"
UNKNOWN = "unknown"

_SEPARATORS = "、，,；;\n\t"
_SEPARATOR = re.compile(f"[{_SEPARATORS}]")
_CONNECTORS = {"和", "及", "与", "以及"}  # X和Y分别牵头: connectors between names, not names
_OPEN, _CLOSE = "（(", "）)"
_MARKERS = "★☆*＊▲△"
_TRAILING = "。."
_ETC = "等"  # every 等-phrase of unit_patterns.csv is read as this before the list is split
_SUPPORT_SUFFIXES = ("配合", "参与", "协助", "协同", "參與", "協助", "協同")
_CAPACITY = re.compile(r"^(?P<unit>.+?)[（(](?P<capacity>[^（()）]+)[)）]$")
# 牵头 as a word of its own (X、Y分别牵头，Z): followed by a separator or the end, so a unit named
# 市重点工作牵头办 is not split.
_LEADS_PHRASE = re.compile(
    r"^(?P<leads>.+?)(?:分别|分別)?(?:牵头|牽頭)(?:[，,、；;](?P<rest>.*))?$", re.S
)
_CLAUSE = re.compile(r"[，；;]")
_LEAD_NOTE = re.compile(r"[（(](?:牵头|牽頭)[)）]$")  # traditional forms too (牽頭)
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
# 和 / 及 / 与 right after a unit's last character joins two units (经济投资局和航空口岸局);
# after any other character it is part of a name (发展和改革局, 自然资源和规划局).
_JOINED = re.compile(r"(?<=[局委办部厅院会室处心司团镇乡道府队站社所联])(?:以及|和|及|与)")
# A notice repeats its unit cells (市发展改革委 on dozens of tasks): a cell is read once per
# registry, which is all its reading depends on. Keyed by the registry's id and holding the
# registry, so an id used again by another registry is never mistaken for it. Bounded.
_READ: dict[tuple[int, str, int, str, bool], tuple[Registry, tuple[UnitMention, ...]]] = {}
_READ_SIZE = 20_000


@dataclass(frozen=True)
class UnitMention:
    position: int
    unit: str  # canonical name, or the name as written when nothing knows it
    unit_raw: str  # the piece of the cell, markers and brackets included
    unit_written: str  # the name as written: no marker, capacity or 等 (what a reviewer looks up)
    capacity: str | None
    role: str  # "lead" or "co"
    known: bool
    kind: str | None  # the unit's kind (collective, township, a units.csv kind); None if unknown
    jurisdiction: str | None  # the unit's place (长兴县); a collective's is the notice's
    resolved_by: str  # registry, jurisdiction, parent, pattern or unknown
    lead_by: str | None  # marker, column, rule or first_listed for a lead; None for "co"
    etc: bool  # the cell writes 等 (等部门、单位 …) after this unit: it names only some units


@dataclass(frozen=True)
class _Draft:
    """A unit as read from its piece, before the leads are decided."""

    found: Resolution | None
    name: str  # as written (without markers or capacity)
    unit_raw: str
    capacity: str | None
    mark: str  # "lead", "support" or ""
    etc: bool


def split_units(raw: str, *, registry: Registry | None = None) -> list[str]:
    """Split a unit list at separators outside brackets: 各县（市、区）政府 stays whole; a 等 or
    等部门、单位 after a name is dropped (read_units notes it as UnitMention.etc)."""
    registry = registry if registry is not None else load_registry()
    return [piece for piece, _ in _split_marked(raw, registry.etc_phrases)]


def read_units(
    raw: str,
    year: int,
    jurisdiction: str,
    *,
    lead_rule: str | None = None,
    registry: Registry | None = None,
) -> list[UnitMention]:
    """All units of a cell, in order, with their capacities and lead roles. `lead_rule`: the
    notice's stated lead rule, if any (the module's docstring gives the lead precedence).
    `registry`: the registry to read with; the files as they are now by default (a caller
    reading many cells of one notice may load it once and pass it)."""
    registry = registry if registry is not None else load_registry()
    key = (id(registry), raw, year, jurisdiction, bool(lead_rule))
    found = _READ.get(key)
    if found is None or found[0] is not registry:
        if len(_READ) >= _READ_SIZE:
            _READ.clear()
        mentions = tuple(_read_units(raw, year, jurisdiction, bool(lead_rule), registry))
        found = _READ[key] = (registry, mentions)
    return list(found[1])


def _read_units(
    raw: str, year: int, jurisdiction: str, by_rule: bool, registry: Registry
) -> list[UnitMention]:
    text, rule_in_cell = _without_rule_notes(raw)
    drafts = [
        draft
        for piece, in_lead_phrase, etc in _written(text, registry.etc_phrases)
        for draft in _drafts(piece, in_lead_phrase, etc, registry, year, jurisdiction)
    ]
    return _decide_leads(_once(drafts), RULE if by_rule or rule_in_cell else FIRST_LISTED)


def with_lead_column(leads: list[UnitMention], units: list[UnitMention]) -> list[UnitMention]:
    """A task's units when a 牵头单位 column names its leads: the column's units, then the
    others of 责任单位 (a unit listed in both is listed once). The column's units lead unless a
    marker in either cell names the leads; a blank column leaves the units' own leads."""
    if not leads:
        return [replace(m, position=i) for i, m in enumerate(units)]
    seen = {m.unit for m in leads}
    merged = [*leads, *(m for m in units if m.unit not in seen)]
    marked = {m.unit for m in (*leads, *units) if m.lead_by == MARKER}
    return [
        replace(m, position=i, role="lead" if by else "co", lead_by=by)
        for i, m in enumerate(merged)
        for by in [_column_lead(m, i < len(leads), marked)]
    ]


def _column_lead(mention: UnitMention, in_column: bool, marked: set[str]) -> str | None:
    if marked:
        return MARKER if mention.unit in marked else None
    return COLUMN if in_column else None


def _split_marked(raw: str, etc_phrases: tuple[str, ...]) -> list[tuple[str, bool]]:
    """(piece, whether a 等-phrase followed it) for each piece between separators."""
    if not raw:
        return []
    # 等部门、单位 and the other 等-phrases as a bare 等, so the 、 inside is not a separator.
    text = _etc_pattern(etc_phrases).sub(_ETC, raw)
    bracketed = any(b in text for b in _OPEN + _CLOSE)
    pieces = _split_outside_brackets(text) if bracketed else _SEPARATOR.split(text)
    found = [p.strip().rstrip(_TRAILING) for p in pieces]
    return [(p.rstrip(_ETC).strip(), p.endswith(_ETC)) for p in found if p.rstrip(_ETC).strip()]


def _split_outside_brackets(text: str) -> list[str]:
    """Pieces between separators that stand outside brackets (an unbalanced closing bracket
    does not open a level below the cell's)."""
    pieces: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += (char in _OPEN) - (char in _CLOSE)
        if char in _SEPARATORS and depth <= 0:
            pieces.append("".join(current))
            current, depth = [], 0
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


@lru_cache(maxsize=4)
def _etc_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    brackets = {"（": "[（(]", "(": "[（(]", "）": "[）)]", ")": "[）)]"}
    loose = ["".join(brackets.get(c, re.escape(c)) for c in p) for p in phrases]
    ends = re.escape(_SEPARATORS + _TRAILING)
    return re.compile(f"(?:{'|'.join(loose) or '(?!)'})(?=[{ends}]|\\s*$)")


def _written(text: str, etc_phrases: tuple[str, ...]) -> list[tuple[str, bool, bool]]:
    """(piece, in a 牵头 phrase, followed by 等) for each piece of the cell, in order."""
    before, leads, rest = _split_lead_phrase(text)
    parts = ((before, False), (leads, True), (rest, False))
    return [
        (p, in_phrase, etc)
        for part, in_phrase in parts
        for p, etc in _split_marked(part, etc_phrases)
    ]


def _drafts(
    piece: str, in_lead_phrase: bool, etc: bool, registry: Registry, year: int, jurisdiction: str
) -> list[_Draft]:
    mark, name = _strip_marker(piece)
    mark = mark or ("lead" if in_lead_phrase else "")
    found = _resolve_piece(name, registry, year, jurisdiction)
    last = len(found) - 1
    return [
        _Draft(unit, written, piece, capacity, mark, etc and i == last)
        for i, (unit, written, capacity) in enumerate(found)
    ]


def _once(drafts: list[_Draft]) -> list[_Draft]:
    """A name written twice in a cell is one unit, where it is first listed; a mark or a 等 on
    the repetition stays with it. Two names of one canonical unit stay two: former bodies that
    a reform merged (国土资源局, 规划局) were two units in their day."""
    kept: dict[str, _Draft] = {}
    for draft in drafts:
        first = kept.setdefault(name_key(draft.name), draft)
        if first is not draft:
            mark = "lead" if "lead" in (first.mark, draft.mark) else first.mark
            capacity = first.capacity or draft.capacity
            kept[name_key(draft.name)] = replace(
                first, mark=mark, etc=first.etc or draft.etc, capacity=capacity
            )
    return list(kept.values())


def _decide_leads(drafts: list[_Draft], by_position: str) -> list[UnitMention]:
    """Marked units lead; with no mark, the first listed (by the stated rule or convention)."""
    marked = {i for i, d in enumerate(drafts) if d.mark == "lead"}
    leads, why = (marked, MARKER) if marked else (_first_listed(drafts), by_position)
    return [_mention(i, d, why if i in leads else None) for i, d in enumerate(drafts)]


def _first_listed(drafts: list[_Draft]) -> set[int]:
    """The first listed unit (one marked 配合 cannot lead by position)."""
    return next(({i} for i, d in enumerate(drafts) if d.mark != "support"), set())


def _mention(position: int, draft: _Draft, lead_by: str | None) -> UnitMention:
    found = draft.found
    return UnitMention(
        position=position,
        unit=found.unit.canonical if found else draft.name,
        unit_raw=draft.unit_raw,
        unit_written=draft.name,
        capacity=draft.capacity,
        role="lead" if lead_by else "co",
        known=found is not None,
        kind=found.unit.kind if found else None,
        jurisdiction=(found.unit.jurisdiction or None) if found else None,
        resolved_by=found.by if found else UNKNOWN,
        lead_by=lead_by,
        etc=draft.etc,
    )


def _without_rule_notes(raw: str) -> tuple[str, bool]:
    """The cell without a bracketed footnote such as （首位单位为牵头单位，下同）, and whether it
    had one (the notice states its lead rule there)."""
    found: list[str] = []

    def drop(note: re.Match[str]) -> str:
        if states_lead_rule(note.group(0)):
            found.append(note.group(0))
            return ""
        return note.group(0)

    return _BRACKETED.sub(drop, raw), bool(found)


def _split_lead_phrase(raw: str) -> tuple[str, str, str]:
    """`X、Y分别牵头` and `X、Y牵头，Z` name their leads in words; others lead by position.

    In `Z配合，X牵头` only the clause right before 牵头 leads; earlier clauses are the others.
    """
    found = _LEADS_PHRASE.match(raw.strip())
    if not found or "牵头单位" in raw or "牽頭單位" in raw:
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


_Found = tuple[Resolution | None, str, str | None]  # (unit, name as written, capacity)


def _resolve_piece(name: str, registry: Registry, year: int, jurisdiction: str) -> list[_Found]:
    """One written piece into its units; text that nothing knows is kept whole, as written."""
    if len(name.split()) > 1:  # 市人力社保局 市财政局: a space that separates names
        spaced = [_resolve_piece(p, registry, year, jurisdiction) for p in name.split()]
        if all(unit for found in spaced for unit, _, _ in found):
            return [triple for found in spaced for triple in found]
    whole = registry.lookup(name, year, jurisdiction)
    if whole:
        return [(whole, name, None)]
    bracketed = _CAPACITY.match(name)
    if bracketed:
        written = bracketed["unit"].strip()
        unit = registry.lookup(written, year, jurisdiction)
        if unit:
            return [(unit, written, bracketed["capacity"].strip())]
    joined = [p for p in _JOINED.split(name) if p.strip()]
    if len(joined) > 1:  # units that nothing knows stay as written, one by one
        return [t for part in joined for t in _resolve_piece(part, registry, year, jurisdiction)]
    words = _segment(name, registry)
    run_together = [registry.lookup(w, year, jurisdiction) for w in words]
    if len(run_together) > 1 and all(run_together):
        return [(unit, w, None) for unit, w in zip(run_together, words, strict=True)]
    return [(None, name, None)]


def _segment(name: str, registry: Registry) -> list[str]:
    words = _tokenizer(registry.stamp).cut(name, HMM=False)
    return [w for w in words if w.strip() and w not in _CONNECTORS]


@lru_cache(maxsize=2)
def _tokenizer(stamp: tuple[float, ...]):  # type: ignore[no-untyped-def]
    """A private jieba tokenizer whose dictionary is the registry's words and nothing else:
    built once per registry version. Its folder (the dictionary and jieba's cache) goes when the
    process ends: the tokenizer lives as long as the process."""
    import atexit
    import logging
    import shutil

    import jieba

    jieba.setLogLevel(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="notices-jieba-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    dictionary = folder / "units.dict"
    words = sorted(load_registry().words())
    dictionary.write_text("".join(f"{w} 1000\n" for w in words), encoding="utf-8")
    tokenizer = jieba.Tokenizer(dictionary=str(dictionary))
    tokenizer.tmp_dir = str(folder)
    return tokenizer
