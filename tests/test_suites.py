"""The GX suites share one context per process: each notice still gets its own findings, from any
thread or in one pass over many notices, and one Data Docs site covers every notice validated in
the run."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from schemas import suites
from schemas.data_docs import build_data_docs, build_site
from schemas.findings import Finding
from schemas.suites import RESULTS_SUFFIX, run_suites, run_suites_together
from tests.conftest import NOTICE_2024, extract

Frames = dict[str, pd.DataFrame]
Extra = dict[str, list[dict[str, Any]]]
GOOD_ID, BAD_ID = "2024-cf657ba048", "2025-00000000bd"


def _areas(frames: Frames) -> Extra:
    """The per-notice expectation validate_notice adds: the areas of the notice's tables."""
    areas = sorted(set(frames["livelihood_targets"]["area"]))
    spec = {"expectation": "ExpectColumnValuesToBeInSet", "column": "area", "level": "critical"}
    return {"livelihood_targets": [{**spec, "value_set": areas}]}


@pytest.fixture(scope="module")
def good() -> Frames:
    frames = extract(NOTICE_2024 / "notice.txt").frames
    assert frames["notices"]["notice_id"].tolist() == [GOOD_ID]
    return frames


@pytest.fixture(scope="module")
def bad(good: Frames) -> Frames:
    """Another notice (its ids renamed) with one bad role and one bad area."""
    frames = {name: _renamed(frame, GOOD_ID, BAD_ID) for name, frame in good.items()}
    frames["task_units"].loc[3, "role"] = "boss"
    frames["livelihood_targets"].loc[5, "area"] = "南湖"
    return frames


def _renamed(frame: pd.DataFrame, old: str, new: str) -> pd.DataFrame:
    frame = frame.copy(deep=True)
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, str) and old in v).any():
            frame[column] = frame[column].str.replace(old, new, regex=False)
    return frame


def _row_id(frames: Frames, dataset: str, row: int, key: list[str]) -> str:
    return "/".join(str(v) for v in frames[dataset].loc[row, key])


def _expected_bad(bad: Frames) -> list[Finding]:
    in_set = "expect_column_values_to_be_in_set"
    role = _row_id(bad, "task_units", 3, ["task_id", "position"])
    area = _row_id(bad, "livelihood_targets", 5, ["project_id", "item_no", "area"])
    return [
        Finding(in_set, "critical", "task_units", f"{in_set} on role: 1 rows", [role]),
        Finding(in_set, "critical", "livelihood_targets", f"{in_set} on area: 1 rows", [area]),
    ]


def test_each_notice_gets_its_own_findings_one_after_the_other(good: Frames, bad: Frames) -> None:
    assert run_suites(good, _areas(good)) == []
    # The bad notice's tables name the usual areas, so its 南湖 is outside its value set.
    assert run_suites(bad, _areas(good)) == _expected_bad(bad)
    assert run_suites(good, _areas(good)) == []  # nothing of the bad notice stays behind


def test_a_notices_extra_expectations_apply_to_it_alone(good: Frames) -> None:
    narrow = _areas(good)
    narrow["livelihood_targets"][0]["value_set"] = ["全市"]
    targets = good["livelihood_targets"]
    outside = int((targets["area"] != "全市").sum())
    found = run_suites(good, narrow)
    assert [(f.check, f.dataset, f.message) for f in found] == [
        (
            "expect_column_values_to_be_in_set",
            "livelihood_targets",
            f"expect_column_values_to_be_in_set on area: {outside} rows",
        )
    ]
    assert run_suites(good, _areas(good)) == []
    assert run_suites(good, {}) == []


def _at_once(notices: dict[str, Frames], extra: Extra) -> dict[str, list[Finding]]:
    """Each notice validated on its own thread, the threads released together."""
    start = threading.Barrier(len(notices))
    found: dict[str, list[Finding]] = {}

    def validate(notice_id: str, frames: Frames) -> None:
        start.wait()
        found[notice_id] = run_suites(frames, extra)

    threads = [threading.Thread(target=validate, args=i, daemon=True) for i in notices.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return found


def test_two_threads_validating_at_once_get_their_own_findings(good: Frames, bad: Frames) -> None:
    expected = {GOOD_ID: [], BAD_ID: _expected_bad(bad)}
    for _ in range(3):
        assert _at_once({GOOD_ID: good, BAD_ID: bad}, _areas(good)) == expected


def _validation_pages(index: Path) -> set[Path]:
    """The validation pages the index links (its table rows hold their paths)."""
    html = index.read_text(encoding="utf-8")
    return {index.parent / link for link in re.findall(r"validations/[^'\"\s]+\.html", html)}


def test_one_data_docs_site_links_every_notice_of_the_run(
    good: Frames, bad: Frames, tmp_path: Path
) -> None:
    build_data_docs(tmp_path / "earlier")  # results other tests left in this process
    assert run_suites(good, _areas(good)) == []  # still right after a build (its own context)
    assert run_suites(bad, _areas(good)) == _expected_bad(bad)
    index = build_data_docs(tmp_path / "site")
    assert index == (tmp_path / "site" / "index.html").resolve()
    pages = _validation_pages(index)
    for notice_id in (GOOD_ID, BAD_ID):
        run_name = f"{notice_id}-txt"
        mine = {p for p in pages if run_name in p.parts}
        assert {p.parts[p.parts.index("validations") + 1] for p in mine} == set(good)
        assert all(p.exists() for p in mine)
    assert len(pages) == 2 * len(good)
    assert build_data_docs(tmp_path / "next") is None  # the run's results were used once


def test_results_written_as_json_reach_a_build_in_another_process(
    good: Frames, tmp_path: Path
) -> None:
    """What a Dask worker does: its results go to a folder, the run's process builds from it."""
    build_data_docs(tmp_path / "earlier")
    spool = tmp_path / "results"
    run_suites(good, _areas(good), spool)
    assert len(list(spool.glob(f"*{RESULTS_SUFFIX}"))) == 1
    assert build_data_docs(tmp_path / "without") is None  # not kept in this process's memory
    index = build_data_docs(tmp_path / "site", results_dir=spool)
    assert index is not None
    pages = _validation_pages(index)
    assert len(pages) == len(good)
    assert all(p.exists() for p in pages)
    assert list(spool.iterdir()) == []


# Many notices in one pass: each gets what it gets alone, and only the bad ones are looked at
# again. Two files of one notice hold the same ids: uniqueness is per notice, never across.
THIRD_ID = "2026-0000000003"


@pytest.fixture(scope="module")
def duplicated(good: Frames) -> Frames:
    """Another notice whose task 2 has the id of task 1 (its own duplicate)."""
    frames = {name: _renamed(frame, GOOD_ID, THIRD_ID) for name, frame in good.items()}
    tasks = frames["key_tasks"]
    tasks.loc[1, "task_id"] = tasks.loc[0, "task_id"]
    return frames


@pytest.fixture(scope="module")
def without_projects(good: Frames) -> Frames:
    """A notice with no livelihood table: its project and target datasets are empty."""
    frames = {name: _renamed(frame, GOOD_ID, "2027-0000000004") for name, frame in good.items()}
    for name in ("livelihood_projects", "livelihood_targets"):
        frames[name] = frames[name].iloc[0:0]
    return frames


class _AloneCounter:
    """Counts the notices validated alone after the pass over all of them (calls through)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.datasets: list[str] = []
        real = suites._validate

        def counted(shared: Any, name: str, frame: pd.DataFrame, *rest: Any) -> Any:
            self.datasets.append(name)
            return real(shared, name, frame, *rest)

        monkeypatch.setattr(suites, "_validate", counted)


def test_notices_validated_in_one_pass_get_what_each_gets_alone(
    good: Frames, bad: Frames, duplicated: Frames, without_projects: Frames
) -> None:
    notices = [good, bad, good, duplicated, without_projects, bad]
    alone = [run_suites(frames, _areas(good)) for frames in notices]
    assert alone[0] == [] and alone[1] == _expected_bad(bad) and alone[4] == []
    assert [f.check for f in alone[3]] == ["expect_column_values_to_be_unique"]
    assert run_suites_together([(frames, _areas(good)) for frames in notices]) == alone


def test_a_pass_over_many_notices_looks_again_only_at_the_bad_ones(
    good: Frames, bad: Frames, duplicated: Frames, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = _AloneCounter(monkeypatch)
    run_suites_together([(frames, _areas(good)) for frames in (good, bad, good, good)])
    # bad's role and area: its task_units and livelihood_targets, nothing of the good ones
    assert sorted(counter.datasets) == ["livelihood_targets", "task_units"]
    counter.datasets.clear()
    run_suites_together([(good, _areas(good)), (duplicated, _areas(good))])
    assert counter.datasets == ["key_tasks"]


def test_a_notice_passed_in_a_pass_over_many_has_the_results_it_has_alone(
    good: Frames, bad: Frames, tmp_path: Path
) -> None:
    """Its Data Docs pages say the same: every expectation of its suite met, none left out."""
    run_suites(good, _areas(good), tmp_path / "alone")
    run_suites_together([(good, _areas(good)), (bad, _areas(good))], tmp_path / "together")
    alone = _results_of(tmp_path / "alone", GOOD_ID)
    together = _results_of(tmp_path / "together", GOOD_ID)
    assert together == alone
    assert all(result["success"] for result in together.values())
    assert not all(r["success"] for r in _results_of(tmp_path / "together", BAD_ID).values())


def _results_of(folder: Path, notice_id: str) -> dict[str, dict[str, Any]]:
    """Per dataset, the notice's results as they would show: every field, its expectations in
    any order, without the times, the batch's fingerprint and the expectations' ids."""
    (path,) = folder.glob(f"{notice_id}-*{RESULTS_SUFFIX}")
    entries = json.loads(path.read_text(encoding="utf-8"))["results"]
    return {entry["key"][0]: _shown(entry["result"]) for entry in entries}


def _shown(result: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in result["meta"].items() if k not in ("batch_markers", "run_id")}
    meta.pop("validation_time")
    expectations = [
        {**r, "expectation_config": {k: v for k, v in r["expectation_config"].items() if k != "id"}}
        for r in result["results"]
    ]
    return {
        **result,
        "meta": {**meta, "run_name": result["meta"]["run_id"]["run_name"]},
        "results": sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in expectations),
    }


def test_notices_passed_in_one_pass_share_a_page_a_failed_one_has_its_own(
    good: Frames, bad: Frames, duplicated: Frames, tmp_path: Path
) -> None:
    """A page costs about 30 ms to render: a thousand notices' pages would take minutes."""
    other = {name: _renamed(frame, GOOD_ID, "2028-0000000005") for name, frame in good.items()}
    results = tmp_path / "results"
    run_suites_together([(f, _areas(good)) for f in (good, other, bad, duplicated)], results)
    index = build_site(tmp_path / "site", sorted(results.glob(f"*{RESULTS_SUFFIX}")))
    assert index is not None
    pages = {(p.parts[-4], p.parts[-3]) for p in _validation_pages(index)}
    alone = {("task_units", f"{BAD_ID}-txt"), ("livelihood_targets", f"{BAD_ID}-txt")}
    alone.add(("key_tasks", f"{THIRD_ID}-txt"))
    passed = {name: [GOOD_ID, "2028-0000000005", BAD_ID, THIRD_ID] for name in good}
    for name, notice_id in alone:
        passed[name].remove(notice_id.removesuffix("-txt"))
    together = {
        (name, f"{len(ids)}_notices_{min(ids)}-txt_to_{max(ids)}-txt")
        for name, ids in passed.items()
    }
    assert pages == alone | together
    shared = next(p for p in _validation_pages(index) if p.parts[-4] == "notices")
    assert all(notice_id in shared.read_text(encoding="utf-8") for notice_id in passed["notices"])
