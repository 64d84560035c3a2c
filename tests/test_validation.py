"""Each critical property, broken in turn, is caught; the 2024 notice has exactly three warnings."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from schemas.validation import validate_notice
from tests.conftest import NOTICE_2024, Extracted, extract

Frames = dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def txt_notice() -> Extracted:
    return extract(NOTICE_2024 / "notice.txt")


def _copy(frames: Frames) -> Frames:
    return {name: frame.copy(deep=True) for name, frame in frames.items()}


def test_2024_notice_passes_with_three_data_warnings_and_its_cc_block_said(
    txt_notice: Extracted,
) -> None:
    report = validate_notice(txt_notice.rows, txt_notice.tables, txt_notice.frames)
    assert report.failures == []
    assert [(w.check, w.rows) for w in report.warnings] == [
        ("name_differs_from_table", ["2024-cf657ba048-P023"]),
        ("name_differs_from_table", ["2024-cf657ba048-P023"]),
        ("city_target_without_areas", ["2024-cf657ba048-P027/1"]),
        ("table_not_recognised", []),  # the 抄送 block at the end is laid out as a table
    ]
    assert "抄送" in report.warnings[-1].message


def _number_without_value(frames: Frames) -> None:
    targets = frames["livelihood_targets"]
    targets.loc[targets["value_kind"] == "number", "value"] = None


def _value_for_slash(frames: Frames) -> None:
    targets = frames["livelihood_targets"]
    targets.loc[targets["value_kind"] == "not_applicable", "value"] = 1.0


def _lose_a_target(frames: Frames) -> None:
    frames["livelihood_targets"] = frames["livelihood_targets"].iloc[1:]


def _unknown_area(frames: Frames) -> None:
    frames["livelihood_targets"].loc[0, "area"] = "南湖"


def _task_without_lead(frames: Frames) -> None:
    units = frames["task_units"]
    units.loc[units["task_id"] == units["task_id"].iloc[0], "role"] = "co"


def _bad_value_kind(frames: Frames) -> None:
    frames["livelihood_targets"].loc[0, "value_kind"] = "maybe"


def _wrong_type(frames: Frames) -> None:
    frames["key_tasks"]["seq"] = frames["key_tasks"]["seq"].astype(str) + "号"


def _gap_in_seq(frames: Frames) -> None:
    tasks = frames["key_tasks"]
    frames["key_tasks"] = tasks[tasks["seq"] != 50]


@pytest.mark.parametrize(
    ("break_it", "check"),
    [
        (_number_without_value, "expect_column_values_to_not_be_null"),
        (_value_for_slash, "expect_column_values_to_be_null"),
        (_lose_a_target, "rows_match_reader"),
        (_unknown_area, "expect_column_values_to_be_in_set"),
        (_task_without_lead, "task_has_lead"),
        (_bad_value_kind, "expect_column_values_to_be_in_set"),
        (_wrong_type, "schema"),
        (_gap_in_seq, "seq_runs_without_gap"),
    ],
)
def test_breaking_a_critical_property_fails_validation(
    txt_notice: Extracted, break_it: Callable[[Frames], None], check: str
) -> None:
    frames = _copy(txt_notice.frames)
    break_it(frames)
    report = validate_notice(txt_notice.rows, txt_notice.tables, frames)
    assert check in [f.check for f in report.failures]


def test_the_dataset_card_in_docs_is_generated_from_the_schemas() -> None:
    from pathlib import Path

    from schemas.card import dataset_card

    card = (Path(__file__).parent.parent / "docs" / "datasets.md").read_text(encoding="utf-8")
    assert card == dataset_card(), "run: .venv/bin/python -m schemas.card > docs/datasets.md"


def test_a_table_split_in_two_stops_the_notice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")
    row_60 = "\t60\n\t深入实施一体化示范区建设三年行动"
    assert row_60 in text
    path = tmp_path / "split.txt"
    path.write_text(text.replace(row_60, "\n\n" + row_60, 1), encoding="utf-8")
    split = extract(path)
    assert len(split.frames["key_tasks"]) == 59
    report = validate_notice(split.rows, split.tables, split.frames)
    assert "table_split" in [f.check for f in report.failures]


def test_an_area_target_that_no_longer_adds_up_is_a_warning(txt_notice: Extracted) -> None:
    from schemas.consistency import target_warnings

    frames = _copy(txt_notice.frames)
    targets = frames["livelihood_targets"]
    summing = targets[(targets["area_order"] == 1) & (targets["value_kind"] == "number")]
    first = summing.index[0]
    targets.loc[first, "value"] = targets.loc[first, "value"] + 1
    found = target_warnings(frames["livelihood_projects"], targets)
    changed = f"{targets.loc[first, 'project_id']}/{targets.loc[first, 'item_no']}"
    assert ("area_sum_differs", [changed]) in [(f.check, f.rows) for f in found]
