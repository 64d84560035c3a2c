"""What validation found: critical failures stop a notice, warnings are published and reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.errors import NoticeError
from core.records import CRITICAL, WARNING, Finding

__all__ = ["CRITICAL", "WARNING", "Finding", "ValidationFailed", "ValidationReport"]


class ValidationFailed(NoticeError):
    """A critical check failed; the notice is quarantined with the findings."""

    def __init__(self, path: Path, failures: list[Finding]) -> None:
        first = failures[0]
        super().__init__(
            f"{len(failures)} critical check(s) failed, first: {first.dataset}: {first.message}"
            + (f" (rows {', '.join(first.rows[:5])})" if first.rows else ""),
            file=path,
            hint="fix the notice (or the registry / vocabulary) and run again; "
            "see reason.json in the quarantine folder for every failed check",
        )
        self.failures = failures

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "failures": [f.as_dict() for f in self.failures]}


@dataclass
class ValidationReport:
    failures: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def add(self, findings: list[Finding]) -> None:
        for finding in findings:
            (self.failures if finding.level == CRITICAL else self.warnings).append(finding)

    def as_error(self, path: Path) -> ValidationFailed:
        return ValidationFailed(path, self.failures)
