"""Reading published datasets back with their documented types (year included)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from schemas.datasets import PARTITION, datasets


def read_dataset(out: Path, name: str) -> pd.DataFrame:
    """One dataset as a DataFrame: the schema's columns and types, then `year` as int16."""
    spec = datasets()[name]
    schema = pa.schema([*spec.schema, PARTITION])
    partitioning = ds.partitioning(pa.schema([PARTITION]), flavor="hive")
    dataset = ds.dataset(out / name, schema=schema, partitioning=partitioning, format="parquet")
    return dataset.to_table().to_pandas()


def duckdb_source(out: Path, name: str) -> str:
    """The DuckDB table expression for a dataset, with `year` typed as in the schema."""
    pattern = (out / name / "*" / "*.parquet").as_posix()
    return f"read_parquet('{pattern}', hive_partitioning = true, hive_types = {{'year': SMALLINT}})"
