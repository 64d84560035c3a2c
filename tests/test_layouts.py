"""Layouts other notices use: separate lead columns, merged unit cells, odd 序号."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import UnrecognisedLayout
from tests.conftest import extract

HEAD = "<p>嘉兴市人民政府办公室关于印发2024年重点工作责任分解的通知</p><p>嘉兴市人民政府办公室</p>"


def _page(tmp_path: Path, rows: str, header: str) -> Path:
    path = tmp_path / "notice.html"
    table = f"<table><tr>{header}</tr>{rows}</table>"
    path.write_text(f"<html><body>{HEAD}{table}</body></html>", encoding="utf-8")
    return path


def _th(*names: str) -> str:
    return "".join(f"<td>{n}</td>" for n in names)


def test_a_lead_column_and_two_unit_columns_keep_every_unit(tmp_path: Path) -> None:
    header = _th("序号", "主要工作任务", "牵头单位", "责任单位", "配合单位")
    row = "<tr>" + _th("1", "任务", "市经信局", "市发展改革委", "市财政局") + "</tr>"
    units = extract(_page(tmp_path, row, header)).frames["task_units"]
    assert list(units["unit"]) == ["市经信局", "市发展改革委", "市财政局"]
    assert list(units["role"]) == ["lead", "co", "co"]


def test_a_unit_cell_merged_over_two_tasks_gives_both_its_units(tmp_path: Path) -> None:
    header = _th("序号", "主要工作任务", "责任单位")
    rows = (
        '<tr><td>1</td><td>甲</td><td rowspan="2">市科技局、市财政局</td></tr>'
        "<tr><td>2</td><td>乙</td></tr>"
    )
    tasks = extract(_page(tmp_path, rows, header)).frames["key_tasks"]
    assert [list(u) for u in tasks["units"]] == [["市科技局", "市财政局"]] * 2


def test_a_seq_that_is_not_a_number_is_an_error_naming_the_row(tmp_path: Path) -> None:
    header = _th("序号", "主要工作任务", "责任单位")
    rows = "".join(f"<tr>{_th(seq, '任务', '市科技局')}</tr>" for seq in ("1", "2a", "3"))
    with pytest.raises(UnrecognisedLayout) as caught:
        extract(_page(tmp_path, rows, header))
    assert (caught.value.table, caught.value.row) == (1, 3)
    assert "'2a' is not a number" in str(caught.value)


def test_a_project_row_without_its_seq_is_an_error_not_a_breakdown_item(tmp_path: Path) -> None:
    header = _th("序号", "事项名称", "全市目标任务", "南湖区", "市级牵头单位")
    rows = (
        "<tr>" + _th("1", "项目甲", "10", "10", "市民政局") + "</tr>"
        "<tr>" + _th("", "项目乙", "5", "5", "市民政局") + "</tr>"
    )
    with pytest.raises(UnrecognisedLayout) as caught:
        extract(_page(tmp_path, rows, header))
    assert caught.value.row == 3
    assert "names its own project" in str(caught.value)


def test_a_column_the_vocabulary_does_not_know_is_kept_and_reported(tmp_path: Path) -> None:
    header = _th("序号", "主要工作任务", "联系电话", "责任单位")
    row = "<tr>" + _th("1", "任务", "12345", "市经信局") + "</tr>"
    found = extract(_page(tmp_path, row, header))
    warnings = found.outcome.result.warnings
    assert [(w.check, "联系电话" in w.message) for w in warnings] == [("unknown_column", True)]
    assert found.frames["key_tasks"]["extras"].iloc[0] == {"联系电话": "12345"}


def test_a_progress_column_is_kept_beside_its_task_not_read_as_units(tmp_path: Path) -> None:
    header = _th("分管市长", "序号", "主要工作任务", "前三季度完成情况", "责任单位")
    row = "<tr>" + _th("周军波", "1", "任务", "已完成", "★财政局、税务局") + "</tr>"
    found = extract(_page(tmp_path, row, header))
    tasks, units = found.frames["key_tasks"], found.frames["task_units"]
    assert tasks["extras"].iloc[0] == {"分管市长": "周军波", "前三季度完成情况": "已完成"}
    assert list(units["unit_written"]) == ["财政局", "税务局"]
    assert [w.check for w in found.outcome.result.warnings] == ["role_by_keyword"]


def test_a_table_without_a_unit_column_reads_the_lead_written_in_the_task(tmp_path: Path) -> None:
    header = _th("序号", "工作内容", "完成情况")
    row = "<tr>" + _th("1", "抓好疫情防控。（牵头单位：市卫生健康委）", "已完成") + "</tr>"
    found = extract(_page(tmp_path, row, header))
    tasks, units = found.frames["key_tasks"], found.frames["task_units"]
    assert list(tasks["task_text"]) == ["抓好疫情防控。"]
    assert tasks["extras"].iloc[0] == {"完成情况": "已完成"}
    assert list(zip(units["unit"], units["role"], strict=True)) == [("市卫生健康委", "lead")]


def test_roles_read_from_a_keyword_and_units_read_by_rule_are_flagged(tmp_path: Path) -> None:
    path = tmp_path / "notice.html"
    title = "<p>宁波市海曙区人民政府办公室关于印发2023年重点工作责任分解的通知</p>"
    table = "<table><tr>" + _th("序号", "目标任务", "牵头处室") + "</tr>"
    table += "<tr>" + _th("1", "地区生产总值增长6%。", "市发改委") + "</tr></table>"
    path.write_text(f"<html><body>{title}{table}</body></html>", encoding="utf-8")
    warnings = {w.check: w for w in extract(path).outcome.result.warnings}
    assert "'牵头处室' read as lead (keyword 牵头)" in warnings["role_by_keyword"].message
    assert "'市发改委' read as '宁波市发改委'" in warnings["unit_by_rule"].message


def test_a_column_under_an_unknown_header_holding_unit_names_is_a_units_column(
    tmp_path: Path,
) -> None:
    header = _th("序号", "主要工作任务", "实施主体")
    rows = "".join(
        "<tr>" + _th(str(i), f"任务{i}", units) + "</tr>"
        for i, units in enumerate(["市经信局、市财政局", "市科技局", "各镇（街道）、市商务局"], 1)
    )
    found = extract(_page(tmp_path, rows, header))
    assert list(found.frames["task_units"]["unit_written"])[:2] == ["市经信局", "市财政局"]
    flagged = {w.check: w.message for w in found.outcome.result.warnings}
    assert (
        "'实施主体' read as units (content: 100% of cells are unit names)"
        in flagged["role_by_content"]
    )


def test_a_units_header_over_long_text_is_flagged_as_disputed(tmp_path: Path) -> None:
    header = _th("序号", "主要工作任务", "责任单位")
    prose = "由各地结合实际情况认真组织实施并按季度报送工作进展情况和存在的主要问题"
    rows = "<tr>" + _th("1", "任务", prose) + "</tr>"
    found = extract(_page(tmp_path, rows, header))
    flagged = {w.check: w.message for w in found.outcome.result.warnings}
    assert "its cells are long text, not unit names" in flagged["role_disputed"]


@pytest.mark.parametrize(("plan", "year"), [("第十一个五年规划纲要", 2006), ("“十四五”规划", 2021)])
def test_a_five_year_plan_breakdown_takes_the_plans_first_year(
    tmp_path: Path, plan: str, year: int
) -> None:
    path = tmp_path / "plan.html"
    title = f"<p>—1—</p><p>《嘉兴市国民经济和社会发展{plan}》主要目标任务分解落实方案</p>"
    table = "<table><tr>" + _th("序号", "主要工作任务", "责任单位") + "</tr>"
    table += "<tr>" + _th("1", "地区生产总值年均增长12%左右。", "市发展改革委") + "</tr></table>"
    path.write_text(f"<html><body>{title}{table}</body></html>", encoding="utf-8")
    found = extract(path)
    assert found.outcome.info is not None and found.outcome.info.year == year
    assert "分解落实方案" in found.outcome.info.title
