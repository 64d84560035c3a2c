"""Notices without a task table: numbered paragraphs with 责任单位 / 牵头单位 / 配合单位 fields,
in every format, and the same tasks, units and leads from each."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from flows.inspect import inspect_file
from tests.conftest import extract

PARAGRAPHS = [
    "长兴县人民政府办公室关于印发2023年政府工作报告重点工作责任分解的通知",
    "长兴县人民政府办公室",
    "一、朱伟县长牵头重点工作",
    "1.财政总收入和一般公共预算收入与经济增长基本同步。",
    "责任单位：县财政局（列第一位者为牵头单位，下同）、县税务局。",
    "2.全力防范化解财政金融等领域风险隐患。",
    "牵头单位：县金融办",
    "配合单位：县财政局、各乡镇（街道、园区）",
    "二、王平副县长牵头重点工作",
    "1.推进共同富裕。责 任 人：王平；责任单位：县发改局、县农业农村局。",
]


def _write(path: Path, fmt: str, paragraphs: list[str] = PARAGRAPHS) -> Path:
    if fmt == "docx":
        document = docx.Document()
        for text in paragraphs:
            document.add_paragraph(text)
        document.save(str(path))
    elif fmt == "html":
        body = "".join(f"<p>{text}</p>" for text in paragraphs)
        path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    else:
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


@pytest.fixture(params=["txt", "html", "docx"])
def notice(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return _write(tmp_path / f"notice.{request.param}", request.param)


def test_three_numbered_paragraphs_are_three_tasks(notice: Path) -> None:
    tasks = extract(notice).frames["key_tasks"]
    assert list(tasks["seq"]) == [1, 2, 1]
    assert tasks["task_text"].iloc[0] == "财政总收入和一般公共预算收入与经济增长基本同步。"
    assert tasks["task_text"].iloc[2] == "推进共同富裕。"


def test_numbering_that_starts_again_under_a_heading_keeps_ids_unique(notice: Path) -> None:
    tasks = extract(notice).frames["key_tasks"]
    assert tasks["task_id"].is_unique
    assert tasks["task_id"].iloc[2].endswith("-B2-T001-1")
    assert list(tasks["section"]) == ["一、朱伟县长牵头重点工作"] * 2 + [
        "二、王平副县长牵头重点工作"
    ]


def test_a_lead_field_names_the_lead_and_partners_follow(notice: Path) -> None:
    units = extract(notice).frames["task_units"]
    second = units[units["task_id"].str.endswith("T002-1")]
    assert list(second["unit_raw"]) == ["县金融办", "县财政局", "各乡镇（街道、园区）"]
    assert list(second["role"]) == ["lead", "co", "co"]


def test_the_lead_rule_glued_to_a_unit_is_not_a_unit(notice: Path) -> None:
    frames = extract(notice).frames
    units = frames["task_units"]
    first = units[units["task_id"] == frames["key_tasks"]["task_id"].iloc[0]]
    assert "牵头单位" not in "".join(first["unit_raw"])
    assert list(first["role"]) == ["lead", "co"]


def test_a_leader_field_is_not_read_as_a_unit(notice: Path) -> None:
    units = extract(notice).frames["task_units"]
    assert "王平" not in set(units["unit_raw"])


def test_inspect_shows_the_paragraph_layout_and_why(notice: Path) -> None:
    found = inspect_file(notice)
    table = next(t for t in found["tables"] if t["caption"] == "paragraphs")
    assert table["kind"] == "key_tasks" and table["data_rows"] == 3
    assert found["error"] is None


@pytest.mark.parametrize("fmt", ["txt", "html", "docx"])
def test_units_in_a_closing_bracket_end_the_task(tmp_path: Path, fmt: str) -> None:
    lines = [
        "宁波市人民政府办公厅关于印发2006年政府工作报告主要任务分解的通知",
        "一、2006年主要调控预期目标",
        "1.生产总值增长12%。",
        "全市生产总值增长12%，总量达到2790亿元。（市发改委、市统计局）",
        "各县（市）、区人民政府要抓好落实（此件公开发布）",
    ]
    path = _write(tmp_path / f"notice.{fmt}", fmt, lines)
    frames = extract(path).frames
    assert list(frames["key_tasks"]["task_text"]) == [
        "生产总值增长12%。全市生产总值增长12%，总量达到2790亿元。"
    ]
    assert list(frames["task_units"]["unit_written"]) == ["市发改委", "市统计局"]
