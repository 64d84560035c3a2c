"""Score the indicator reader on hand-checked sentences: precision and recall of targets.

Each `tests/indicators/*.json` holds sentences (from the 2024 notice and from real notices) with
the targets a careful reader finds in them, none for a sentence whose numbers are years, names,
ages or conditions. A target read counts as right only when its metric, change, value, unit,
base value, bound and stretch flag all agree (and its deadline, where one is expected); a list
in the expected file gives the readings the text leaves open.
Run: .venv/bin/python -m tools.score_indicators [--verbose]
"""

from __future__ import annotations

import argparse
import json
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from normalise.indicators import Indicator, read_indicators

SENTENCES = Path(__file__).resolve().parent.parent / "tests" / "indicators"


@dataclass
class Score:
    """Targets read right, read in all, expected in all; what went wrong, per sentence."""

    right: int = 0
    found: int = 0
    expected: int = 0
    sentences: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.right += other.right
        self.found += other.found
        self.expected += other.expected
        self.sentences += other.sentences
        self.misses += other.misses

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def _key(text: str | None) -> str | None:
    """As compared: full-width forms folded, no whitespace."""
    return None if text is None else "".join(unicodedata.normalize("NFKC", text).split())


def _one_of(found: str | None, expected: Any) -> bool:
    options = expected if isinstance(expected, list) else [expected]
    return _key(found) in [_key(o) for o in options]


def agrees(found: Indicator, expected: dict[str, Any]) -> bool:
    """Every field of the expected target, read the same."""
    same_base = (found.base_value is None and expected["base_value"] is None) or (
        found.base_value is not None
        and expected["base_value"] is not None
        and math.isclose(found.base_value, expected["base_value"], rel_tol=1e-9)
    )
    return (
        same_base
        and _key(found.value_text) == _key(expected["value"])
        and _key(found.unit_text) == _key(expected["unit"])
        and found.bound == expected["bound"]
        and found.stretch == expected["stretch"]
        and _one_of(found.metric, expected["metric"])
        and _one_of(found.change, expected["change"])
        and ("deadline" not in expected or _key(found.deadline) == _key(expected["deadline"]))
    )


def score_sentence(text: str, expected: list[dict[str, Any]], score: Score) -> None:
    """Each expected target pairs with at most one target read."""
    found = read_indicators(text)
    left = list(found)
    for target in expected:
        match = next((f for f in left if agrees(f, target)), None)
        if match is None:
            score.misses.append(f"missed {_show(target)} in {text[:40]}")
        else:
            left.remove(match)
            score.right += 1
    score.misses += [f"wrong {_show_found(f)} in {text[:40]}" for f in left]
    score.found += len(found)
    score.expected += len(expected)
    score.sentences += 1


def score_file(path: Path) -> Score:
    score = Score()
    for sentence in json.loads(path.read_text(encoding="utf-8"))["sentences"]:
        score_sentence(sentence["text"], sentence["targets"], score)
    return score


def _show(target: dict[str, Any]) -> str:
    fields = ("metric", "change", "value", "unit", "bound", "stretch")
    return " ".join(str(target[k]) for k in fields)


def _show_found(found: Indicator) -> str:
    fields = ("metric", "change", "value_text", "unit_text", "bound", "stretch")
    return " ".join(str(getattr(found, k)) for k in fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    total = Score()
    print("| file | sentences | expected | read | right | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for path in sorted(SENTENCES.glob("*.json")):
        score = score_file(path)
        _print_row(path.name, score)
        total.add(score)
    _print_row("all", total)
    if args.verbose:
        print("\n".join(f"- {m}" for m in total.misses))


def _print_row(name: str, score: Score) -> None:
    print(
        f"| {name} | {score.sentences} | {score.expected} | {score.found} | {score.right} "
        f"| {score.precision:.1%} | {score.recall:.1%} |"
    )


if __name__ == "__main__":
    main()
