"""The 2024 Jiaxing notice, in each format: what a data officer would otherwise retype."""

from __future__ import annotations

import pandas as pd

from flows.notice import LINEAGE
from tests.conftest import Extracted

CATEGORIES = [
    "医疗卫生",
    "教育助学",
    "养老帮困",
    "关爱儿童",
    "就业创业",
    "城乡宜居",
    "交通出行",
    "文化体育",
    "暖心服务",
    "除险保安",
]
AREAS = [
    "全市",
    "南湖区",
    "秀洲区",
    "嘉善县",
    "平湖市",
    "海盐县",
    "海宁市",
    "桐乡市",
    "嘉兴经济技术开发区",
    "浙江乍浦经济开发区（嘉兴港区）",
    "其他",
]


def test_notice_identity(notice_2024: Extracted) -> None:
    notice = notice_2024.frames["notices"].iloc[0]
    assert notice["title"].startswith("嘉兴市人民政府办公室关于印发2024年政府工作报告")
    assert notice_2024.rows.info.year == 2024
    assert notice["issuer"] == "嘉兴市人民政府办公室"
    assert str(notice["issued_on"]) == "2024-02-01"
    assert notice["lead_rule"] == "注：列第一位的为牵头单位。"


def test_tables_are_recognised_by_their_headers(notice_2024: Extracted) -> None:
    kinds = [t.kind for t in notice_2024.tables]
    assert kinds == ["key_tasks", "livelihood", "unknown"]  # the third is the 抄送 footer


def test_122_tasks_numbered_1_to_117_without_gap(notice_2024: Extracted) -> None:
    tasks = notice_2024.frames["key_tasks"]
    assert len(tasks) == 122
    assert sorted(set(tasks["seq"])) == list(range(1, 118))


def test_blank_seq_rows_continue_the_number_above(notice_2024: Extracted) -> None:
    tasks = notice_2024.frames["key_tasks"]
    continued = tasks[tasks["sub_seq"] > 1]
    assert list(continued["seq"]) == [77, 79, 79, 99, 115]
    assert list(tasks.loc[tasks["seq"] == 79, "sub_seq"]) == [1, 2, 3]
    row_77_2 = tasks[(tasks["seq"] == 77) & (tasks["sub_seq"] == 2)].iloc[0]
    assert row_77_2["task_text"] == "推动嘉兴综合保税区扩区，增强园区平台承载能力。"
    assert row_77_2["lead_unit"] == "市商务局"


def test_251_task_unit_pairs_led_by_the_first_unit(notice_2024: Extracted) -> None:
    units = notice_2024.frames["task_units"]
    assert len(units) == 251
    first = units[units["position"] == 1]
    assert (first["role"] == "lead").all()
    assert (units.loc[units["position"] > 1, "role"] == "co").all()
    assert units["known"].all()


def test_task_12_cell_broken_over_two_lines_has_five_units(notice_2024: Extracted) -> None:
    tasks = notice_2024.frames["key_tasks"]
    task = tasks[tasks["seq"] == 12].iloc[0]
    assert list(task["units"]) == ["市科技局", "市教育局", "南湖区政府", "秀洲区政府", "海宁市政府"]
    assert task["lead_unit"] == "市科技局"


def test_capacities_in_brackets_are_kept(notice_2024: Extracted) -> None:
    units = notice_2024.frames["task_units"]
    with_capacity = units.dropna(subset=["capacity"])
    assert set(zip(with_capacity["unit"], with_capacity["capacity"], strict=True)) == {
        ("市委组织部", "市委人才办"),
        ("市委宣传部", "市委网信办"),
    }


def test_36_projects_in_10_categories(notice_2024: Extracted) -> None:
    projects = notice_2024.frames["livelihood_projects"]
    assert len(projects) == 36
    assert list(projects["seq"]) == list(range(1, 37))
    assert list(dict.fromkeys(projects["category"])) == CATEGORIES


def test_project_leads_are_split_and_carried_down(notice_2024: Extracted) -> None:
    projects = notice_2024.frames["livelihood_projects"].set_index("seq")
    assert list(projects.loc[4, "lead_units"]) == ["市红十字会", "市卫生健康委"]
    assert list(projects.loc[2, "lead_units"]) == ["市卫生健康委"]  # merged from project 1
    assert projects.loc[2, "category"] == "医疗卫生"


def test_528_targets_48_breakdown_rows_by_11_areas(notice_2024: Extracted) -> None:
    targets = notice_2024.frames["livelihood_targets"]
    assert len(targets) == 528
    assert len(targets.groupby(["project_id", "item_no"])) == 48
    assert list(dict.fromkeys(targets["area"])) == AREAS


def test_slash_is_not_applicable_without_value(notice_2024: Extracted) -> None:
    targets = notice_2024.frames["livelihood_targets"]
    slashes = targets[targets["value_text"] == "/"]
    assert len(slashes) > 0
    assert (slashes["value_kind"] == "not_applicable").all()
    assert slashes["value"].isna().all()


def test_project_25_rural_row_has_a_real_zero(notice_2024: Extracted) -> None:
    targets = _project(notice_2024, 25)
    cell = targets[(targets["item"] == "农村") & (targets["area"] == "嘉兴经济技术开发区")].iloc[0]
    assert (cell["value_kind"], cell["value"]) == ("number", 0.0)


def test_project_3_targets_are_percentages(notice_2024: Extracted) -> None:
    filled = _filled(_project(notice_2024, 3))
    assert set(filled["value_kind"]) == {"percent"}
    assert set(filled["value"]) == {100.0}


def test_project_15_targets_are_text(notice_2024: Extracted) -> None:
    filled = _filled(_project(notice_2024, 15))
    assert set(filled["value_kind"]) == {"text"}
    assert filled["value"].isna().all()
    assert set(filled["value_text"]) == {"儿童孤独症政策内报销比例不低于60%"}


def test_project_4_has_two_breakdown_items(notice_2024: Extracted) -> None:
    city = _project(notice_2024, 4).query("area == '全市'")
    assert list(zip(city["item"], city["value"], strict=True)) == [
        ("除颤仪", 1230.0),
        ("人员培训", 6150.0),
    ]


def test_the_three_formats_give_identical_datasets(every_format: dict[str, Extracted]) -> None:
    lineage = LINEAGE  # what differs by file: names, hashes, where a row was read
    reference = every_format["txt"].frames
    for fmt in ("docx", "html"):
        for name, frame in every_format[fmt].frames.items():
            expected = reference[name].drop(columns=lineage, errors="ignore")
            pd.testing.assert_frame_equal(frame.drop(columns=lineage, errors="ignore"), expected)


def _project(extracted: Extracted, seq: int) -> pd.DataFrame:
    targets = extracted.frames["livelihood_targets"]
    return targets[targets["project_id"].str.endswith(f"-P{seq:03d}")]


def _filled(targets: pd.DataFrame) -> pd.DataFrame:
    return targets[~targets["value_kind"].isin(["not_applicable", "blank"])]
