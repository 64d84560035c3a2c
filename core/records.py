"""The typed records that flow between the stages and end in the run's summary."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from core.errors import NoticeError

CRITICAL, WARNING = "critical", "warning"


class Status(StrEnum):
    """What happened to one file in a run."""

    READY = "ready"  # read and validated, not yet published
    PUBLISHED = "published"
    UNCHANGED = "unchanged"  # already published under the same fingerprint: not read again
    QUARANTINED = "quarantined"
    CONFLICT = "conflict"  # two files of one notice disagree: neither is published
    MISSING = "missing"  # published before, gone from the input folder now
    SKIPPED = "skipped"  # not a notice's format (an image, an archive): listed, not read

    @property
    def failed(self) -> bool:
        return self in (Status.QUARANTINED, Status.CONFLICT)


@dataclass(frozen=True)
class SourceFile:
    """One input file as the run found it: where it is and what its bytes hash to."""

    path: Path
    sha256: str
    format: str = ""

    @property
    def name(self) -> str:
        return self.path.name

    @classmethod
    def of(cls, path: Path) -> SourceFile:
        """The file's identity; streamed, so a huge file is refused later, not loaded here."""
        with path.open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
        return cls(path, digest)

    def as_dict(self) -> dict[str, str]:
        """As written in manifests (the format a manifest has always used)."""
        return {
            "file": self.name,
            "path": str(self.path.resolve()),
            "sha256": self.sha256,
            "format": self.format,
        }


@dataclass(frozen=True)
class Finding:
    """One check's result: critical findings stop a notice, warnings are published and reported."""

    check: str
    level: str
    dataset: str
    message: str
    rows: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class NoticeResult:
    """What happened to one file; the run summary is a list of these."""

    source: str
    status: Status
    notice_id: str | None = None
    title: str | None = None
    year: int | None = None
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[Finding] = field(default_factory=list)
    unknown_units: list[dict] = field(default_factory=list)
    unknown_tables: list[dict] = field(default_factory=list)
    error: NoticeError | None = None

    def fail(self, status: Status, error: NoticeError) -> None:
        self.status, self.error = status, error

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "status": str(self.status),
            "notice_id": self.notice_id,
            "title": self.title,
            "year": self.year,
            "rows": self.rows,
            "warnings": [w.as_dict() for w in self.warnings],
            "unknown_units": self.unknown_units,
            "unknown_tables": self.unknown_tables,
            "error": self.error.as_dict() if self.error else None,
        }
