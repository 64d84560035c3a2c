"""The errors the pipeline raises on bad input; each names where the problem is and what to do."""

from __future__ import annotations

from pathlib import Path


class NoticeError(Exception):
    """A notice cannot be processed. Numbers are 1-based, as a person counts them in the file."""

    def __init__(
        self,
        message: str,
        *,
        file: Path | str | None = None,
        table: int | None = None,
        row: int | None = None,
        cell: int | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.table = table
        self.row = row
        self.cell = cell
        self.hint = hint

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        parts += [f"{name} {value}" for name, value in self._places() if value is not None]
        return ", ".join(parts)

    def _places(self) -> list[tuple[str, int | None]]:
        return [("table", self.table), ("row", self.row), ("cell", self.cell)]

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text}. {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        return {
            "error": type(self).__name__,
            "message": self.message,
            "file": self.file,
            "table": self.table,
            "row": self.row,
            "cell": self.cell,
            "hint": self.hint,
        }


class UnreadableFile(NoticeError):
    """The file's bytes are not a document this pipeline can read."""


class UnrecognisedLayout(NoticeError):
    """The document was read but its tables or rows do not match any known layout."""
