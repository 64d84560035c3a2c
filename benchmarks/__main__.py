"""`python -m benchmarks [--quick] [--json] [--notices N] [--only SECTION ...]`: every figure
of the benchmark as one table (or one JSON object). See benchmarks/__init__.py."""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import platform
import sys

from benchmarks.timing import Figure

SECTIONS = ["readers", "validation", "batch", "startup"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="few rounds, small batches")
    parser.add_argument("--repeat", type=int, help="rounds per pair (default 30, quick 5)")
    parser.add_argument(
        "--notices", type=int, help="the larger batch (default 60, quick 8); the smaller is 1/4"
    )
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS)
    return parser


def measure(section: str, args: argparse.Namespace) -> list[Figure]:
    """One section's figures; its module (and what it imports) is loaded only when it runs."""
    repeat = args.repeat or (5 if args.quick else 30)
    large = args.notices or (8 if args.quick else 60)
    calls: dict[str, tuple[str, object]] = {
        "readers": ("reader_figures", repeat),
        "validation": ("validation_figures", repeat),
        "batch": ("batch_figures", [max(2, large // 4), large]),
        "startup": ("startup_figures", 1 if args.quick else 3),
    }
    function, argument = calls[section]
    return getattr(importlib.import_module(f"benchmarks.{section}"), function)(argument)


def table(figures: list[Figure]) -> str:
    lines = [
        "| section | measured | value | baseline | value | ratio | target | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        notes = ", ".join(f"{k} {v}" for k, v in f.notes.items())
        lines.append(
            f"| {f.section} | {f.measured} | {_value(f.value, f.unit)} | {f.baseline} | "
            f"{_value(f.base_value, f.unit)} | {f.ratio:.2f}× | {f.target} | {notes} |"
        )
    return "\n".join(lines)


def _value(value: float, unit: str) -> str:
    if math.isnan(value):
        return "–"
    digits = {"ms": 1, "s": 2, "MB": 0}.get(unit, 2)
    return f"{value:.{digits}f} {unit}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    figures: list[Figure] = []
    for section in [s for s in SECTIONS if s in args.only]:
        print(f"measuring {section}…", file=sys.stderr, flush=True)
        figures += measure(section, args)
    if args.json:
        machine = {"python": platform.python_version(), "cpus": _cpus(), "quick": args.quick}
        print(json.dumps({"machine": machine, "figures": [f.as_dict() for f in figures]},
                         ensure_ascii=False, indent=2))  # fmt: skip
    else:
        print(table(figures))
    return 0


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
