"""Great Expectations suites from schemas/expectations.toml, run over one notice's frames.

Building a GX context, its data source, assets and suites costs far more than validating a
notice (docs/FINDINGS.md), so one context per process holds them and a notice only runs its
frames through them. Each validation's results are kept until a Data Docs site renders them: in
this process's memory, or as a JSON file in a folder (`results_dir`), which also names the files
validated (their sha256) so that the run can keep the results of a published notice apart from
those of a quarantined file, each in a site of its own (`build_site`).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import shutil
import threading
import tomllib
import uuid
from copy import copy
from dataclasses import dataclass, field
from functools import cache
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
SITE_NAME = "run"
RESULTS_SUFFIX = ".gx-results.json"

# A (validation result key, result as JSON) pair, as Data Docs needs it.
KeptResult = tuple[list[str], dict[str, Any]]


@dataclass
class _Shared:
    """The process's GX context and, per dataset, its batch definition and suite."""

    context: Any
    source: Any
    batches: dict[str, Any] = field(default_factory=dict)
    suites: dict[str, Any] = field(default_factory=dict)


# GX's pandas execution engine holds one batch per asset, and an asset's batch id is the same for
# every notice: two notices validated at once would read each other's frames. One at a time.
_lock = threading.Lock()
_shared: _Shared | None = None
_kept: list[KeptResult] = []  # results of this process not yet rendered into a site


@cache
def suite_specs() -> dict[str, list[dict[str, Any]]]:
    """Per dataset, the expectations of the suite file."""
    return tomllib.loads(EXPECTATIONS_TOML.read_text(encoding="utf-8"))


def run_suites(
    frames: dict[str, pd.DataFrame],
    extra: dict[str, list[dict[str, Any]]],
    results_dir: Path | None = None,
) -> list[Finding]:
    """Validate every frame with its suite (plus per-notice extras); failures become findings.

    The results are kept for a Data Docs build: in this process's memory, or, with
    `results_dir`, as one JSON file there naming the files validated (for a build in another
    process, into the site of the published notices or the quarantine's, see `build_site`).
    """
    findings: list[Finding] = []
    kept: list[KeptResult] = []
    with _lock:
        shared = _shared_context()
        run_id = _run_id(frames)
        for name, frame in frames.items():
            result = _validate(shared, name, frame, extra.get(name, []), run_id)
            findings += [_finding(name, frame, r) for r in result.results if not r.success]
            kept.append((_result_key(name, run_id, result.batch_id), result.to_json_dict()))
        if results_dir is None:
            _kept.extend(kept)
    if results_dir is not None:
        try:
            _write_results(results_dir, run_id.run_name, kept, _sources(frames.get("notices")))
        except OSError as error:  # a full disk: the notice is validated, its Data Docs page lost
            logging.getLogger(__name__).warning("validation results not kept: %s", error)
    return findings


def build_data_docs(site_dir: Path, results_dir: Path | None = None) -> Path | None:
    """One Data Docs site of every validation kept since the last build; its index page.

    Takes the results kept in this process and those written to `results_dir`, then forgets
    them (the JSON files are deleted): the next build covers the next run. None, and the site
    untouched, when nothing was validated.
    """
    files = sorted(results_dir.glob(f"*{RESULTS_SUFFIX}")) if results_dir is not None else []
    with _lock:  # no validation adds to the kept results while they are rendered and cleared
        kept = [*_kept, *(entry for path in files for entry in _read_results(path))]
        if not kept:
            return None
        index = _build_site(site_dir, kept)
        _kept.clear()
    for path in files:
        path.unlink(missing_ok=True)
    return index


def build_site(site_dir: Path, files: list[Path], fresh: list[Path] | None = None) -> Path | None:
    """A Data Docs site of the results in these files, which stay: its index page, or None (and
    the site removed) when there are none. Only the pages of `fresh` results (every one when
    None) and of results whose page is missing are rendered, about 0.2 s a notice; the index
    lists them all, and GX removes the pages of results not given."""
    kept = [entry for path in files for entry in _read_results(path)]
    if not kept:
        shutil.rmtree(site_dir, ignore_errors=True)
        return None
    new = None if fresh is None else {tuple(k) for path in fresh for k, _ in _read_results(path)}
    render = {
        tuple(key)
        for key, _ in kept
        if new is None or tuple(key) in new or not _page(site_dir, key).exists()
    }
    with _lock:
        return _build_site(site_dir, kept, render)


def _page(site_dir: Path, key: list[str]) -> Path:
    """Where GX puts a validation's page: validations/suite/run name/run time/batch.html."""
    suite, run_name, run_time, batch = key
    return site_dir / "validations" / suite / run_name / run_time / f"{batch}.html"


def result_sources(path: Path) -> list[str]:
    """The sha256 of the files whose validation a results file holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("sources", [])) if isinstance(data, dict) else []


def _shared_context() -> _Shared:
    """The process's context, made on first use (the caller holds the lock)."""
    global _shared
    if _shared is None:
        context = _new_context()
        _shared = _Shared(context, context.data_sources.add_pandas("notice"))
    return _shared


def _new_context() -> Any:
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


def _add_dataset(shared: _Shared, name: str) -> None:
    asset = shared.source.add_dataframe_asset(name)
    shared.batches[name] = asset.add_batch_definition_whole_dataframe(name)
    suite = _suite(name, [_expectation(spec) for spec in suite_specs().get(name, [])])
    shared.suites[name] = shared.context.suites.add(suite)


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


def _run_id(frames: dict[str, pd.DataFrame]) -> Any:
    """The notice (and the format it was read from) names the run in the Data Docs index."""
    from great_expectations.core.run_identifier import RunIdentifier

    now = datetime.datetime.now(datetime.UTC)
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


def _read_results(path: Path) -> list[KeptResult]:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data["results"] if isinstance(data, dict) else data  # a list: before sources
    return [(entry["key"], entry["result"]) for entry in entries]


def _build_site(
    site_dir: Path, kept: list[KeptResult], render: set[tuple[str, ...]] | None = None
) -> Path:
    """A context of its own, holding only these results: its site shows only them. Pages are
    rendered for the keys in `render` (all when None)."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    context = _new_context()
    names = sorted({key[0] for key, _ in kept})
    for name in names:
        specs = suite_specs().get(name, [])
        context.suites.add(_suite(name, [_expectation(spec) for spec in specs]))
    store = context.validation_results_store
    for key, result in kept:
        store.set(ValidationResultIdentifier.from_tuple(tuple(key)), store.deserialize(result))
    context.add_data_docs_site(site_name=SITE_NAME, site_config=_site_config(site_dir))
    identifiers: list[Any] | None = None
    if render is not None:  # never empty: GX would render everything
        identifiers = [ExpectationSuiteIdentifier(name=name) for name in names]
        identifiers += [ValidationResultIdentifier.from_tuple(key) for key in sorted(render)]
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=identifiers)
    return site_dir.resolve() / "index.html"


def _site_config(site_dir: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(site_dir.resolve()),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
