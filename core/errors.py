"""The errors the pipeline raises on bad input; each names where the problem is and what to do."""

from __future__ import annotations

import traceback
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

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle by state: errors cross to and from Dask workers, and subclasses take other
        constructor arguments than the message they pass up."""
        return _restore, (type(self), self.message, self.__dict__)

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


class ConflictingSources(NoticeError):
    """Two files of one notice give different datasets; neither is published."""


class PublicationShrinks(NoticeError):
    """A notice read again would publish fewer rows than it has: kept as it was, unless the
    operator accepts it (--accept-shrink)."""


class LinkOutside(NoticeError):
    """A symbolic link that points outside the folder being read."""


class InternalError(NoticeError):
    """A bug in the pipeline, not in the file: the traceback is kept for the report."""

    def __init__(self, error: BaseException, *, file: Path | str | None = None) -> None:
        super().__init__(
            f"{type(error).__name__}: {error}",
            file=file,
            hint="this is a bug in the pipeline, not in the file: report it with reason.json",
        )
        self.traceback = "".join(traceback.format_exception(error))

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "traceback": self.traceback}


def _restore(cls: type[NoticeError], message: str, state: dict[str, object]) -> NoticeError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error
