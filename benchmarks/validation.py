"""One notice's validation against the same expectations run as plain pandas comparisons."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks import NOTICE
from benchmarks.timing import Figure, side_by_side
from flows.pipeline import VALIDATED_TOGETHER, FileOutcome, process_file
from schemas.data_docs import build_data_docs
from schemas.findings import CRITICAL
from schemas.suites import run_suites, run_suites_together, suite_specs
from schemas.validation import validate_notice

SECTION = "validation"
TOGETHER = VALIDATED_TOGETHER  # notices validated in one pass, as a run does


def failing_rows(frame: pd.DataFrame, spec: dict[str, Any]) -> int:
    """Rows failing one expectation of schemas/expectations.toml, in pandas. As in GX, a
    missing value fails only the null expectations; a row condition selects the rows first."""
    condition = spec.get("row_condition")
    if condition:
        chosen = frame[condition["column"]].isin(condition.get("is_in", condition.get("is_not_in")))
        frame = frame[chosen if "is_in" in condition else ~chosen]
    kind = spec["expectation"]
    if kind == "ExpectCompoundColumnsToBeUnique":
        return int(frame.duplicated(subset=spec["column_list"], keep=False).sum())
    values = frame[spec["column"]]
    if kind == "ExpectColumnValuesToNotBeNull":
        return int(values.isna().sum())
    if kind == "ExpectColumnValuesToBeNull":
        return int(values.notna().sum())
    values = values.dropna()
    if kind == "ExpectColumnValuesToBeUnique":
        return int(values.duplicated(keep=False).sum())
    if kind == "ExpectColumnValuesToBeInSet":
        return int((~values.isin(spec["value_set"])).sum())
    if kind == "ExpectColumnValueLengthsToBeBetween":
        values = values.str.len()
    if kind in ("ExpectColumnValuesToBeBetween", "ExpectColumnValueLengthsToBeBetween"):
        low, high = spec.get("min_value"), spec.get("max_value")
        outside = (values < low if low is not None else False) | (
            values > high if high is not None else False
        )
        return int(pd.Series(outside).sum())
    raise ValueError(f"no pandas version of {kind}")


def pandas_expectations(frames: dict[str, pd.DataFrame], extra: dict[str, list[Any]]) -> int:
    """Every expectation of every dataset (and the notice's extras): failing rows in all."""
    specs = suite_specs()
    return sum(
        failing_rows(frame, spec)
        for name, frame in frames.items()
        for spec in [*specs.get(name, []), *extra.get(name, [])]
    )


def area_expectation(outcome: FileOutcome) -> dict[str, list[dict[str, Any]]]:
    """The per-notice extra that `validate_notice` adds: target areas among the table's."""
    areas = sorted({a for t in outcome.tables if t.kind == "livelihood" for a in t.areas})
    spec = {"expectation": "ExpectColumnValuesToBeInSet", "column": "area"}
    return {"livelihood_targets": [{**spec, "value_set": areas, "level": CRITICAL}]}


def validation_figures(repeat: int) -> list[Figure]:
    """Per notice, per notice when many are validated in one pass, and the run's Data Docs."""
    return [
        *per_notice_figures(repeat),
        one_pass_figure(max(1, repeat // 5), TOGETHER),
        data_docs_figure(max(1, repeat // 10), TOGETHER),
    ]


def per_notice_figures(repeat: int) -> list[Figure]:
    """GX suites alone and every check of a notice, against the suites in pandas; the
    results go to a folder, as in a run (kept for the run's Data Docs)."""
    outcome = process_file(NOTICE / "notice.docx")  # warm: the process's GX context
    assert outcome.frames is not None and outcome.rows is not None, outcome.result.error
    frames, rows, tables = outcome.frames, outcome.rows, outcome.tables
    extra = area_expectation(outcome)
    if pandas_expectations(frames, extra):
        raise AssertionError("pandas finds failing rows where Great Expectations passes")
    with tempfile.TemporaryDirectory(prefix="notices-bench-gx-") as tmp:
        results = Path(tmp)
        suites_ms, plain_ms = side_by_side(
            lambda: run_suites(frames, extra, results),
            lambda: pandas_expectations(frames, extra),
            repeat,
        )
        checks_ms, plain_again_ms = side_by_side(
            lambda: validate_notice(rows, tables, frames, results),
            lambda: pandas_expectations(frames, extra),
            repeat,
        )
    return [
        Figure(SECTION, "GX suites, one notice", suites_ms, "same expectations in pandas",
               plain_ms),
        Figure(SECTION, "validate_notice (GX suites + checks)", checks_ms,
               "same expectations in pandas", plain_again_ms, target="≤ 30 ms"),
    ]  # fmt: skip


def one_pass_figure(repeat: int, notices: int) -> Figure:
    """What a notice costs when `notices` notices go through the suites together, as a run
    validates them (`run_suites_together`: one pass per dataset, GX's cost being per
    expectation, hardly per row), against one notice alone."""
    outcome = process_file(NOTICE / "notice.docx")
    assert outcome.frames is not None, outcome.result.error
    frames, extra = outcome.frames, area_expectation(outcome)
    with tempfile.TemporaryDirectory(prefix="notices-bench-gx-") as tmp:
        together_ms, alone_ms = side_by_side(
            lambda: run_suites_together([(frames, extra)] * notices, Path(tmp)),
            lambda: run_suites(frames, extra, Path(tmp)),
            repeat,
        )
    return Figure(
        SECTION,
        f"GX suites, {notices} notices in one pass, per notice",
        together_ms / notices,
        "GX suites, one notice alone",
        alone_ms,
        target="≤ 30 ms",
    )


def data_docs_figure(repeat: int, notices: int) -> Figure:
    """A run's Data Docs site of `notices` notices validated together against one of a single
    notice: the ratio says how the build grows with the run (interleaved, median)."""
    outcome = process_file(NOTICE / "notice.docx")
    assert outcome.frames is not None, outcome.result.error
    frames, extra = outcome.frames, area_expectation(outcome)
    times: tuple[list[float], list[float]] = ([], [])
    with tempfile.TemporaryDirectory(prefix="notices-bench-docs-") as tmp:
        for round_ in range(repeat + 1):
            for spent, count in zip(times, (notices, 1), strict=True):
                results, site = Path(tmp, "results"), Path(tmp, f"site-{round_}-{count}")
                # validated together, as a run does (the build deletes what it rendered)
                run_suites_together([(frames, extra)] * count, results)
                started = time.perf_counter()
                build_data_docs(site, results)
                if round_:
                    spent.append(time.perf_counter() - started)
    return Figure(
        SECTION,
        f"Data Docs of {notices} notices",
        statistics.median(times[0]),
        "Data Docs of 1 notice",
        statistics.median(times[1]),
        "s",
        target="≤ 2 s per run",
    )
