"""The datasets' explicit pyarrow schemas, read from schemas/datasets.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

DATASETS_TOML = Path(__file__).with_name("datasets.toml")
PARTITION = pa.field("year", pa.int16(), nullable=False)

_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "bool": pa.bool_(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "float64": pa.float64(),
    "date32": pa.date32(),
    "list<string>": pa.list_(pa.string()),
    "map<string,string>": pa.map_(pa.string(), pa.string()),
}


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type_name: str
    nullable: bool
    description: str


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]

    @property
    def schema(self) -> pa.Schema:
        """The schema of the Parquet files (the partition column `year` lives in the path)."""
        fields = [pa.field(c.name, _TYPES[c.type_name], c.nullable) for c in self.columns]
        return pa.schema(fields, metadata={"schema_version": schema_version()})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@cache
def spec_file() -> dict[str, object]:
    return tomllib.loads(DATASETS_TOML.read_text(encoding="utf-8"))


def schema_version() -> str:
    return str(spec_file()["schema_version"])


@cache
def datasets() -> dict[str, DatasetSpec]:
    """Every published dataset, by name, in the order of the file."""
    found = {}
    for name, spec in spec_file()["datasets"].items():  # type: ignore[union-attr]
        columns = tuple(ColumnSpec(*column) for column in spec["columns"])
        found[name] = DatasetSpec(name, spec["description"], tuple(spec["key"]), columns)
    return found


def to_table(spec: DatasetSpec, frame: pd.DataFrame) -> pa.Table:
    """A frame as a table of exactly the dataset's schema (missing columns are an error)."""
    missing = [c for c in spec.column_names if c not in frame.columns]
    if missing:
        raise ValueError(f"{spec.name} lacks columns {missing}")
    return pa.Table.from_pandas(frame[spec.column_names], schema=spec.schema, preserve_index=False)


def dataset_frames(rows: dict[str, list[dict[str, object]]]) -> dict[str, pd.DataFrame]:
    """One DataFrame per published dataset, its columns in schema order."""
    return {
        name: pd.DataFrame(rows[name], columns=spec.column_names)
        for name, spec in datasets().items()
    }
