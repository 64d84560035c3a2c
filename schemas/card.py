"""The dataset card: every dataset and column with type and meaning, generated from the schemas."""

from __future__ import annotations

from schemas.datasets import datasets, schema_version, spec_file


def dataset_card() -> str:
    """Markdown documentation of the published datasets (docs/datasets.md, output/README.md)."""
    lines = [
        "# Datasets",
        "",
        f"Generated from `schemas/datasets.toml` (schema version {schema_version()}). Every "
        "dataset is Parquet, hive-partitioned by `year` (int16): "
        "`output/<dataset>/year=<year>/<notice_id>.parquet`. Columns are only ever added.",
        "",
    ]
    for spec in datasets().values():
        lines += [
            f"## `{spec.name}`",
            "",
            spec.description,
            "",
            f"Key: `{', '.join(spec.key)}`.",
            "",
            "| column | type | nullable | meaning |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{c.name}` | {c.type_name} | {'yes' if c.nullable else 'no'} | {c.description} |"
            for c in spec.columns
        ]
        lines.append("")
    lines += ["## Checks", "", "| check | level | meaning |", "|---|---|---|"]
    checks: dict[str, list[str]] = spec_file()["checks"]  # type: ignore[assignment]
    lines += [f"| `{name}` | {level} | {meaning} |" for name, (level, meaning) in checks.items()]
    lines += ["", _READING]
    return "\n".join(lines)


_READING = """## Reading the data

```python
from pathlib import Path
from publish.read import read_dataset

tasks = read_dataset(Path("output"), "key_tasks")  # documented types, year as int16
```

Without this project: `pandas.read_parquet("output/key_tasks")` (year comes back as a
category). In DuckDB:

```sql
select * from read_parquet('output/key_tasks/*/*.parquet',
                           hive_partitioning = true, hive_types = {'year': SMALLINT});
```
"""


if __name__ == "__main__":
    print(dataset_card(), end="")
