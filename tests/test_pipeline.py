"""`notices run` end to end on a real (throwaway) Prefect server: publish, rerun, quarantine."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.cli import EXIT_OK, EXIT_QUARANTINED, main
from publish.read import duckdb_source, read_dataset
from schemas.datasets import datasets
from tests.conftest import NOTICE_2024

EXPECTED_ROWS = {
    "notices": 1,
    "key_tasks": 122,
    "task_units": 251,
    "livelihood_projects": 36,
    "livelihood_targets": 528,
}


def _snapshot(out: Path) -> dict[str, str]:
    """Every published file and manifest with its content hash."""
    files = [*out.glob("*/year=*/*.parquet"), *out.glob("_manifests/*.json")]
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _run(*args: str) -> int:
    return main(["run", *args])


@pytest.fixture(scope="module")
def published(prefect_server, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(NOTICE_2024 / "notice.txt", raw / "嘉兴 2024 通知.txt")
    out = tmp_path_factory.mktemp("out")
    assert _run(str(raw), "--out", str(out)) == EXIT_OK
    return out


def test_every_dataset_is_published_under_year_2024(published: Path) -> None:
    for name in datasets():
        assert len(list((published / name / "year=2024").glob("*.parquet"))) == 1, name


def test_pandas_reads_the_documented_types(published: Path) -> None:
    for name, spec in datasets().items():
        frame = read_dataset(published, name)
        assert list(frame.columns) == [*spec.column_names, "year"]
        assert str(frame["year"].dtype) == "int16"
        if name in EXPECTED_ROWS:
            assert len(frame) == EXPECTED_ROWS[name], name
    tasks = read_dataset(published, "key_tasks")
    assert str(tasks["seq"].dtype) == "int32"
    assert isinstance(tasks.iloc[0]["units"][0], str)


def test_duckdb_reads_the_documented_types(published: Path) -> None:
    source = duckdb_source(published, "livelihood_targets")
    types = {row[0]: row[1] for row in duckdb.sql(f"describe select * from {source}").fetchall()}
    assert types["value"] == "DOUBLE"
    assert types["item_no"] == "INTEGER"
    assert types["year"] == "SMALLINT"
    count = duckdb.sql(f"select count(*) from {source} where value_kind = 'percent'").fetchall()
    assert count == [(17,)]


def test_the_run_summary_lists_exactly_the_three_real_warnings(published: Path) -> None:
    summary = (published / "reports" / "summary.md").read_text(encoding="utf-8")
    warnings = [
        line for line in summary.splitlines() if line.startswith("- ") and ": project" in line
    ]
    assert warnings == [
        "- name_differs_from_table: project 23 name says 146.4公里, its items add up to 147.2",
        "- name_differs_from_table: project 23 name says 14.2公里, 雨水管网 says 15",
        "- city_target_without_areas: project 27: city-wide target 10 but every area is /",
    ]
    index = published / "reports" / "data_docs" / "index.html"
    assert "2024-cf657ba048" in index.read_text(encoding="utf-8")


def test_the_review_folder_lists_every_warning_of_the_notice(published: Path) -> None:
    review = (published / "review" / "warnings.csv").read_text(encoding="utf-8-sig")
    rows = review.strip().splitlines()
    assert rows[0] == "notice_id,check,dataset,message,rows"
    assert len(rows) == 1 + 4 and all(r.startswith("2024-cf657ba048,") for r in rows[1:])


def test_no_unknown_units_in_the_review_file(published: Path) -> None:
    review = (published / "review" / "unknown_units.csv").read_text(encoding="utf-8-sig")
    assert review.splitlines() == ["notice_id,source_file,row_id,unit,cell_text"]


def test_publishing_twice_replaces_rather_than_duplicates(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(published, out)
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(NOTICE_2024 / "notice.docx", raw / "notice.docx")
    assert _run(str(raw), "--out", str(out)) == EXIT_OK
    assert len(read_dataset(out, "key_tasks")) == 122
    assert len(read_dataset(out, "livelihood_targets")) == 528


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "raw" / "broken.txt"
    path.parent.mkdir()
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "check"),
    [
        ("\t78\n", "\t77\n", "expect_column_values_to_be_unique"),  # a repeated 序号
        (
            "\t5\n\t社会消费品零售总额增长5.5%以上。\n\t市商务局\n",
            "\t5\n\t社会消费品零售总额增长5.5%以上。\n\t\n",
            "task_has_unit",
        ),  # a dropped unit
    ],
)
def test_a_notice_failing_a_critical_check_is_quarantined_and_nothing_changes(
    published: Path, tmp_path: Path, old: str, new: str, check: str
) -> None:
    out = tmp_path / "out"
    shutil.copytree(published, out)
    before = _snapshot(out)
    broken = _broken_copy(tmp_path, old, new)
    assert _run(str(broken), "--out", str(out)) == EXIT_QUARANTINED
    assert _snapshot(out) == before
    folders = list((out / "quarantine").iterdir())
    assert len(folders) == 1
    assert (folders[0] / "broken.txt").read_bytes() == broken.read_bytes()
    reason = json.loads((folders[0] / "reason.json").read_text(encoding="utf-8"))
    assert reason["status"] == "quarantined"
    assert check in [f["check"] for f in reason["error"]["failures"]]
    assert "was not published" in (folders[0] / "reason.md").read_text(encoding="utf-8")


def test_an_unknown_unit_is_published_flagged_and_listed_for_review(
    published: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(published, out)
    notice = _broken_copy(tmp_path, "\t市统计局\n", "\t市大数据统计中心\n")
    assert _run(str(notice), "--out", str(out)) == EXIT_OK
    units = read_dataset(out, "task_units")
    unknown = units[~units["known"]]
    assert list(unknown["unit"]) == ["市大数据统计中心"]
    assert list(unknown["role"]) == ["lead"]
    review = (out / "review" / "unknown_units.csv").read_text(encoding="utf-8-sig")
    assert "T074-1,市大数据统计中心,市大数据统计中心" in review
    assert read_dataset(out, "notices").iloc[0]["unknown_units"] == 1


def _drop_first_target(frames):  # type: ignore[no-untyped-def]
    frames["livelihood_targets"] = frames["livelihood_targets"].iloc[1:]


def _number_without_value(frames):  # type: ignore[no-untyped-def]
    targets = frames["livelihood_targets"]
    targets.loc[targets.index[0], "value"] = None


@pytest.mark.parametrize(
    ("fault", "check"),
    [
        (_drop_first_target, "rows_match_reader"),
        (_number_without_value, "expect_column_values_to_not_be_null"),
    ],
)
def test_a_fault_between_stages_quarantines_the_notice(
    published: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault,
    check: str,  # type: ignore[no-untyped-def]
) -> None:
    import flows.pipeline

    real = flows.pipeline.dataset_frames

    def faulty(*args, **kwargs):  # type: ignore[no-untyped-def]
        frames = real(*args, **kwargs)
        fault(frames)
        return frames

    monkeypatch.setattr(flows.pipeline, "dataset_frames", faulty)
    out = tmp_path / "out"
    shutil.copytree(published, out)
    before = _snapshot(out)
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(NOTICE_2024 / "notice.html", raw / "notice.html")
    assert _run(str(raw), "--out", str(out)) == EXIT_QUARANTINED
    assert _snapshot(out) == before
    reason = json.loads((out / "quarantine" / "2024-cf657ba048" / "reason.json").read_text("utf-8"))
    assert check in [f["check"] for f in reason["error"]["failures"]]


def test_parquet_files_carry_the_schema_version(published: Path) -> None:
    import pyarrow.parquet as pq

    from schemas.datasets import schema_version

    path = next((published / "key_tasks" / "year=2024").glob("*.parquet"))
    assert pq.read_schema(path).metadata[b"schema_version"].decode() == schema_version()


def test_the_output_folder_has_the_dataset_card(published: Path) -> None:
    card = (published / "README.md").read_text(encoding="utf-8")
    assert "## `livelihood_targets`" in card and "`value_kind`" in card
