"""Great Expectations suites from schemas/expectations.toml, run over one notice's frames."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from schemas.datasets import datasets
from schemas.findings import Finding

EXPECTATIONS_TOML = Path(__file__).with_name("expectations.toml")


@cache
def suite_specs() -> dict[str, list[dict[str, Any]]]:
    """Per dataset, the expectations of the suite file."""
    return tomllib.loads(EXPECTATIONS_TOML.read_text(encoding="utf-8"))


def run_suites(
    frames: dict[str, pd.DataFrame],
    extra: dict[str, list[dict[str, Any]]],
    docs_dir: Path | None = None,
) -> list[Finding]:
    """Validate every frame with its suite (plus per-notice extras); failures become findings."""
    import logging

    import great_expectations as gx  # costs seconds: only when validation runs

    # This GX module sets its own logger to INFO and announces a temporary folder per context.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    _quiet(context)
    if docs_dir is not None:
        _add_docs_site(context, docs_dir)
    source = context.data_sources.add_pandas("notice")
    findings = []
    for name, frame in frames.items():
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for spec in [*suite_specs().get(name, []), *extra.get(name, [])]:
            suite.add_expectation(_expectation(spec))
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[definition],
                result_format={"result_format": "COMPLETE"},
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frame})
        for run in result.run_results.values():
            findings += [_finding(name, frame, r) for r in run.results if not r.success]
    if docs_dir is not None:  # once per notice, not once per dataset: a build renders every page
        context.build_data_docs()
    return findings


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


def _quiet(context: Any) -> None:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.variables.progress_bars = ProgressBarsConfig(globally=False)


def _add_docs_site(context: Any, docs_dir: Path) -> None:
    context.add_data_docs_site(
        site_name="reports",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir.resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
