"""Pairs timed side by side, and the figures the table shows."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

Work = Callable[[], object]


@dataclass
class Figure:
    """One line of the table: what was measured, against what, and their ratio."""

    section: str
    measured: str
    value: float
    baseline: str
    base_value: float
    unit: str = "ms"
    target: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.value / self.base_value if self.base_value else float("nan")

    def as_dict(self) -> dict[str, Any]:
        rounded = {"value": round(self.value, 3), "base_value": round(self.base_value, 3)}
        return {**asdict(self), **rounded, "ratio": round(self.ratio, 3)}


def side_by_side(work: Work, base: Work, repeat: int, warmup: int = 1) -> tuple[float, float]:
    """Median milliseconds of `work` and `base`, run alternately `repeat` times after `warmup`
    uncounted rounds, so that both see the same load of the machine."""
    times: tuple[list[float], list[float]] = ([], [])
    for round_ in range(warmup + repeat):
        for spent, job in zip(times, (work, base), strict=True):
            started = time.perf_counter()
            job()
            if round_ >= warmup:
                spent.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times[0]), statistics.median(times[1])
