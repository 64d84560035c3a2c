"""Unit cells as notices write them: (cell, year, jurisdiction) -> units, leads, capacities."""

from __future__ import annotations

import pytest

from normalise.registry import load_registry
from normalise.units import read_units, split_units

CITY = "嘉兴市"

# fmt: off
CASES = [
    # raw cell, year, jurisdiction, units, leads, capacities, unknown
    ("市科技局、市财政局", 2024, CITY, ["市科技局", "市财政局"], ["市科技局"], {}, []),
    ("*市发展改革委、市生态环境局", 2024, CITY,
     ["市发展改革委", "市生态环境局"], ["市发展改革委"], {}, []),
    ("市科技局、市财政局▲", 2024, CITY, ["市科技局", "市财政局"], ["市财政局"], {}, []),
    ("★财政局、税务局", 2024, "平湖市",
     ["平湖市财政局", "平湖市税务局"], ["平湖市财政局"], {}, []),
    ("区财政局*、区发改局", 2024, "南湖区",
     ["南湖区财政局", "南湖区发改局"], ["南湖区财政局"], {}, []),
    ("▲税务局,财政局,各镇乡(街道)", 2024, "平湖市",
     ["平湖市税务局", "平湖市财政局", "各镇（街道）"], ["平湖市税务局"], {}, []),
    ("市金融办、人行嘉兴市中心支行、 嘉兴银保监分局", 2023, CITY,
     ["市金融办", "市人民银行", "国家金融监督管理总局嘉兴监管分局"], ["市金融办"], {}, []),
    ("市人力社保局、市农业农村局分别牵头", 2024, CITY,
     ["市人力社保局", "市农业农村局"], ["市人力社保局", "市农业农村局"], {}, []),
    ("市人力社保局和市农业农村局分别牵头、市财政局", 2024, CITY,
     ["市人力社保局", "市农业农村局", "市财政局"], ["市人力社保局", "市农业农村局"], {}, []),
    ("市商务局、市经信局牵头，市财政局配合", 2024, CITY,
     ["市商务局", "市经信局", "市财政局"], ["市商务局", "市经信局"], {}, []),
    ("市委组织部（市委人才办）、\n市科技局", 2024, CITY,
     ["市委组织部", "市科技局"], ["市委组织部"], {"市委组织部": "市委人才办"}, []),
    ("发改局(服务业发展局)", 2024, "平湖市",
     ["平湖市发改局"], ["平湖市发改局"], {"平湖市发改局": "服务业发展局"}, []),
    ("市红十字会市卫生健康委", 2024, CITY,
     ["市红十字会", "市卫生健康委"], ["市红十字会"], {}, []),
    ("各县（市、区）政府、市级其他有关单位", 2024, CITY,
     ["各县（市、区）政府", "市级其他有关单位"], ["各县（市、区）政府"], {}, []),
    ("各县(市、区)政府", 2024, CITY, ["各县（市、区）政府"], ["各县（市、区）政府"], {}, []),
    ("市科技局，市财政局；市教育局", 2024, CITY,
     ["市科技局", "市财政局", "市教育局"], ["市科技局"], {}, []),
    ("市人力社保局 市财政局", 2024, CITY, ["市人力社保局", "市财政局"], ["市人力社保局"], {}, []),
    ("市发展改革委（首位单位为牵头单位，下同）、市财政局", 2024, CITY,
     ["市发展改革委", "市财政局"], ["市发展改革委"], {}, []),
    ("嘉兴市发展和改革委员会、市发改委", 2024, CITY,
     ["市发展改革委", "市发展改革委"], ["市发展改革委"], {}, []),
    ("市财政局", 2024, "平湖市", ["平湖市财政局"], ["平湖市财政局"], {}, []),
    ("市财政局", 2024, CITY, ["市财政局"], ["市财政局"], {}, []),
    ("市财政局配合，市发展改革委牵头", 2024, CITY,
     ["市财政局", "市发展改革委"], ["市发展改革委"], {}, []),
    ("市财政局配合、市发展改革委", 2024, CITY,
     ["市财政局", "市发展改革委"], ["市发展改革委"], {}, []),
    ("市科技局、市发展改革委（牵头）", 2024, CITY,
     ["市科技局", "市发展改革委"], ["市发展改革委"], {}, []),
    # A unit whose name holds 牵头 is a name, not a lead phrase (unknown here, so kept whole).
    ("市重点工作牵头办、市财政局", 2024, CITY,
     ["市重点工作牵头办", "市财政局"], ["市重点工作牵头办"], {}, ["市重点工作牵头办"]),
    # Never guessed: names the registry does not know here are kept whole, as written.
    ("财政局", 2024, CITY, ["财政局"], ["财政局"], {}, ["财政局"]),
    ("人行嘉兴市中心支行", 2025, CITY,
     ["人行嘉兴市中心支行"], ["人行嘉兴市中心支行"], {}, ["人行嘉兴市中心支行"]),
    ("市新能源办、市科技局", 2024, CITY,
     ["市新能源办", "市科技局"], ["市新能源办"], {}, ["市新能源办"]),
    ("市红十字会市新单位", 2024, CITY,
     ["市红十字会市新单位"], ["市红十字会市新单位"], {}, ["市红十字会市新单位"]),
]
# fmt: on


@pytest.mark.parametrize(
    ("raw", "year", "jurisdiction", "units", "leads", "capacities", "unknown"), CASES
)
def test_unit_cells(
    raw: str,
    year: int,
    jurisdiction: str,
    units: list[str],
    leads: list[str],
    capacities: dict[str, str],
    unknown: list[str],
) -> None:
    mentions = read_units(raw, year, jurisdiction)
    assert [m.unit for m in mentions] == units
    assert [m.unit for m in mentions if m.role == "lead"] == leads
    assert {m.unit: m.capacity for m in mentions if m.capacity} == capacities
    assert [m.unit for m in mentions if not m.known] == unknown


def test_a_list_is_not_split_inside_brackets() -> None:
    assert split_units("各县（市、区）政府、市财政局。") == ["各县（市、区）政府", "市财政局"]


def test_catch_alls_are_units_of_kind_group() -> None:
    registry = load_registry()
    for name in ("各县（市、区）政府", "市级其他有关单位", "各镇（街道）"):
        assert registry.units[name].kind == "group"


def test_the_2024_registry_has_59_distinct_units_in_use(every_format) -> None:  # type: ignore[no-untyped-def]
    frames = every_format["txt"].frames
    used = set(frames["task_units"]["unit"])
    used |= {u for units in frames["livelihood_projects"]["lead_units"] for u in units}
    assert len(used) == 59
    assert used <= set(load_registry().units)
