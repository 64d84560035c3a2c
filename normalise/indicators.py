"""Measurable targets inside a task's text or a project's name: one indicator per value.

`地区生产总值增长6%左右` is one target (metric 地区生产总值, change 增长, 6 %, about);
`新增国家高新技术企业500家、省科技型中小企业1200家` is two, the second carrying 新增 over.
A number is a target only with a unit of measure after it, so years, dates, ages and grades
(2024年, 6月底, 60岁, 3A级) never are; names are left alone by the letter beside the number
(G60, 5G, PM2.5) or the quotes around it (“6+1”); a bound followed by the noun it qualifies is a
condition (产值10亿元以上腰部企业). The words are data: `indicators.toml`.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from itertools import islice
from pathlib import Path

VOCABULARY_TOML = Path(__file__).with_name("indicators.toml")
BOUNDS = ("exact", "about", "at_least", "at_most", "range")

Row = dict[str, object]

_NUMBER = r"\d{1,12}(?:\.\d{1,6})?"  # bounded: a long run of digits cannot backtrack for long
_QUOTED = re.compile(r"“[^”]{0,80}”|《[^》]{0,80}》|「[^」]{0,80}」|\"[^\"]{0,80}\"|‘[^’]{0,80}’")
_SENTENCE_END = re.compile(r"[。；！？\n]")
# A clause ends at a comma or colon, or at a space between two words (cells run together).
_CLAUSE_END = re.compile(r"[，：]|(?<=[\u4e00-\u9fff”）])[ \t\u3000]{1,8}(?=[\u4e00-\u9fff“（])")
_ENUMERATOR = re.compile(r"(?:[（][一二三四五六七八九十\d]{1,3}[）]|\d{1,3}[.、]|[①-⑳])\s{0,3}")
_NON_BLANK = re.compile(r"\S")
# The words before a value are read back this far at most: a metric is a few words (the longest
# in the corpora is about 100 characters), and a clause of values each reading back to its start
# (conditions, 产值10亿元以上企业…) would otherwise cost its length once per value.
_MAX_LEAD = 256
# What the edges of a lead are tested against: longer than any word of indicators.toml, an
# enumerator or a deadline (the patterns match ten characters at most), so the test reads the
# same as on the whole lead without copying it once per word taken off.
_WINDOW = 64
# Full-width forms, ASCII punctuation and dashes folded one character for one, so every offset
# in the folded text is the same offset in the text as written.
_FOLD = str.maketrans(
    "０１２３４５６７８９％．，,;:()～－!?",
    "0123456789%.，，；：（）~-！？",
)


@dataclass(frozen=True)
class Unit:
    base: str
    factor: Decimal
    kind: str


@dataclass(frozen=True)
class Vocabulary:
    changes: dict[str, str]  # word -> the bound it implies ("" for none)
    change_words: tuple[str, ...]  # longest first
    before: dict[str, str]
    before_words: tuple[str, ...]  # longest first
    after: dict[str, str]
    infix: dict[str, str]
    units: dict[str, Unit]
    magnitudes: dict[str, Decimal]
    clause: dict[str, tuple[str, ...]]
    not_before: tuple[str, ...]
    not_after: tuple[str, ...]
    policy_words: tuple[str, ...]
    quantity: re.Pattern[str]
    deadline: re.Pattern[str]
    change_word: re.Pattern[str]
    fold: dict[int, str]

    def words(self, name: str) -> tuple[str, ...]:
        return self.clause[name]


@cache
def vocabulary() -> Vocabulary:
    """indicators.toml, its word lists longest first and its patterns compiled once."""
    data = tomllib.loads(VOCABULARY_TOML.read_text(encoding="utf-8"))
    units = {w: Unit(b, Decimal(str(f)), k) for w, (b, f, k) in data["units"].items()}
    magnitudes = {w: Decimal(str(f)) for w, f in data["magnitudes"].items()}
    qualifiers = data["qualifiers"]
    pairs = "".join(data["fold"]["traditional"])
    fold = {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}
    fold.update(_FOLD)
    return Vocabulary(
        changes=data["changes"],
        change_words=_longest_first(data["changes"]),
        before=qualifiers["before"],
        before_words=_longest_first(qualifiers["before"]),
        after=qualifiers["after"],
        infix=qualifiers["infix"],
        units=units,
        magnitudes=magnitudes,
        clause={k: _longest_first(v) for k, v in data["clause"].items()},
        not_before=tuple(data["not_targets"]["before"]),
        not_after=tuple(data["not_targets"]["after"]),
        policy_words=tuple(data["not_targets"]["policy_words"]),
        quantity=_quantity_pattern(units, magnitudes, qualifiers),
        deadline=re.compile("|".join(f"(?:{p})" for p in data["deadlines"]["patterns"])),
        change_word=re.compile(_alternation(data["changes"])),
        fold=fold,
    )


def _longest_first(words: object) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


def _alternation(words: object) -> str:
    return "|".join(re.escape(w) for w in _longest_first(words))


def _quantity_pattern(
    units: dict[str, Unit], magnitudes: dict[str, Decimal], qualifiers: dict[str, dict[str, str]]
) -> re.Pattern[str]:
    """A number (or a range), a magnitude, a unit and a qualifier: 6%左右, 1100亿元以上, 6%—6.5%.
    No letter or digit may touch it: G60, 5G, PM2.5 and 3A级 are names, not values."""
    space = r"[ \u3000]{0,2}"
    return re.compile(
        rf"(?<![A-Za-z0-9.])(?P<num>{_NUMBER})"
        rf"(?:{space}%?{space}[-—–~至]{space}(?P<num2>{_NUMBER}))?{space}"
        rf"(?P<mag>{_alternation(magnitudes)})?(?P<infix>{_alternation(qualifiers['infix'])})?"
        rf"(?P<unit>{_alternation(units)})(?![A-Za-z0-9])"
        rf"(?P<after>{_alternation(qualifiers['after'])})?"
    )


@dataclass
class Indicator:
    """One target as read: what is measured, how it changes, the value and its bound."""

    position: int
    span: str
    span_start: int
    metric: str | None
    change: str | None
    value_text: str
    unit_text: str
    value: float | None
    base_value: float | None
    base_unit: str
    lower: float | None
    upper: float | None
    bound: str
    stretch: bool
    deadline: str | None
    carried: list[str]
    flags: list[str]

    @property
    def confidence(self) -> str:
        return "low" if self.flags else "high"


@dataclass
class _Lead:
    """The words before a value, back to the end of the value before it."""

    begin: int
    metric: tuple[int, int]  # offsets of the metric's words (empty when the value comes first)
    change: str | None = None
    change_first: bool = False  # 新增 A 500家: the change opens the item, so it carries over
    verb_last: bool = False  # …抓好 132 个项目: the change ends the words, the noun follows
    follow_on: bool = False  # the item opens with 、/和: it may share a verb or metric
    preposition: bool = False
    stretch: bool = False
    opens: bool = False
    bound: str = ""
    marker: str | None = None  # respectively (分别) or each (均)
    policy: bool = False


@dataclass
class _Item:
    match: re.Match[str]
    begin: int
    end: int
    metric: str
    change: str | None
    change_first: bool
    bound: str
    stretch: bool
    marker: str | None
    follow_on: bool
    carried: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    deadline: tuple[int, int] | None = None


def read_indicators(text: str) -> list[Indicator]:
    """Every target in a text, in order of its value."""
    vocab = vocabulary()
    folded = text.translate(vocab.fold)
    quoted = [m.span() for m in _QUOTED.finditer(folded)]
    items: list[_Item] = []
    for start, end in _pieces(folded, _SENTENCE_END, quoted, 0, len(folded)):
        deadlines = [m for m in vocab.deadline.finditer(folded, start, end) if not _in(m, quoted)]
        sentence: list[_Item] = []
        for clause in _pieces(folded, _CLAUSE_END, quoted, start, end):
            sentence += _read_clause(folded, clause, quoted, sentence)
        _note_deadlines(sentence, deadlines)
        items += sentence
    # Folding changed nothing (no traditional or full-width character): words are as written.
    written = None if folded == text else text
    return [_indicator(text, folded, written, i, item) for i, item in enumerate(items, 1)]


def _pieces(
    text: str, ends: re.Pattern[str], quoted: list[tuple[int, int]], start: int, stop: int
) -> list[tuple[int, int]]:
    """Spans between separators; a separator inside quotes (“稳开稳走,提质提效”) is not one."""
    pieces, begin = [], start
    for m in ends.finditer(text, start, stop):
        if not _in(m, quoted):
            pieces.append((begin, m.start()))
            begin = m.end()
    pieces.append((begin, stop))
    return [(a, b) for a, b in pieces if b > a]


def _in(match: re.Match[str], spans: list[tuple[int, int]]) -> bool:
    """Inside one of the spans (sorted, not overlapping): found by bisection, so a text full of
    quotes stays linear."""
    i = bisect.bisect_right(spans, (match.start(), len(match.string))) - 1
    return i >= 0 and spans[i][0] <= match.start() < spans[i][1]


def _read_clause(
    text: str, clause: tuple[int, int], quoted: list[tuple[int, int]], sentence: list[_Item]
) -> list[_Item]:
    """The targets of one clause; `sentence` holds the targets of the clauses before it."""
    vocab = vocabulary()
    start, stop = clause
    found = [m for m in vocab.quantity.finditer(text, start, stop) if _may_be_target(text, m)]
    found = [m for m in found if not _in(m, quoted)]
    items: list[_Item] = []
    cursor, stretch = start, False
    for i, match in enumerate(found):
        following = found[i + 1].start() if i + 1 < len(found) else stop
        lead = _lead(text, max(cursor, match.start() - _MAX_LEAD), match.start())
        if lead.policy:  # 落实…31条: the words of every later value hold the policy word too
            break
        stretch = stretch or lead.stretch
        item, cursor = _item(text, match, lead, following, cursor)
        if item is None:
            continue
        item.stretch = item.stretch or stretch
        _carry(item, lead, items, sentence)
        items.append(item)
    return _split_shared(items)


def _may_be_target(text: str, match: re.Match[str]) -> bool:
    """Not an ordinal (第48次, 前3位), nor a unit's character starting another word (3方面)."""
    vocab = vocabulary()
    before = text[max(0, match.start() - 1) : match.start()]
    after = text[match.start("unit") : match.start("unit") + 3]
    return before not in vocab.not_before and not any(after.startswith(w) for w in vocab.not_after)


def _item(
    text: str, match: re.Match[str], lead: _Lead, following: int, cursor: int
) -> tuple[_Item | None, int]:
    """The target a value makes with the words around it, or None; and where the next item's
    words begin."""
    unit = vocabulary().units[match.group("unit")]
    noun_end, after_change = _after(text, match.end(), following)
    noun = (match.end(), noun_end)
    metric = _text(text, lead.metric)
    item = _Item(
        match=match,
        begin=lead.begin,
        end=match.end(),
        metric=metric,
        change=after_change or lead.change,
        change_first=lead.change_first,
        bound=lead.bound,
        stretch=lead.stretch,
        marker=lead.marker,
        follow_on=lead.follow_on,
    )
    if noun_end == match.end():  # nothing follows the value: the metric came before it
        return item, match.end()
    if _is_condition(match, unit, metric):
        return None, cursor  # 5000万元以上项目100个: the next value's words include this one
    if lead.verb_last or (not metric and _acts(lead)):
        return _value_first(text, item, lead, noun), noun_end
    if unit.kind == "percent":
        item.flags.append("value_inside_phrase")
        return item, noun_end
    return None, match.start()  # 4个结构性指标均…: a counted subject opens the next item


def _acts(lead: _Lead) -> bool:
    """Words before a value that comes before its noun: 建成3个…, 为全市2万名…, 至少1个…;
    without them the value counts a subject (4个结构性指标均增长10%)."""
    return bool(lead.change or lead.preposition or lead.stretch or lead.bound or lead.follow_on)


def _is_condition(match: re.Match[str], unit: Unit, metric: str) -> bool:
    """35蒸吨以下燃煤锅炉, 产值10亿元以上腰部企业: the value describes the noun after it.
    A count with a bound may still come before its noun (建成60家以上示范性食品作坊)."""
    if unit.kind == "attribute":
        return True
    return bool(match.group("after")) and (unit.kind != "count" or bool(metric))


def _value_first(text: str, item: _Item, lead: _Lead, noun: tuple[int, int]) -> _Item:
    """建成3个未来社区: the noun after the value is the metric, up to a verb inside it
    (在1500个农村道路路口实施…: 实施 starts what is done there)."""
    start, end = noun
    verb = next(_verbs(text, start + 1, end), None)
    if verb is not None and verb.end() < end:
        if lead.change is None:
            item.change = verb.group()
        end = verb.start()
    item.metric = _clean(text[start:end])
    item.end = end
    item.change_first = True
    return item


def _after(text: str, start: int, stop: int) -> tuple[int, str | None]:
    """What follows a value up to the next item: the end of its noun (the value's offset when
    none follows), and a change word printed after it (实现10%以上增长)."""
    vocab = vocabulary()
    rest = text[start:stop]
    change = _change_at(rest)
    if change and not rest[len(change) :].strip():
        return start, change
    if _starts(rest.lstrip(), vocab.words("separators")):
        return start, None  # …达到80%、10月底前全部开工: what follows is another statement
    cut = len(rest)
    if stop < len(text) and _is_value_start(text, stop):
        cut = min((rest.find(s) for s in vocab.words("separators") if s in rest), default=cut)
    noun = rest[:cut]
    return (start + len(noun.rstrip()), None) if noun.strip() else (start, None)


def _is_value_start(text: str, offset: int) -> bool:
    return text[offset : offset + 1].isdigit()


def _lead(text: str, start: int, stop: int) -> _Lead:
    """The words before a value: separator, prefixes, change word, metric, qualifiers."""
    vocab = vocabulary()
    a, b = _strip(text, start, stop)
    lead = _Lead(begin=a, metric=(a, a))
    separator = _starts(text, vocab.words("separators"), a, b)
    if separator:
        lead.follow_on = True
        a, b = _strip(text, a + len(separator), b)
        lead.begin = a
    lead.policy = any(w in text[a:b] for w in vocab.policy_words)
    a, b = _strip_edges(text, a, b, lead)
    before = _ends(text, vocab.before_words, a, b)
    if before:
        lead.bound, b = vocab.before[before], b - len(before)
    a, b = _change(text, a, b, lead)
    lead.metric = _without_deadline(text, *_strip(text, a, b))
    return lead


def _without_deadline(text: str, a: int, b: int) -> tuple[int, int]:
    """新建项目开工率一季度(达到): the deadline is not part of the metric."""
    trailing = [m for m in vocabulary().deadline.finditer(text, a, b) if m.end() == b]
    return _strip(text, a, trailing[0].start()) if trailing else (a, b)


def _strip_edges(text: str, a: int, b: int, lead: _Lead) -> tuple[int, int]:
    """Enumerators, deadlines, stretch words, prefixes and places off the edges of the words."""
    vocab = vocabulary()
    while True:
        a, b = _strip(text, a, b)
        words = text[a : min(b, a + _WINDOW)]
        enumerator = _ENUMERATOR.match(words)
        deadline = vocab.deadline.match(words)
        stretch = _starts(words, vocab.words("stretch"))
        prefix = _starts(words, vocab.words("prefixes"))
        place = _starts(words, vocab.words("places"))
        if enumerator or deadline:
            a += (enumerator or deadline).end()  # type: ignore[union-attr]
        elif stretch or prefix:
            word = stretch or prefix or ""
            lead.stretch = lead.stretch or bool(stretch)
            lead.opens = lead.opens or word in vocab.words("opens")
            a += len(word)
        elif place and _opens_change(text, a + len(place), b):
            a += len(place)
        else:
            break
    return _without_deadline(text, a, b)


def _opens_change(text: str, start: int, stop: int) -> bool:
    """全市 before 新增 is where; before 生产总值 it is part of the metric."""
    return _blank(text, start, stop) or bool(_change_at(text, start, stop))


def _change(text: str, a: int, b: int, lead: _Lead) -> tuple[int, int]:
    """Find the change word: after the metric (地区生产总值增长), before it (新增…), after a
    preposition's object (在公共场所新配置…) or after a subject (…新区完成…); the metric's
    offsets are what is left."""
    vocab = vocabulary()
    words = text[a:b]
    preposition = _starts(words, vocab.words("prepositions"))
    if preposition:
        lead.preposition = True
        return _after_object(text, a, b, len(preposition), lead)
    last = _chain_at_end(words)
    if last:
        lead.change, lead.verb_last = last, True
        b -= len(last)
        a += len(_starts(text, vocab.words("auxiliaries"), a, b) or "")
        lead.change_first = not text[a:b].strip()
        return _marker(text, a, b, lead)
    first = _chain_at_start(words)
    if first:
        lead.change, lead.change_first = first, True
        return a + len(first), b
    return _after_subject(text, a, b, lead)


def _marker(text: str, a: int, b: int, lead: _Lead) -> tuple[int, int]:
    vocab = vocabulary()
    words = text[a:b].rstrip()
    for name in ("respectively", "each"):
        marker = _ends(words, vocab.words(name))
        if marker:
            lead.marker = name
            return a, a + len(words) - len(marker)
    return a, b


def _after_object(text: str, a: int, b: int, skip: int, lead: _Lead) -> tuple[int, int]:
    """为离校…毕业生开发见习岗位: the metric follows the change word; 为企业减负: none follows,
    so the words after the preposition are the metric."""
    verb = next(_verbs(text, a + skip, b), None)
    if verb is None:
        rest = text[a + skip : b]
        place = _starts(rest, vocabulary().words("places"))
        return (b, b) if rest == place or not rest.strip() else (a + skip, b)
    chain = _chain_at_start(text[verb.start() : b]) or verb.group()
    lead.change, lead.change_first = chain, True
    after = verb.start() + len(chain)
    return (after, b) if text[after:b].strip() else (a + skip, b)


def _after_subject(text: str, a: int, b: int, lead: _Lead) -> tuple[int, int]:
    """临沪高能级智慧产业新区完成工业投入: a place of three characters or more before the change
    word is the subject; a shorter one belongs to the metric (城镇新增就业)."""
    vocab = vocabulary()
    for verb in _verbs(text, a + 3, b):
        if _ends(text, vocab.words("subject_suffixes"), a, verb.start()):
            chain = _chain_at_start(text[verb.start() : b]) or verb.group()
            lead.change, lead.change_first = chain, True
            return verb.start() + len(chain), b
    return a, b


def _chain_at_start(words: str) -> str | None:
    """新开工改造, 新增和改造, 新增、改建: change words joined, with or without a connector."""
    first = _change_at(words)
    if not first:
        return None
    end = len(first)
    while True:
        joint = _starts(words, vocabulary().words("separators"), end) or ""
        following = _change_at(words, end + len(joint))
        if not following or _blank(words, end + len(joint) + len(following)):
            return words[:end]  # the last word is the metric's own (…、改建 needs something after)
        end += len(joint) + len(following)


def _change_at(words: str, start: int = 0, stop: int | None = None) -> str | None:
    """The change word that opens the words (from `start`), unless it opens a noun (建设用地,
    开发区)."""
    vocab = vocabulary()
    if _starts(words, vocab.words("nouns"), start, stop):
        return None
    return _starts(words, vocab.change_words, start, stop)


def _verbs(text: str, start: int, stop: int) -> Iterator[re.Match[str]]:
    """Change words between two offsets, those that open a noun left out."""
    nouns = vocabulary().words("nouns")
    for verb in vocabulary().change_word.finditer(text, start, stop):
        if not text.startswith(nouns, verb.start()):
            yield verb


def _chain_at_end(words: str) -> str | None:
    """涨幅控制在, 提升达: change words that end the words."""
    vocab = vocabulary()
    end = len(words)
    while last := _ends(words, vocab.change_words, 0, end):
        end -= len(last)
    return words[end:] or None


def _carry(item: _Item, lead: _Lead, clause: list[_Item], sentence: list[_Item]) -> None:
    """An item that lacks a metric or a change takes them from the item before it: in the
    clause (…500家、…1200家), then in the sentence (一产增加值138亿元,增长5%)."""
    previous = clause[-1] if clause else (sentence[-1] if sentence else None)
    if previous is None:
        if not item.metric:
            item.flags.append("no_metric")
        return
    if not item.metric:
        item.metric = previous.metric
        item.carried.append("metric")
        item.change_first = False  # 增长5% after 一产增加值138亿元: its change ends the item
        if item.change is None:
            _take_change(item, previous)
        return
    shares = item.follow_on if clause else _continues(item, lead)
    if item.change is None and previous.change_first and shares:
        _take_change(item, previous)


def _take_change(item: _Item, previous: _Item) -> None:
    item.change = previous.change
    item.change_first = previous.change_first
    item.carried.append("change")


def _continues(item: _Item, lead: _Lead) -> bool:
    """A clause without a change word continues the change of the clause before it
    (新增托位1140个,普惠托位685个), unless it states a share (工业用地占比40%以上) or opens
    on its own (力争实际利用外资30亿美元)."""
    unit = vocabulary().units[item.match.group("unit")]
    return unit.kind != "percent" and not lead.opens


def _split_shared(items: list[_Item]) -> list[_Item]:
    """分别: values go to the metrics listed, one by one; 均: the value goes to each metric."""
    vocab = vocabulary()
    out: list[_Item] = []
    for i, item in enumerate(items):
        if item.marker == "respectively" and "metric" not in item.carried:
            group = [item, *_carried_after(items, i)]
            _pair(group, _names(item.metric, vocab.words("separators")))
        if item.marker == "each" and "metric" not in item.carried:
            names = _names(item.metric, vocab.words("each_separators"))
            if len(names) > 1:
                out += [replace(item, metric=n, flags=[*item.flags, "shared_value"]) for n in names]
                continue
        out.append(item)
    return out


def _carried_after(items: list[_Item], i: int) -> list[_Item]:
    group = []
    for item in islice(items, i + 1, None):
        if "metric" not in item.carried:
            break
        group.append(item)
    return group


def _pair(group: list[_Item], names: list[str]) -> None:
    if len(names) == len(group):
        for item, name in zip(group, names, strict=True):
            item.metric = name
            item.carried = [c for c in item.carried if c != "metric"]
    elif len(group) > 1:
        for item in group:
            item.flags.append("respectively_unpaired")


def _names(metric: str, separators: tuple[str, ...]) -> list[str]:
    pattern = "|".join(re.escape(s) for s in separators)
    return [n for n in (_clean(p) for p in re.split(pattern, metric)) if n]


def _note_deadlines(sentence: list[_Item], deadlines: list[re.Match[str]]) -> None:
    """Each item's deadline: the nearest one printed before its value in the sentence
    (一季度达到50%). The deadlines do not overlap, so their ends are in order: bisection keeps
    a sentence of many items and deadlines linear."""
    ends = [m.end() for m in deadlines]
    for item in sentence:
        i = bisect.bisect_right(ends, item.match.start())
        item.deadline = deadlines[i - 1].span() if i else None


def _indicator(
    text: str, folded: str, written: str | None, position: int, item: _Item
) -> Indicator:
    """The item in numbers: the value as printed, in base units, and its bound."""
    match = item.match
    unit = vocabulary().units[match.group("unit")]
    factor = unit.factor * vocabulary().magnitudes.get(match.group("mag") or "", Decimal(1))
    number = Decimal(match.group("num"))
    ranged = match.group("num2") is not None
    value_end = match.end("num2") if ranged else match.end("num")
    unit_start = match.start("mag") if match.group("mag") else match.start("unit")
    begin = min(item.begin, match.start())
    return Indicator(
        position=position,
        span=text[begin : max(item.end, match.end())].strip(),
        span_start=begin,
        metric=_original(written, folded, item.metric) or None,
        change=_original(written, folded, item.change) if item.change else None,
        value_text=text[match.start("num") : value_end],
        unit_text=text[unit_start : match.end("unit")],
        value=None if ranged else float(number),
        base_value=None if ranged else float(number * factor),
        base_unit=unit.base,
        lower=float(number * factor) if ranged else None,
        upper=float(Decimal(match.group("num2")) * factor) if ranged else None,
        bound="range" if ranged else _bound(item),
        stretch=item.stretch,
        deadline=text[slice(*item.deadline)] if item.deadline else None,
        carried=item.carried,
        flags=item.flags,
    )


def _bound(item: _Item) -> str:
    vocab = vocabulary()
    after = item.match.group("after")
    infix = item.match.group("infix")
    if after:
        return vocab.after[after]
    if infix:
        return vocab.infix[infix]
    return item.bound or _chain_bound(item.change) or "exact"


def _chain_bound(change: str | None) -> str:
    """The bound a change word implies (控制在: at most), also inside a chain (涨幅控制在)."""
    changes = vocabulary().changes
    return next((changes[w] for w in changes if change and w in change and changes[w]), "")


def _original(text: str | None, folded: str, words: str) -> str:
    """Folded words (a metric, a change) as the text wrote them: traditional characters kept.
    `text` is None when folding changed nothing: the words are as written."""
    at = folded.find(words) if words and text is not None else -1
    return text[at : at + len(words)] if text is not None and at >= 0 else words


def _text(text: str, span: tuple[int, int]) -> str:
    return _clean(text[span[0] : span[1]])


def _clean(words: str) -> str:
    """A metric without its edges' spaces, a trailing 的, or quotes around the whole of it."""
    words = words.strip(" \t\u3000、").removesuffix("的").strip()
    if len(words) > 2 and words[0] == "“" and words[-1] == "”" and "“" not in words[1:-1]:
        return words[1:-1]
    return words


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \t\u3000":
        a += 1
    while b > a and text[b - 1] in " \t\u3000":
        b -= 1
    return a, b


def _starts(
    words: str, candidates: tuple[str, ...], start: int = 0, stop: int | None = None
) -> str | None:
    """The first of the candidates (longest first) that words[start:stop] starts with. One
    test of them all first: most words start with none."""
    if not words.startswith(candidates, start, stop):
        return None
    return next(w for w in candidates if words.startswith(w, start, stop))


def _ends(
    words: str, candidates: tuple[str, ...], start: int = 0, stop: int | None = None
) -> str | None:
    """The first of the candidates (longest first) that words[start:stop] ends with."""
    if not words.endswith(candidates, start, stop):
        return None
    return next(w for w in candidates if words.endswith(w, start, stop))


def _blank(words: str, start: int, stop: int | None = None) -> bool:
    """Nothing but whitespace in words[start:stop] (as str.strip sees it), found without a copy."""
    return _NON_BLANK.search(words, start, len(words) if stop is None else stop) is None


def indicator_rows(key_tasks: list[Row], projects: list[Row]) -> list[Row]:
    """Rows of `task_indicators`: the targets in every task's text and project's name."""
    rows = [
        row
        for task in key_tasks
        for row in _rows_of(task, str(task["task_id"]), str(task["task_text"]), "task_text")
    ]
    rows += [
        row
        for project in projects
        for row in _rows_of(project, str(project["project_id"]), str(project["name"]), "name")
    ]
    return rows


def _rows_of(source: Row, row_id: str, text: str, column: str) -> list[Row]:
    keyed = {"task_id": row_id, "project_id": None}
    if column == "name":
        keyed = {"task_id": None, "project_id": row_id}
    return [
        {
            "notice_id": source["notice_id"],
            "year": source["year"],
            "indicator_id": f"{row_id}-I{found.position:02d}",
            **keyed,
            **{k: v for k, v in vars(found).items() if k != "position"},
            "position": found.position,
            "confidence": found.confidence,
            "source_column": column,
            "source_file": source["source_file"],
            "table_index": source["table_index"],
            "row_index": source["row_index"],
        }
        for found in read_indicators(text)
    ]
