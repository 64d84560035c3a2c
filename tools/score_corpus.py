"""Score the pipeline on the development corpus: tasks, (task, unit) pairs and leads found right.

Each `tests/corpus/*.expected.json` holds hand-checked results for one excerpt of a real notice
and names its fixture files. Every file goes through `process_file`, as in a run. A file that is
refused scores nothing unless the notice was expected to be refused.
Run: .venv/bin/python -m tools.score_corpus [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from flows.pipeline import FileOutcome, process_file

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
_MARKERS = re.compile(r"^[★☆*＊▲△]+|[★☆*＊▲△]+$|\(牵头\)$")
_TRAILING = "。.;；，,、"


def text_key(text: str) -> str:
    """Task text as compared: full-width forms folded (NFKC), no whitespace, no end stop."""
    return "".join(unicodedata.normalize("NFKC", text).split()).rstrip(_TRAILING)


def unit_key(name: str) -> str:
    """A unit as written, as compared: NFKC, no whitespace, no lead marker."""
    return _MARKERS.sub("", text_key(name))


@dataclass
class Score:
    """Right / out of, for tasks, pairs and leads; files handled as expected."""

    tasks: list[int] = field(default_factory=lambda: [0, 0])
    pairs: list[int] = field(default_factory=lambda: [0, 0])
    leads: list[int] = field(default_factory=lambda: [0, 0])
    files: list[int] = field(default_factory=lambda: [0, 0])

    def add(self, other: Score) -> None:
        for name in ("tasks", "pairs", "leads", "files"):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine[0] += theirs[0]
            mine[1] += theirs[1]

    @staticmethod
    def ratio(part: list[int]) -> float:
        return part[0] / part[1] if part[1] else 1.0


@dataclass
class FoundTask:
    text: str
    units: list[str]  # written names (markers stripped) of each unit, in order
    canonical: list[str]
    leads: set[str]


def found_tasks(outcome: FileOutcome) -> list[FoundTask]:
    """The tasks a file gave, with each unit as written and as resolved."""
    if outcome.frames is None:
        return []
    tasks, units = outcome.frames["key_tasks"], outcome.frames["task_units"]
    by_task = {task_id: group for task_id, group in units.groupby("task_id", sort=False)}
    found = []
    for task in tasks.itertuples():
        group = by_task.get(task.task_id, pd.DataFrame(columns=units.columns))
        written = [_written(row) for row in group.itertuples()]
        leads = {
            w for w, row in zip(written, group.itertuples(), strict=True) if row.role == "lead"
        }
        found.append(FoundTask(task.task_text, written, list(group["unit"]), leads))
    return found


def _written(row: object) -> str:
    """The unit as the notice wrote it, its capacity in brackets (市财政局（市国资委）)."""
    name = str(row.unit_written)  # type: ignore[attr-defined]
    capacity = row.capacity  # type: ignore[attr-defined]
    return unit_key(f"{name}（{capacity}）" if isinstance(capacity, str) and capacity else name)


def score_file(expected: dict, outcome: FileOutcome) -> tuple[Score, list[str]]:
    """How many of one file's expected tasks, pairs and leads the pipeline found right."""
    score, problems = Score(), []
    refused = outcome.result.error is not None
    if expected["outcome"] == "refused":
        score.files = [int(refused), 1]
        if not refused:
            problems.append("published a notice that should be refused")
        return score, problems
    score.files = [int(not refused), 1]
    if refused:
        problems.append(f"refused: {outcome.result.error.message}")  # type: ignore[union-attr]
    found = [] if refused else found_tasks(outcome)  # a refused file publishes nothing
    matched = _match(expected["tasks"], found)
    score.tasks = [len(matched), max(len(expected["tasks"]), len(found))]
    for i, task in enumerate(expected["tasks"]):
        mine = found[matched[i]] if i in matched else None
        _score_task(task, mine, score, problems)
    for j, task in enumerate(found):
        if j not in matched.values():
            score.pairs[1] += len(task.units)
            problems.append(f"found a task not expected: {task.text[:30]!r}")
    score.leads[1] = score.tasks[1]
    return score, problems


def _score_task(task: dict, mine: FoundTask | None, score: Score, problems: list[str]) -> None:
    wanted = [unit_key(u) for u in task["units"]]
    if mine is None:
        score.pairs[1] += len(wanted)
        problems.append(f"missed task {task['seq']}: {task['text'][:30]!r}")
        return
    canonical = {unit_key(c) for c in mine.canonical}
    right = [w for w in wanted if w in mine.units or w in canonical]
    score.pairs[0] += len(right)
    score.pairs[1] += max(len(wanted), len(mine.units))
    if len(right) < len(wanted) or len(mine.units) > len(wanted):
        problems.append(f"task {task['seq']}: units {mine.units} where expected {wanted}")
    leads = {unit_key(u) for u in task["leads"]}
    if leads == mine.leads or leads == {c for c in canonical if c in mine.leads}:
        score.leads[0] += 1
    else:
        problems.append(f"task {task['seq']}: leads {sorted(mine.leads)} where {sorted(leads)}")


def _match(expected: list[dict], found: list[FoundTask]) -> dict[int, int]:
    """Expected task index -> found task index, by task text, in order."""
    matched: dict[int, int] = {}
    keys = [text_key(t.text) for t in found]
    used: set[int] = set()
    for i, task in enumerate(expected):
        key = text_key(task["text"])
        j = next((j for j, k in enumerate(keys) if k == key and j not in used), None)
        if j is not None:
            matched[i] = j
            used.add(j)
    return matched


def score_corpus(folder: Path = CORPUS) -> list[tuple[str, Score, list[str]]]:
    """Every fixture file of the corpus, scored."""
    scored = []
    for path in sorted(folder.glob("*.expected.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        for name in expected["files"]:
            score, problems = score_file(expected, process_file(folder / name))
            scored.append((name, score, problems))
    return scored


def _percent(part: list[int]) -> str:
    return f"{part[0]}/{part[1]} ({Score.ratio(part):.0%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list each file's problems")
    args = parser.parse_args()
    total = Score()
    print("| file | ok | tasks | pairs | leads |\n|---|---|---|---|---|")
    for name, score, problems in score_corpus():
        total.add(score)
        ok = "yes" if score.files[0] else "NO"
        print(
            f"| {name} | {ok} | {_percent(score.tasks)} | {_percent(score.pairs)} | "
            f"{_percent(score.leads)} |"
        )
        if args.verbose:
            for problem in problems:
                print(f"|   | {problem} | | | |")
    print(
        f"| **all** | {_percent(total.files)} | {_percent(total.tasks)} | "
        f"{_percent(total.pairs)} | {_percent(total.leads)} |"
    )


if __name__ == "__main__":
    main()
