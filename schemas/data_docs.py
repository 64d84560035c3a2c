"""The Data Docs sites of a run's validations: the results `schemas/suites.py` keeps, rendered.

Rendering costs Great Expectations about 30 ms a page and its index lists every result, so the
notices that passed a dataset's suite in one pass are shown as one page per dataset (their ids
in its run name and batch markers); a failed validation has its own page. The results stay one
file per notice, so a site can be rebuilt from any set of them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from schemas.suites import (
    RESULTS_SUFFIX,
    KeptResult,
    all_met,
    dataset_suite,
    lock,
    new_context,
    read_results,
    unrendered,
)

SITE_NAME = "run"


def build_data_docs(site_dir: Path, results_dir: Path | None = None) -> Path | None:
    """One Data Docs site of every validation kept since the last build; its index page.

    Takes the results kept in this process and those written to `results_dir`, then forgets
    them (the JSON files are deleted): the next build covers the next run. None, and the site
    untouched, when nothing was validated.
    """
    files = sorted(results_dir.glob(f"*{RESULTS_SUFFIX}")) if results_dir is not None else []
    with lock:  # no validation adds to the kept results while they are rendered and cleared
        kept = [*unrendered, *(entry for path in files for entry in read_results(path))]
        if not kept:
            return None
        index = _build_site(site_dir, _passes_as_one(kept)[0])
        unrendered.clear()
    for path in files:
        path.unlink(missing_ok=True)
    return index


def build_site(site_dir: Path, files: list[Path], fresh: list[Path] | None = None) -> Path | None:
    """A Data Docs site of the results in these files, which stay: its index page, or None (and
    the site removed) when there are none. Only the pages of `fresh` results (every one when
    None) and of results whose page is missing are rendered, about 30 ms a page; the index
    lists them all, and GX removes the pages of results not given."""
    kept, members = _passes_as_one([entry for path in files for entry in read_results(path)])
    if not kept:
        shutil.rmtree(site_dir, ignore_errors=True)
        return None
    new = None if fresh is None else {tuple(k) for path in fresh for k, _ in read_results(path)}
    render = {
        tuple(key)
        for key, _ in kept
        if new is None
        or not new.isdisjoint(members.get(tuple(key), {tuple(key)}))
        or not _page(site_dir, key).exists()
    }
    with lock:
        return _build_site(site_dir, kept, render)


def _passes_as_one(
    kept: list[KeptResult],
) -> tuple[list[KeptResult], dict[tuple[str, ...], set[tuple[str, ...]]]]:
    """The results to show: those of notices that passed a dataset's suite in one pass as one
    (a page per dataset a pass, not per notice: rendering costs per page), each failed one
    alone; and the keys each shown result stands for."""
    shown: list[KeptResult] = []
    passes: dict[tuple[str, str, str], list[KeptResult]] = {}
    for key, result in kept:
        suite, _, run_time, batch = key
        if result.get("success"):
            passes.setdefault((suite, run_time, batch), []).append((key, result))
        else:
            shown.append((key, result))
    members: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for together in passes.values():
        one = together[0] if len(together) == 1 else _as_one(together)
        shown.append(one)
        members[tuple(one[0])] = {tuple(key) for key, _ in together}
    return shown, members


def _as_one(together: list[KeptResult]) -> KeptResult:
    """Passed results of one pass as one: every expectation any of them met, once; the run
    named by the notices (every one listed in its batch markers)."""
    (suite, _, run_time, batch), first = together[0]
    names = sorted(key[1] for key, _ in together)
    run_name = f"{len(names)}_notices_{names[0]}_to_{names[-1]}"
    expectations: dict[str, dict[str, Any]] = {}
    for _, result in together:
        for entry in result["results"]:
            config = {k: v for k, v in entry["expectation_config"].items() if k != "id"}
            expectations.setdefault(json.dumps(config, sort_keys=True), entry)
    results = list(expectations.values())
    meta = {**first["meta"], "run_id": {"run_name": run_name, "run_time": run_time}}
    # the page shows a batch's markers: there, the notices whose rows were validated
    meta["batch_markers"] = {**meta.get("batch_markers", {}), "notices": ", ".join(names)}
    return [suite, run_name, run_time, batch], all_met(first, results, meta)


def _page(site_dir: Path, key: list[str]) -> Path:
    """Where GX puts a validation's page: validations/suite/run name/run time/batch.html."""
    suite, run_name, run_time, batch = key
    return site_dir / "validations" / suite / run_name / run_time / f"{batch}.html"


def _build_site(
    site_dir: Path, kept: list[KeptResult], render: set[tuple[str, ...]] | None = None
) -> Path:
    """A context of its own, holding only these results: its site shows only them. Pages are
    rendered for the keys in `render` (all when None)."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    context = new_context()
    names = sorted({key[0] for key, _ in kept})
    for name in names:
        context.suites.add(dataset_suite(name))
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
