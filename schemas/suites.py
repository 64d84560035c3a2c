"""Great Expectations suites from schemas/expectations.toml, run over notices' frames.

Building a GX context, its data source, assets and suites costs far more than validating a
notice (docs/FINDINGS.md), so one context per process holds them and a notice only runs its
frames through them. Many notices are validated together: one pass per dataset over all their
rows (uniqueness and each notice's own expectations taken per notice) says which pass; only a
notice that may fail is validated alone, so its findings are exactly those it gets alone.
Each validation's results are kept until a Data Docs site renders them: in this process's
memory, or as a JSON file in a folder (`results_dir`), which also names the files validated
(their sha256) so that the run can keep the results of a published notice apart from those of a
quarantined file, each in a site of its own (schemas/data_docs.py).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import threading
import tomllib
import uuid
from copy import copy
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from schemas.datasets import datasets
from schemas.findings import Finding

EXPECTATIONS_TOML = Path(__file__).with_name("expectations.toml")
RESULT_FORMAT = {"result_format": "COMPLETE"}  # every unexpected index: findings name the rows
# Pass or fail only: about half the cost. Most frames pass; a failing one is validated again
# with RESULT_FORMAT so its findings name the rows.
PASS_FORMAT = {"result_format": "BOOLEAN_ONLY"}
RESULTS_SUFFIX = ".gx-results.json"

# A (validation result key, result as JSON) pair, as Data Docs needs it.
KeptResult = tuple[list[str], dict[str, Any]]
Frames = dict[str, pd.DataFrame]  # a notice's frames, by dataset
Extra = dict[str, list[dict[str, Any]]]  # a notice's own expectations, by dataset
NOTICE_COLUMN = "_notice"  # in a pass over many notices' rows: which notice a row is of
# Expectations that compare a row with others: in one pass over many notices, taken per notice.
_UNIQUE = {"ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"}
_ORDERED = {"ExpectColumnValuesToBeIncreasing", "ExpectColumnValuesToBeDecreasing"}


@dataclass
class _Shared:
    """The process's GX context and, per dataset, its batch definition and suite (and the
    suite's expectations as taken per notice in a pass over many, None when they cannot be)."""

    context: Any
    source: Any
    batches: dict[str, Any] = field(default_factory=dict)
    suites: dict[str, Any] = field(default_factory=dict)
    per_notice: dict[str, list[Any] | None] = field(default_factory=dict)


# GX's pandas execution engine holds one batch per asset, and an asset's batch id is the same for
# every notice: two notices validated at once would read each other's frames. One at a time.
lock = threading.Lock()
_shared: _Shared | None = None
unrendered: list[KeptResult] = []  # this process's results not yet rendered into a site


@cache
def suite_specs() -> dict[str, list[dict[str, Any]]]:
    """Per dataset, the expectations of the suite file."""
    return tomllib.loads(EXPECTATIONS_TOML.read_text(encoding="utf-8"))


def run_suites(frames: Frames, extra: Extra, results_dir: Path | None = None) -> list[Finding]:
    """Validate one notice's frames with their suites (plus its extras); failures become
    findings. The results are kept as `run_suites_together` keeps them."""
    return run_suites_together([(frames, extra)], results_dir)[0]


def run_suites_together(
    notices: list[tuple[Frames, Extra]], results_dir: Path | None = None
) -> list[list[Finding]]:
    """Validate every notice's frames with their suites (plus each notice's extras); each
    notice's failures become its findings, the same as validated alone.

    The results are kept for a Data Docs build: in this process's memory, or, with
    `results_dir`, as one JSON file a notice there naming the files validated (for a build in
    another process, into the site of the published notices or the quarantine's, see
    `build_site`).
    """
    findings: list[list[Finding]] = [[] for _ in notices]
    kept: list[list[KeptResult]] = [[] for _ in notices]
    with lock:
        shared = _shared_context()
        now = datetime.datetime.now(datetime.UTC)  # one time a pass: its site shows it as one
        run_ids = [_run_id(frames, now) for frames, _ in notices]
        for name in dict.fromkeys(name for frames, _ in notices for name in frames):
            suspects, passed = _suspects(shared, name, notices)
            template = _passed(shared, name, passed) if passed is not None else None
            for i, (frames, extra) in enumerate(notices):
                if name not in frames:
                    continue
                if template is None or i in suspects:
                    result = _validate(shared, name, frames[name], extra.get(name, []), run_ids[i])
                    failed = [r for r in result.results if not r.success]
                    findings[i] += [_finding(name, frames[name], r) for r in failed]
                    entry = (_result_key(name, run_ids[i], result.batch_id), result.to_json_dict())
                else:
                    entry = _passed_as(template, extra.get(name, []), run_ids[i])
                kept[i].append(entry)
        if results_dir is None:
            unrendered.extend(entry for entries in kept for entry in entries)
    if results_dir is not None:
        for (frames, _), run_id, entries in zip(notices, run_ids, kept, strict=True):
            try:
                _write_results(
                    results_dir, run_id.run_name, entries, _sources(frames.get("notices"))
                )
            except OSError as error:  # a full disk: validated, its Data Docs page lost
                logging.getLogger(__name__).warning("validation results not kept: %s", error)
    return findings


def result_sources(path: Path) -> list[str]:
    """The sha256 of the files whose validation a results file holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("sources", [])) if isinstance(data, dict) else []


def _shared_context() -> _Shared:
    """The process's context, made on first use (the caller holds the lock)."""
    global _shared
    if _shared is None:
        context = new_context()
        _shared = _Shared(context, context.data_sources.add_pandas("notice"))
    return _shared


def new_context() -> Any:
    import great_expectations as gx  # costs seconds: only when validation runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # This GX module sets its own logger to INFO and announces a temporary folder per context.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _validate(
    shared: _Shared, name: str, frame: pd.DataFrame, extra: list[dict[str, Any]], run_id: Any
) -> Any:
    """One frame through its dataset's suite and this notice's extra expectations."""
    from great_expectations.constants import DATAFRAME_REPLACEMENT_STR

    if name not in shared.batches:
        _add_dataset(shared, name)
    suite = shared.suites[name]
    if extra:  # a copy of the suite: the stored one stays the same for every notice
        suite = _suite(name, [*(copy(e) for e in suite.expectations), *map(_expectation, extra)])
    batch = shared.batches[name].get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format=PASS_FORMAT)
    if not result.success:
        result = batch.validate(suite, result_format=RESULT_FORMAT)
    # What ValidationDefinition.run adds, and what Data Docs shows of a run.
    result.meta["run_id"] = run_id
    result.meta["validation_time"] = run_id.run_time
    result.meta["batch_parameters"] = {"dataframe": DATAFRAME_REPLACEMENT_STR}
    return result


def _suspects(
    shared: _Shared, name: str, notices: list[tuple[Frames, Extra]]
) -> tuple[set[int], Any]:
    """The notices that may fail this dataset's suite, by one pass over all their rows, and that
    pass's result (None without one: every notice is then validated alone)."""
    if name not in shared.batches:
        _add_dataset(shared, name)
    holding = [i for i, (frames, _) in enumerate(notices) if name in frames]
    extras = {i: notices[i][1].get(name, []) for i in holding}
    base = _per_notice_expectations(shared, name)
    own = [spec for extra in extras.values() for spec in extra]
    if base is None or len(holding) < 2 or not all(map(_value_set, own)):
        return set(holding), None
    parts = [notices[i][0][name].assign(**{NOTICE_COLUMN: i}) for i in holding]
    frame = pd.concat(parts, ignore_index=True)  # labels are positions: a row names its notice
    suite = _suite(name, [*(copy(e) for e in base), *_own_value_sets(frame, extras)])
    batch = shared.batches[name].get_batch(batch_parameters={"dataframe": frame})
    passed = batch.validate(suite, result_format=PASS_FORMAT)
    if passed.success:
        return set(), passed
    suspects: set[int] = set()
    for result in batch.validate(suite, result_format=RESULT_FORMAT).results:
        rows = None if result.success else result.result.get("unexpected_index_list")
        if not result.success and not rows:  # failed as a whole (an exception): no row to blame
            return set(holding), passed
        suspects.update(frame.loc[rows or [], NOTICE_COLUMN])
    return suspects, passed


def _own_value_sets(frame: pd.DataFrame, extras: dict[int, list[dict[str, Any]]]) -> list[Any]:
    """Each notice's own value set for a column as one expectation over all their rows: a
    column of the values keyed by notice ("3:南湖"), added to `frame`, in the keyed sets."""
    allowed: dict[str, set[str]] = {}
    for i, extra in extras.items():
        for spec in extra:
            rest = json.dumps({k: v for k, v in spec.items() if k != "value_set"}, sort_keys=True)
            allowed.setdefault(rest, set()).update(f"{i}:{value}" for value in spec["value_set"])
    expectations = []
    for n, (rest, values) in enumerate(allowed.items()):
        spec = json.loads(rest)
        keyed = f"{NOTICE_COLUMN}_{spec['column']}_{n}"
        frame[keyed] = frame[NOTICE_COLUMN].astype(str) + ":" + frame[spec["column"]].astype(str)
        expectations.append(_expectation({**spec, "column": keyed, "value_set": sorted(values)}))
    return expectations


def _per_notice_expectations(shared: _Shared, name: str) -> list[Any] | None:
    if name not in shared.per_notice:
        specs = suite_specs().get(name, [])
        together = all(_row_by_row(spec) for spec in specs)
        expectations = [_expectation(_per_notice(spec)) for spec in specs] if together else None
        shared.per_notice[name] = expectations
    return shared.per_notice[name]


def _row_by_row(spec: dict[str, Any]) -> bool:
    """An expectation that judges each row alone, or a uniqueness one (taken per notice)."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    kind = getattr(gxe, spec["expectation"])
    maps = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
    return issubclass(kind, maps) and spec["expectation"] not in _ORDERED


def _per_notice(spec: dict[str, Any]) -> dict[str, Any]:
    """A uniqueness expectation within each notice: unique with the notice's column."""
    if spec["expectation"] not in _UNIQUE:
        return spec
    columns = spec.get("column_list") or [spec["column"]]
    others = {k: v for k, v in spec.items() if k not in ("column", "column_list", "expectation")}
    return {
        **others,
        "expectation": "ExpectCompoundColumnsToBeUnique",
        "column_list": [NOTICE_COLUMN, *columns],
    }


def _value_set(spec: dict[str, Any]) -> bool:
    """A notice's own expectation that a pass over many notices can take (`_own_value_sets`)."""
    return spec["expectation"] == "ExpectColumnValuesToBeInSet" and "row_condition" not in spec


def _passed(shared: _Shared, name: str, passed: Any) -> KeptResult:
    """What a notice's validation says of a dataset's suite when the pass over many notices
    found nothing of it, every expectation met (pass or fail only), before its own
    expectations and its run's name are added (`_passed_as`): serialised once a pass, since
    GX takes milliseconds to serialise a result."""
    from great_expectations.constants import DATAFRAME_REPLACEMENT_STR
    from great_expectations.core import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )

    results = [
        ExpectationValidationResult(
            success=True, expectation_config=_configured(e, passed.batch_id), result={}
        )
        for e in shared.suites[name].expectations
    ]
    # the pass's load time stands; its fingerprint is of many notices' rows, not of this one's
    markers = dict(passed.meta.get("batch_markers", {}))
    markers.pop("pandas_data_fingerprint", None)
    meta = {**passed.meta, "batch_markers": markers}
    meta["batch_parameters"] = {"dataframe": DATAFRAME_REPLACEMENT_STR}
    result = ExpectationSuiteValidationResult(
        success=True, results=results, suite_name=name, meta=meta, batch_id=passed.batch_id
    )
    return [name, "", "", passed.batch_id], result.to_json_dict()


def _passed_as(template: KeptResult, extra: list[dict[str, Any]], run_id: Any) -> KeptResult:
    """The passed result of one notice: the template, its own expectations met, its run."""
    (name, _, _, batch_id), passed = template
    results = [*passed["results"], *(_met(json.dumps(spec), batch_id) for spec in extra)]
    run = {"run_name": run_id.run_name, "run_time": run_id.run_time.isoformat()}
    meta = {**passed["meta"], "run_id": run, "validation_time": run["run_time"]}
    return _result_key(name, run_id, batch_id), all_met(passed, results, meta)


def all_met(
    result: dict[str, Any], results: list[dict[str, Any]], meta: dict[str, Any]
) -> dict[str, Any]:
    """A suite's result (as JSON) with these expectation results, every one met."""
    count = len(results)
    statistics = {
        "evaluated_expectations": count,
        "successful_expectations": count,
        "unsuccessful_expectations": 0,
        "success_percent": 100.0,
    }
    return {**result, "results": results, "meta": meta, "statistics": statistics}


@lru_cache(maxsize=1024)
def _met(spec: str, batch_id: str) -> dict[str, Any]:
    """A notice's own expectation, met, as its result says (notices share their area sets)."""
    from great_expectations.core import ExpectationValidationResult

    config = _configured(_expectation(json.loads(spec)), batch_id)
    return ExpectationValidationResult(success=True, expectation_config=config).to_json_dict()


def _configured(expectation: Any, batch_id: str) -> Any:
    """The expectation's configuration as a validation of this batch records it."""
    config = expectation.configuration
    config.kwargs = {"batch_id": batch_id, **config.kwargs}
    return config


def _add_dataset(shared: _Shared, name: str) -> None:
    asset = shared.source.add_dataframe_asset(name)
    shared.batches[name] = asset.add_batch_definition_whole_dataframe(name)
    shared.suites[name] = shared.context.suites.add(dataset_suite(name))


def dataset_suite(name: str) -> Any:
    """The dataset's suite as schemas/expectations.toml writes it."""
    return _suite(name, [_expectation(spec) for spec in suite_specs().get(name, [])])


def _suite(name: str, expectations: list[Any]) -> Any:
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=expectations)


def _expectation(spec: dict[str, Any]) -> Any:
    import great_expectations.expectations as gxe

    arguments = {k: v for k, v in spec.items() if k not in ("expectation", "level")}
    if "row_condition" in arguments:
        arguments["row_condition"] = _condition(arguments["row_condition"])
    return getattr(gxe, spec["expectation"])(**arguments, meta={"level": spec["level"]})


def _condition(spec: dict[str, Any]) -> Any:
    """`{column = "value_kind", is_in = [...]}` as a GX condition (strings are deprecated)."""
    from great_expectations.expectations.row_conditions import Column

    column = Column(name=spec["column"])
    if "is_in" in spec:
        return column.is_in(spec["is_in"])
    return column.is_not_in(spec["is_not_in"])


def _finding(dataset: str, frame: pd.DataFrame, result: Any) -> Finding:
    config = result.expectation_config
    indexes = result.result.get("unexpected_index_list") or []
    key = list(datasets()[dataset].key)
    labels = [i for i in indexes[:20] if i in frame.index]  # GX reports index labels
    ids = ["/".join(map(str, frame.loc[i, key])) for i in labels]
    column = config.kwargs.get("column") or config.kwargs.get("column_list")
    return Finding(
        check=config.type,
        level=(config.meta or {}).get("level", "critical"),
        dataset=dataset,
        message=f"{config.type} on {column}: {result.result.get('unexpected_count', '?')} rows",
        rows=ids,
    )


def _run_id(frames: dict[str, pd.DataFrame], now: datetime.datetime) -> Any:
    """The notice (and the format it was read from) names the run in the Data Docs index."""
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=_run_name(frames.get("notices")), run_time=now)


def _run_name(notices: pd.DataFrame | None) -> str:
    if notices is None or notices.empty or "notice_id" not in notices:
        return "notice"
    first = notices.iloc[0]
    formats = first.get("source_formats")
    if formats is None or isinstance(formats, str):  # a list (or array) of formats, or nothing
        formats = [] if formats is None else [formats]
    parts = [str(first["notice_id"]), *map(str, formats)]
    # The name becomes a folder of the site: keep it to characters safe in paths and links.
    return re.sub(r"[^A-Za-z0-9_.-]", "_", "-".join(parts))


def _result_key(name: str, run_id: Any, batch_id: str | None) -> list[str]:
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    suite = ExpectationSuiteIdentifier(name=name)
    return list(ValidationResultIdentifier(suite, run_id, batch_id).to_tuple())


def _sources(notices: pd.DataFrame | None) -> list[str]:
    """The sha256 of the files a notice's frames were read from."""
    if notices is None or notices.empty or "sha256" not in notices:
        return []
    hashes = notices.iloc[0]["sha256"]
    return [str(h) for h in (hashes if hashes is not None else [])]


def _write_results(
    results_dir: Path, run_name: str, kept: list[KeptResult], sources: list[str]
) -> None:
    """One file per validated notice, complete before a build can see it."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{run_name}-{uuid.uuid4().hex}{RESULTS_SUFFIX}"
    partial = path.with_name(path.name + ".partial")
    entries = [{"key": key, "result": result} for key, result in kept]
    data = {"sources": sources, "results": entries}
    try:
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    except OSError:
        partial.unlink(missing_ok=True)  # a full disk: the Data Docs lack this validation
        raise
    os.replace(partial, path)


def read_results(path: Path) -> list[KeptResult]:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data["results"] if isinstance(data, dict) else data  # a list: before sources
    return [(entry["key"], entry["result"]) for entry in entries]
