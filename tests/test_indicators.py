"""Indicators: the measurable targets inside task texts and project names, as a dataset."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.records import NoticeResult, Status
from flows.inspect import describe_outcome
from flows.summary import summary_markdown
from normalise.indicators import (
    BOUNDS,
    VOCABULARY_TOML,
    Indicator,
    read_indicators,
    vocabulary,
)
from publish.read import duckdb_source, read_dataset
from publish.store import publish_notice
from schemas.validation import validate_notice
from tests.conftest import NOTICE_2024, Extracted, extract
from tools.score_indicators import SENTENCES, Score, score_file, score_sentence

TASK = "2024-cf657ba048-T{:03d}-1"
# Tasks 1 to 10 of the 2024 notice: (metric, change, value, unit, base value, bound) per target.
TASKS_1_TO_10 = {
    1: [("地区生产总值", "增长", "6", "%", 6, "about")],
    2: [("规上工业增加值", "增长", "6", "%", 6, "at_least")],
    3: [("服务业增加值", "增长", "6", "%", 6, "at_least")],
    4: [("固定资产投资", "增长", "6", "%", 6, "at_least")],
    5: [("社会消费品零售总额", "增长", "5.5", "%", 5.5, "at_least")],
    6: [("研发投入强度", "达到", "3.55", "%", 3.55, "exact")],
    7: [("一般公共预算收入", "增长", "6", "%", 6, "about")],
    8: [],  # 城乡居民收入与经济增长同步: no number
    9: [("居民消费价格指数", "涨幅", "3", "%", 3, "about")],
    10: [
        ("城镇新增就业", None, "11", "万人", 110000, "exact"),
        ("调查失业率", "控制在", "5", "%", 5, "at_most"),
    ],
}


def _targets(frame: pd.DataFrame, task: int) -> list[tuple[object, ...]]:
    rows = frame[frame["task_id"] == TASK.format(task)].sort_values("position")
    fields = ["metric", "change", "value_text", "unit_text", "base_value", "bound"]
    return [tuple(None if pd.isna(v) else v for v in row) for row in rows[fields].values]


def _one(text: str) -> Indicator:
    found = read_indicators(text)
    assert len(found) == 1, found
    return found[0]


# The 2024 notice, in each format


@pytest.mark.parametrize("task", sorted(TASKS_1_TO_10))
def test_every_target_of_tasks_1_to_10(notice_2024: Extracted, task: int) -> None:
    assert _targets(notice_2024.frames["task_indicators"], task) == TASKS_1_TO_10[task]


def test_task_10_has_two_targets_in_persons_and_percent(notice_2024: Extracted) -> None:
    frame = notice_2024.frames["task_indicators"]
    jobs, unemployment = frame[frame["task_id"] == TASK.format(10)].itertuples()
    assert (jobs.span, jobs.base_value, jobs.base_unit) == ("城镇新增就业11万人", 110000, "人")
    assert (unemployment.span, unemployment.bound) == ("调查失业率控制在5%以内", "at_most")


def test_task_17_carries_its_verb_to_the_second_enterprise_count(notice_2024: Extracted) -> None:
    frame = notice_2024.frames["task_indicators"]
    rows = frame[frame["task_id"] == TASK.format(17)]
    assert list(rows["metric"]) == ["国家高新技术企业", "省科技型中小企业"]
    assert list(rows["change"]) == ["新增", "新增"]
    assert [list(c) for c in rows["carried"]] == [[], ["change"]]
    assert list(rows["span"]) == ["新增国家高新技术企业500家", "省科技型中小企业1200家"]


def test_task_19_gives_three_talent_counts_sharing_one_verb(notice_2024: Extracted) -> None:
    frame = notice_2024.frames["task_indicators"]
    rows = frame[frame["task_id"] == TASK.format(19)]
    assert list(rows["metric"]) == ["省级以上高层次人才", "大学生", "技能人才"]
    assert set(rows["change"]) == {"新增"}
    assert list(rows["base_value"]) == [50, 100000, 50000]


def test_project_names_give_their_counts(notice_2024: Extracted) -> None:
    frame = notice_2024.frames["task_indicators"]
    pipes = frame[frame["project_id"] == "2024-cf657ba048-P023"]
    assert list(pipes["metric"]) == [
        "城市地下管网",
        "燃气管网",
        "供水管网",
        "生活污水管网",
        "雨水管网",
    ]
    assert list(pipes["base_value"]) == [146400, 62000, 38000, 32200, 14200]  # in metres
    assert set(pipes["change"]) == {"新（改）建"}


def test_no_target_from_a_year_a_name_an_age_or_a_grade(notice_2024: Extracted) -> None:
    frame = notice_2024.frames["task_indicators"]
    read_from = set(frame["task_id"].dropna()) | set(frame["project_id"].dropna())
    # G60, PM2.5, “6+1”, “10分钟品质文化生活圈”, 三年行动; 60岁, 40岁, 70周岁 以上老年人
    for row_id in ("T012-1", "T090-1", "T096-1", "T109-1", "T112-1", "P001", "P002", "P012"):
        assert f"2024-cf657ba048-{row_id}" not in read_from
    # 培育产值10亿元以上腰部企业 is a condition; only the 小巨人 count is a target
    assert _targets(frame, 39) == [
        ("国家级专精特新“小巨人”企业", "新增", "50", "家", 50, "at_least")
    ]
    # 实现3A级及以上景区村庄全覆盖 sits between the two charging-pile targets
    piles = frame.loc[frame["project_id"] == "2024-cf657ba048-P025", "metric"]
    assert list(piles) == ["农村公共充电桩", "中心城区公共充电桩"]


def test_every_format_reads_the_same_targets(every_format: dict[str, Extracted]) -> None:
    lineage = ["source_file", "table_index", "row_index"]
    frames = [e.frames["task_indicators"].drop(columns=lineage) for e in every_format.values()]
    assert all(f.equals(frames[0]) for f in frames[1:])
    assert len(frames[0]) == 85


# Sentences


@pytest.mark.parametrize(
    "text",
    [
        "扎实推进G60科创走廊建设",
        "加快5G基站建设",
        "加强工业废气、PM2.5治理攻坚",
        "深化“6+1”重点领域碳达峰行动",
        "为60岁以上老年人免费接种流感疫苗",
        "实现3A级及以上景区村庄全覆盖",
        "2024年是实施“十四五”规划关键一年",
        "落实首台（套）产品推广应用等政策",
        "2024年2月1日",
        "实施安全生产治本攻坚三年行动",
        "6月底前完成方案编制",
        "经市十六届政府第48次常务会议讨论通过",
        "全面落实民营经济31条",
        "全面淘汰35蒸吨以下燃煤锅炉",
        "培育产值10亿元以上腰部企业",
        "推进新冠疫苗加强针和3-11岁人群接种工作",
    ],
)
def test_years_names_ages_grades_dates_and_conditions_are_not_targets(text: str) -> None:
    assert read_indicators(text) == []


def test_a_range_keeps_both_ends_in_base_units() -> None:
    found = _one("服务业增加值增长4.5-5.0%")
    assert (found.bound, found.lower, found.upper, found.value) == ("range", 4.5, 5.0, None)
    money = _one("完成投资100—120亿元")
    assert (money.lower, money.upper, money.base_unit) == (1e10, 1.2e10, "元")


def test_qualifiers_give_the_bound() -> None:
    assert _one("地区生产总值增长6%左右").bound == "about"
    assert _one("研发经费支出占比不低于3%").bound == "at_least"
    assert _one("研发经费支出占比超过2.8%").bound == "at_least"
    assert _one("城镇登记失业率3.5%以内").bound == "at_most"
    assert _one("居民消费价格涨幅控制在3%").bound == "at_most"
    assert _one("完成3800余项改造").bound == "at_least"
    assert _one("研发投入强度达到3.55%").bound == "exact"


def test_striving_words_mark_every_target_of_their_clause_a_stretch() -> None:
    found = read_indicators(
        "引进超亿美元项目50个以上，力争完成旅客吞吐量1370万人次、货邮吞吐量15.5万吨"
    )
    assert [(f.metric, f.stretch) for f in found] == [
        ("超亿美元项目", False),
        ("旅客吞吐量", True),
        ("货邮吞吐量", True),
    ]
    assert found[2].base_value == 155000 and found[2].change == "完成"


def test_respectively_pairs_metrics_and_values_one_by_one() -> None:
    found = read_indicators("力争工业投资、民间投资分别增长10%和9.5%以上")
    assert [(f.metric, f.value_text, f.bound) for f in found] == [
        ("工业投资", "10", "exact"),
        ("民间投资", "9.5", "at_least"),
    ]
    assert all(f.confidence == "high" for f in found)


def test_a_role_left_unclear_is_kept_and_flagged_low() -> None:
    found = read_indicators("城乡居民人均可支配收入分别增长7.5%和8%")
    assert [f.value_text for f in found] == ["7.5", "8"]
    assert all(f.flags == ["respectively_unpaired"] and f.confidence == "low" for f in found)


def test_a_deadline_goes_to_the_target_it_precedes() -> None:
    found = read_indicators("确保新建项目开工率一季度达到50%以上、上半年达到80%、10月底前全部开工")
    assert [(f.metric, f.deadline, f.value_text) for f in found] == [
        ("新建项目开工率", "一季度", "50"),
        ("新建项目开工率", "上半年", "80"),
    ]
    assert _one("年底前完成1501个劣V类小微水体整治任务").deadline == "年底前"


def test_a_count_before_its_noun_takes_the_noun_as_metric() -> None:
    found = read_indicators("建成3个未来社区,创建1个美丽城镇省级样板、2个省级风貌样板区")
    assert [(f.metric, f.change, f.value_text) for f in found] == [
        ("未来社区", "建成", "3"),
        ("美丽城镇省级样板", "创建", "1"),
        ("省级风貌样板区", "创建", "2"),
    ]


def test_a_metric_missing_after_a_comma_comes_from_the_clause_before() -> None:
    found = read_indicators("其中一产增加值138亿元,增长5%")
    assert [(f.metric, f.change, f.base_value) for f in found] == [
        ("一产增加值", None, 1.38e10),
        ("一产增加值", "增长", 5),
    ]
    assert found[1].carried == ["metric"]


def test_traditional_characters_are_read_and_kept_as_written() -> None:
    found = read_indicators("力爭規模工業增加值增長10%、實際利用外資3億美元")
    assert [(f.metric, f.change, f.base_value, f.stretch) for f in found] == [
        ("規模工業增加值", "增長", 10, True),
        ("實際利用外資", None, 3e8, True),
    ]


def test_long_runs_of_digits_end_quickly_without_a_target() -> None:
    # A regex that backtracks over every split of the run would not finish here.
    assert read_indicators("1" * 50_000 + "%") == []
    assert read_indicators("增长" + "1." * 20_000 + "万亿元") == []
    assert len(read_indicators("新增" + "企业10家、" * 2_000)) == 2_000


# Pieces of target sentences, shuffled into texts no notice would print.
_PIECES = [
    *("6", "11", "3.55", "%", "万", "亿元", "个", "家", "以上", "左右", "以内", "、", "和", "，"),
    *("增长", "新增", "达到", "控制在", "分别", "均", "力争", "为", "在", "“", "”", "第", "年"),
    *("岁", "地区生产总值", "企业", "G", "-", "—", "至", "（", "）", "年底前", "一季度", " "),
]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_any_text_gives_well_formed_targets_or_none(text: str) -> None:
    """A text the reader cannot make sense of must not stop the notice: no exception, and every
    target it does read has a unit, a known bound and either a value or both ends."""
    for found in read_indicators(text):
        assert found.unit_text and found.span and found.bound in BOUNDS
        assert found.span_start >= 0 and text[found.span_start :].startswith(found.span[:1])
        if found.bound == "range":
            assert found.lower is not None and found.upper is not None
        else:
            assert found.base_value is not None and found.lower is None


def test_the_vocabulary_uses_only_known_bounds_and_unit_kinds() -> None:
    vocab = vocabulary()
    bounds = {*vocab.changes.values(), *vocab.before.values(), *vocab.after.values()}
    assert bounds - {""} <= set(BOUNDS)
    assert all(len(row) % 2 == 0 for row in _fold_rows())  # one traditional, one simplified
    kinds = {u.kind for u in vocab.units.values()}
    assert kinds <= {"percent", "money", "count", "length", "area", "volume", "mass", "power"} | {
        "duration",
        "ratio",
        "attribute",
    }


def _fold_rows() -> list[str]:
    return tomllib.loads(VOCABULARY_TOML.read_text(encoding="utf-8"))["fold"]["traditional"]


# The hand-checked corpus


@pytest.mark.parametrize("name", ["notice_2024.json", "corpus.json"])
def test_precision_and_recall_on_the_hand_checked_sentences(name: str) -> None:
    score = score_file(SENTENCES / name)
    assert score.sentences >= 75
    assert score.precision >= 0.95, score.misses
    assert score.recall >= 0.95, score.misses


def test_the_scorer_counts_a_wrong_reading_as_wrong() -> None:
    score = Score()
    right = {"metric": "地区生产总值", "change": "增长", "value": "6", "unit": "%"}
    right |= {"base_value": 6, "bound": "about", "stretch": False}
    score_sentence("地区生产总值增长6%左右", [{**right, "bound": "at_least"}], score)
    assert (score.right, score.precision, score.recall) == (0, 0.0, 0.0)
    score_sentence("地区生产总值增长6%左右", [right], score)
    assert score.right == 1


# The dataset: validated, published, read back


def test_the_2024_notice_passes_the_indicator_suite(notice_2024: Extracted) -> None:
    report = notice_2024.outcome.report
    assert report is not None
    assert [f for f in [*report.failures, *report.warnings] if f.dataset == "task_indicators"] == []


def _range_without_ends(frame: pd.DataFrame) -> None:
    frame.loc[0, "bound"] = "range"


def _unknown_bound(frame: pd.DataFrame) -> None:
    frame.loc[0, "bound"] = "roughly"


def _repeated_id(frame: pd.DataFrame) -> None:
    frame.loc[1, "indicator_id"] = frame.loc[0, "indicator_id"]


def _sure_without_metric(frame: pd.DataFrame) -> None:
    frame.loc[0, "metric"] = None


@pytest.mark.parametrize(
    ("break_it", "check"),
    [
        (_range_without_ends, "expect_column_values_to_not_be_null"),
        (_unknown_bound, "expect_column_values_to_be_in_set"),
        (_repeated_id, "expect_column_values_to_be_unique"),
        (_sure_without_metric, "expect_column_values_to_not_be_null"),
    ],
)
def test_the_suite_catches_a_broken_indicator(break_it, check: str) -> None:  # type: ignore[no-untyped-def]
    notice = extract(NOTICE_2024 / "notice.txt")
    frames = {name: frame.copy(deep=True) for name, frame in notice.frames.items()}
    break_it(frames["task_indicators"])
    report = validate_notice(notice.rows, notice.tables, frames)
    caught = [f.check for f in report.failures if f.dataset == "task_indicators"]
    assert check in caught


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    notice = extract(NOTICE_2024 / "notice.txt")
    info = notice.outcome.info
    assert info is not None
    publish_notice(out, info.notice_id, info.year, notice.frames, [{"name": "notice.txt"}])
    return out


def test_pandas_reads_back_the_documented_types(published: Path) -> None:
    frame = read_dataset(published, "task_indicators")
    assert len(frame) == 85
    types = frame.dtypes.astype(str).to_dict()
    assert types["base_value"] == "float64" and types["position"] == "int32"
    assert types["stretch"] == "bool" and types["year"] == "int16"
    assert list(frame.loc[frame["indicator_id"].str.endswith("T017-1-I02"), "carried"].iloc[0]) == [
        "change"
    ]


def test_duckdb_reads_back_the_documented_types(published: Path) -> None:
    source = duckdb_source(published, "task_indicators")
    types = {r[0]: r[1] for r in duckdb.sql(f"describe select * from {source}").fetchall()}
    assert types["base_value"] == "DOUBLE" and types["position"] == "INTEGER"
    assert types["carried"] == "VARCHAR[]" and types["year"] == "SMALLINT"
    total = duckdb.sql(
        f"select sum(base_value) from {source} where unit_text = '亿元' and change = '新增'"
    ).fetchall()
    assert total == [(6.2e10,)]  # 制造业中长期贷款 320亿元 + 专项债 300亿元


# What people see


def test_inspect_lists_the_notice_s_indicators(notice_2024: Extracted) -> None:
    found = describe_outcome(notice_2024.outcome)
    assert found["rows"]["task_indicators"] == len(found["indicators"]) == 85
    assert found["indicators"][0]["metric"] == "地区生产总值"


def test_the_summary_counts_indicators_per_notice() -> None:
    result = NoticeResult("notice.txt", Status.PUBLISHED, "2024-x", rows={"task_indicators": 85})
    header, _, row = summary_markdown([result]).splitlines()[4:7]
    assert header.split(" | ")[7] == "indicators"
    assert row.split(" | ")[7] == "85"
