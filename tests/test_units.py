"""Unit cells as notices write them: (cell, year, jurisdiction) -> units, leads, capacities."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from normalise.registry import (
    DEPARTMENTS_CSV,
    PATTERNS_CSV,
    UNITS_CSV,
    load_registry,
)
from normalise.units import UnitMention, read_units, split_units, with_lead_column
from recognise.jurisdiction import jurisdiction_of, load_places

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
    # A name written twice is one unit, where it is first listed.
    ("市财政局、市发改委、市财政局★", 2024, CITY,
     ["市财政局", "市发展改革委"], ["市财政局"], {}, []),
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
    # A bare department name means the notice's own place's, in a city notice too.
    ("财政局", 2024, CITY, ["市财政局"], ["市财政局"], {}, []),
    # Never guessed: names nothing knows here are kept whole, as written.
    ("人行嘉兴市中心支行", 2025, CITY,
     ["人行嘉兴市中心支行"], ["人行嘉兴市中心支行"], {}, ["人行嘉兴市中心支行"]),
    ("市新能源办、市科技局", 2024, CITY,
     ["市新能源办", "市科技局"], ["市新能源办"], {}, ["市新能源办"]),
    ("市红十字会市新单位", 2024, CITY,
     ["市红十字会市新单位"], ["市红十字会市新单位"], {}, ["市红十字会市新单位"]),
    # Other places' notices, as the corpus writes them.
    ("区房屋征收中心、区发改局、海曙自然资源规划分局、古林镇、石碶街道", 2024, "海曙区",
     ["区房屋征收中心", "海曙区发改局", "海曙区自然资源和规划局", "海曙区古林镇", "海曙区石碶街道"],
     ["区房屋征收中心"], {}, ["区房屋征收中心"]),
    ("经济投资局和航空口岸局分别牵头、区发改局", 2023, "海曙区",
     ["经济投资局", "航空口岸局", "海曙区发改局"], ["经济投资局", "航空口岸局"], {},
     ["经济投资局", "航空口岸局"]),
    ("市财政局(市国资委)、市委组织部、市审计局、市属各国有企业", 2023, "舟山市",
     ["舟山市财政局", "舟山市委组织部", "舟山市审计局", "市属各国有企业"], ["舟山市财政局"],
     {"舟山市财政局": "市国资委"}, []),
    ("省政府办公厅、省财政厅牵头,省商务厅、省文化广电和旅游厅", 2024, "浙江省",
     ["浙江省政府办公厅", "浙江省财政厅", "浙江省商务厅", "浙江省文化广电和旅游厅"],
     ["浙江省政府办公厅", "浙江省财政厅"], {}, []),
    ("省政府辦公廳、省財政廳牽頭,省商務廳", 2024, "浙江省",
     ["省政府辦公廳", "省財政廳", "省商務廳"], ["省政府辦公廳", "省財政廳"], {},
     ["省政府辦公廳", "省財政廳", "省商務廳"]),
    ("县财政局县发改局", 2023, "长兴县",
     ["长兴县财政局", "长兴县发改局"], ["长兴县财政局"], {}, []),
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


def _one(raw: str, jurisdiction: str, year: int = 2024) -> UnitMention:
    [mention] = read_units(raw, year, jurisdiction)
    return mention


def _read(mention: UnitMention) -> tuple[str, str | None, str | None, str]:
    return mention.unit, mention.kind, mention.jurisdiction, mention.resolved_by


# --- Any county or district: a standard department of the notice's place ---------------------


def test_县财政局_in_a_长兴县_notice_is_长兴县财政局() -> None:
    found = _one("县财政局", "长兴县")
    assert _read(found) == ("长兴县财政局", "government_department", "长兴县", "jurisdiction")


def test_区发改局_in_a_鄞州区_notice_is_鄞州区发改局() -> None:
    assert _one("区发改局", "鄞州区").unit == "鄞州区发改局"


def test_a_bare_发改局_in_a_平湖市_notice_is_平湖市s_row_of_the_registry() -> None:
    assert _read(_one("发改局", "平湖市")) == (
        "平湖市发改局",
        "government_department",
        "平湖市",
        "registry",
    )


def test_a_department_the_registry_lacks_is_made_for_the_place_and_says_so() -> None:
    assert _read(_one("科技局", "平湖市")) == (
        "平湖市科技局",
        "government_department",
        "平湖市",
        "jurisdiction",
    )


def test_a_unit_made_by_rule_has_its_official_name_for_the_units_dimension() -> None:
    _one("县发改局", "长兴县")
    _one("区生态环境分局", "北仑区")
    registry = load_registry()
    assert registry.unit("长兴县发改局").full_name == "长兴县发展和改革局"  # type: ignore[union-attr]
    assert registry.unit("北仑区生态环境分局").full_name == "宁波市生态环境局北仑分局"  # type: ignore[union-attr]
    assert registry.unit("市财政局").jurisdiction == CITY  # type: ignore[union-attr]


def test_市_in_a_county_level_city_notice_is_the_city_itself() -> None:
    assert _one("市财政局", "慈溪市").unit == "慈溪市财政局"
    assert _one("市卫健局", "乐清市").unit == "乐清市卫健局"


def test_variants_of_a_department_name_are_one_unit() -> None:
    written = ["发改局", "发展改革局", "发展和改革局", "发改委", "县发展和改革局"]
    assert {_one(w, "长兴县").unit for w in written} == {"长兴县发改局"}
    assert {_one(w, "宁波市").unit for w in ("市发改委", "市发展改革委", "市发改局")} == {
        "宁波市发改委"
    }


def test_市_in_a_district_notice_is_the_parent_citys_unit_read_by_rule() -> None:
    found = _one("市发改委", "海曙区")
    assert _read(found) == ("宁波市发改委", "government_department", "宁波市", "parent")


def test_市_in_a_南湖区_notice_is_嘉兴市s_registry_unit_read_by_rule() -> None:
    assert _read(_one("市科技局", "南湖区")) == (
        "市科技局",
        "government_department",
        "嘉兴市",
        "parent",
    )


def test_嘉兴市s_relative_names_do_not_leak_into_another_citys_notice() -> None:
    assert _read(_one("市财政局", "湖州市")) == (
        "湖州市财政局",
        "government_department",
        "湖州市",
        "jurisdiction",
    )
    assert _one("市委组织部", "平湖市").unit == "平湖市委组织部"


def test_a_prefix_of_the_wrong_level_is_unknown() -> None:
    assert not _one("县财政局", "北仑区").known
    assert not _one("区财政局", "长兴县").known
    assert not _one("区财政局", "宁波市").known  # which district?


def test_a_name_that_states_its_place_means_that_place_in_any_notice() -> None:
    assert _one("长兴县财政局", "湖州市").unit == "长兴县财政局"
    assert _one("北仑区财政局", "宁波市").unit == "北仑区财政局"
    assert _one("嵊泗县政府", "舟山市").kind == "local_government"
    assert _one("海曙自然资源规划分局", "海曙区").unit == "海曙区自然资源和规划局"


def test_a_full_name_is_the_places_unit() -> None:
    assert _read(_one("国家税务总局长兴县税务局", "湖州市")) == (
        "长兴县税务局",
        "vertical_agency",
        "长兴县",
        "jurisdiction",
    )
    assert _one("宁波生态环境局慈溪分局", "慈溪市").unit == "慈溪市生态环境分局"


def test_省_means_the_province_in_any_notice() -> None:
    assert _one("省财政厅", "嘉兴市").unit == "浙江省财政厅"
    assert _one("省大数据局", "浙江省", 2020).unit == "浙江省数据局"


def test_a_former_department_name_is_read_in_its_years_only() -> None:
    assert _one("市环保局", "金华市", 2018).unit == "金华市生态环境局"
    assert not _one("市环保局", "金华市", 2019).known
    assert _one("市卫生局", "台州市", 2006).unit == "台州市卫生健康委"


def test_two_former_bodies_merged_by_a_reform_stay_two_units_in_their_year() -> None:
    mentions = read_units("规划局、国土资源局、规划局", 2008, "永康市")
    assert [(m.unit, m.unit_written) for m in mentions] == [
        ("永康市自然资源和规划局", "规划局"),
        ("永康市自然资源和规划局", "国土资源局"),
    ]


def test_a_嘉兴市_notice_keeps_the_registrys_canonical_names_for_rule_readings() -> None:
    assert _read(_one("综合执法局", CITY)) == (
        "市综合执法局",
        "government_department",
        CITY,
        "jurisdiction",
    )
    assert _one("市发改委", CITY).resolved_by == "registry"


def test_a_unit_of_an_unknown_place_is_not_guessed() -> None:
    found = _one("发改局", "")
    assert (found.known, found.kind, found.jurisdiction, found.resolved_by) == (
        False,
        None,
        None,
        "unknown",
    )
    assert found.unit == found.unit_written == "发改局"


# --- Collective units --------------------------------------------------------------------------

COLLECTIVES = [
    ("各部门", "北仑区"),
    ("相关部门", "北仑区"),
    ("有关部门", "永康市"),
    ("相关街道", "北仑区"),
    ("各街道", "北仑区"),
    ("各乡镇（街道）", CITY),
    ("市级有关部门", "慈溪市"),
    ("市级其他有关单位", "湖州市"),
    ("市政府各直属单位", "宁波市"),
    ("市政府各部门", "平湖市"),
    ("市属各单位", "平湖市"),
    ("各镇街道", "平湖市"),
    ("各县（市、区）政府", "湖州市"),
    ("各区县政府", "湖州市"),
    ("省级有关单位", "浙江省"),
]


@pytest.mark.parametrize(("written", "jurisdiction"), COLLECTIVES)
def test_catch_alls_are_known_collective_units_of_the_notices_place(
    written: str, jurisdiction: str
) -> None:
    found = _one(written, jurisdiction)
    assert (found.known, found.kind, found.jurisdiction) == (True, "collective", jurisdiction)


def test_各镇_街道_园区_is_one_collective_unit() -> None:
    found = _one("各镇（街道、园区）", "海曙区")
    assert (found.unit, found.kind, found.resolved_by) == (
        "各镇（街道、园区）",
        "collective",
        "pattern",
    )


def test_各区县政府_with_its_zones_in_brackets_is_one_collective_unit() -> None:
    [first, second] = read_units(
        "市政府办公室、各区县政府(南太湖新区、长合区管委会)", 2023, "湖州市"
    )
    assert first.unit == "湖州市政府办公室"
    assert (second.unit, second.kind) == ("各区县政府（南太湖新区、长合区管委会）", "collective")


def test_units_run_together_with_a_catch_all_are_not_one_collective() -> None:
    assert [m.unit for m in read_units("市财政局市级有关部门", 2024, CITY)] == [
        "市财政局",
        "市级其他有关单位",
    ]


def test_the_registrys_catch_all_rows_stay_of_kind_group_there() -> None:
    registry = load_registry()
    for name in ("各县（市、区）政府", "市级其他有关单位", "各镇（街道）"):
        assert registry.units[name].kind == "group"


def test_a_town_is_a_township_of_the_notices_county() -> None:
    assert _read(_one("古林镇", "海曙区")) == ("海曙区古林镇", "township", "海曙区", "pattern")


# --- Splitting -------------------------------------------------------------------------------


def test_a_list_is_not_split_inside_brackets() -> None:
    assert split_units("各县（市、区）政府、市财政局。") == ["各县（市、区）政府", "市财政局"]
    assert split_units("各镇（街道、园区），市财政局,市税务局") == [
        "各镇（街道、园区）",
        "市财政局",
        "市税务局",
    ]


def test_等部门_单位_is_dropped_and_noted_on_the_unit_before_it() -> None:
    raw = "区公共项目建设管理中心、区国有资产管理中心等部门、单位,各街道"
    assert split_units(raw) == ["区公共项目建设管理中心", "区国有资产管理中心", "各街道"]
    mentions = read_units(raw, 2024, "北仑区")
    assert [m.etc for m in mentions] == [False, True, False]
    assert mentions[1].unit_written == "区国有资产管理中心"


@pytest.mark.parametrize("ending", ["等", "等部门", "等部门(单位)", "等有关单位"])
def test_a_trailing_等_phrase_says_the_list_is_not_exhaustive(ending: str) -> None:
    mentions = read_units(f"市财政局、市税务局{ending}", 2024, CITY)
    assert [(m.unit, m.etc) for m in mentions] == [("市财政局", False), ("市税务局", True)]


def test_a_list_without_等_is_exhaustive() -> None:
    assert not any(m.etc for m in read_units("市财政局、市税务局", 2024, CITY))


# --- Leads -----------------------------------------------------------------------------------


def _leads(mentions: list[UnitMention]) -> list[tuple[str, str | None]]:
    return [(m.unit, m.lead_by) for m in mentions if m.role == "lead"]


def test_a_star_on_one_unit_of_a_牵头单位_cell_makes_only_that_unit_lead() -> None:
    leads = read_units("市经信局、★市科技局", 2024, CITY)
    units = read_units("市财政局", 2024, CITY)
    merged = with_lead_column(leads, units)
    assert [m.unit for m in merged] == ["市经信局", "市科技局", "市财政局"]
    assert _leads(merged) == [("市科技局", "marker")]


def test_every_unit_of_an_unmarked_牵头单位_cell_leads_by_the_column() -> None:
    merged = with_lead_column(
        read_units("市经信局、市科技局", 2024, CITY), read_units("市财政局", 2024, CITY)
    )
    assert _leads(merged) == [("市经信局", "column"), ("市科技局", "column")]
    assert [m.position for m in merged] == [0, 1, 2]


def test_a_marker_in_the_责任单位_cell_outranks_the_牵头单位_column() -> None:
    merged = with_lead_column(
        read_units("市经信局", 2024, CITY), read_units("市财政局、市科技局▲", 2024, CITY)
    )
    assert _leads(merged) == [("市科技局", "marker")]


def test_a_blank_牵头单位_cell_leaves_the_first_listed_unit_leading() -> None:
    merged = with_lead_column([], read_units("市财政局、市科技局", 2024, CITY))
    assert _leads(merged) == [("市财政局", "first_listed")]


def test_a_rule_stated_in_the_cell_or_the_notice_makes_the_first_lead_by_rule() -> None:
    in_cell = read_units("县发改局（首位单位为牵头单位，下同）、县财政局", 2022, "海盐县")
    assert _leads(in_cell) == [("海盐县发改局", "rule")]
    stated = read_units("县财政局、县税务局", 2022, "海盐县", lead_rule="列第一位的为牵头单位")
    assert _leads(stated) == [("海盐县财政局", "rule")]
    assert _leads(read_units("县财政局、县税务局", 2022, "海盐县")) == [
        ("海盐县财政局", "first_listed")
    ]


def test_分别牵头_names_its_leads_by_marker() -> None:
    mentions = read_units("市人力社保局、市农业农村局分别牵头、市财政局", 2024, CITY)
    assert _leads(mentions) == [("市人力社保局", "marker"), ("市农业农村局", "marker")]


# --- The data files, as a data officer edits them ---------------------------------------------


def _copy_with(source: Path, folder: Path, extra: list[dict[str, str]]) -> Path:
    with source.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    target = folder / source.name
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, *extra])
    return target


def test_a_department_added_to_departments_csv_is_known_without_code(tmp_path: Path) -> None:
    row = {"department": "海事", "level": "county", "name": "海事处", "full_name": "{full}海事处"}
    row |= {"kind": "vertical_agency", "aliases": "海事局", "former_names": "", "note": ""}
    registry = load_registry(departments_csv=_copy_with(DEPARTMENTS_CSV, tmp_path, [row]))
    assert registry.resolve("县海事局", 2024, "岱山县") == "岱山县海事处"
    assert load_registry().resolve("县海事局", 2024, "岱山县") is None


def test_a_name_meaning_two_departments_at_one_tier_stops_with_its_line(tmp_path: Path) -> None:
    row = {"department": "海事", "level": "county", "name": "财政局", "full_name": "{full}海事处"}
    row |= {"kind": "vertical_agency", "aliases": "", "former_names": "", "note": ""}
    with pytest.raises(ValueError, match=r"departments\.csv line \d+: '财政局' already names 财政"):
        load_registry(departments_csv=_copy_with(DEPARTMENTS_CSV, tmp_path, [row]))


def test_a_collective_pattern_added_to_unit_patterns_csv_is_known(tmp_path: Path) -> None:
    row = {"pattern": "?直机关*", "means": "collective", "example": "", "note": ""}
    registry = load_registry(patterns_csv=_copy_with(PATTERNS_CSV, tmp_path, [row]))
    assert registry.lookup("区直机关", 2024, "海曙区").unit.kind == "collective"  # type: ignore[union-attr]
    assert load_registry().lookup("区直机关", 2024, "海曙区") is None


def test_two_rows_claiming_one_places_department_stop_the_run(tmp_path: Path) -> None:
    row = {
        "canonical": "平湖发改",
        "full_name": "平湖市发展改革局",
        "kind": "government_department",
    }
    row |= {"jurisdiction": "平湖市", "aliases": "", "local_aliases": ""}
    with pytest.raises(ValueError, match="平湖市's 发改"):
        load_registry(_copy_with(UNITS_CSV, tmp_path, [row]))


# --- The notice's jurisdiction ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "title", "paragraphs", "jurisdiction"),
    [
        ("杭州市拱墅区人民政府办公室", "", [], "拱墅区"),
        ("宁波市海曙区人民政府办公室", "", [], "海曙区"),
        ("长兴县人民政府办公室", "", [], "长兴县"),
        ("嘉兴市人民政府办公室", "", [], "嘉兴市"),
        ("区府办", "杭州市拱墅区人民政府办公室关于印发区2024年…的通知", [], "拱墅区"),
        ("", "台州市2006年政府工作报告目标任务责任分解", [], "台州市"),
        (
            "来源：市人民政府办公室",
            "关于印发2021年市政府重点工作…的通知",
            ["玉环市人民政府办公室"],
            "玉环市",
        ),
        ("", "省政府印发2020年政府工作报告重点工作责任分解通知", [], "浙江省"),
        ("上海市人民政府办公厅", "", [], "上海市"),  # not a Zhejiang place: as before
    ],
)
def test_a_notices_jurisdiction_is_the_place_its_issuer_names(
    issuer: str, title: str, paragraphs: list[str], jurisdiction: str
) -> None:
    assert jurisdiction_of(issuer, title, paragraphs) == jurisdiction


def test_a_place_merely_mentioned_in_a_paragraph_is_not_the_notices() -> None:
    paragraphs = ["根据《浙江省人民政府办公厅关于…》精神，现印发给你们"]
    assert jurisdiction_of("", "2024年区政府工作主要任务分解", paragraphs) == ""


def test_jurisdictions_cover_zhejiangs_11_cities_and_90_county_level_places() -> None:
    places = load_places().by_name.values()
    today = [p for p in places if p.valid_to is None]
    levels = [p.level for p in today]
    assert levels.count("city") == 11
    assert (levels.count("district"), levels.count("county"), levels.count("county_city")) == (
        37,
        33,
        20,
    )
    by_name = load_places().by_name
    for place in places:
        parent = by_name.get(place.parent)
        expected = {"province": None, "city": "province"}.get(place.level, "city")
        assert (parent.level if parent else None) == expected, place.name


def test_the_2024_registry_has_59_distinct_units_in_use(every_format) -> None:  # type: ignore[no-untyped-def]
    frames = every_format["txt"].frames
    used = set(frames["task_units"]["unit"])
    used |= {u for units in frames["livelihood_projects"]["lead_units"] for u in units}
    assert len(used) == 59
    assert used <= set(load_registry().units)
