"""Read stage: one reader per input format, chosen by the file's bytes, all giving one model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from extractors.docx import read_docx
from extractors.errors import NoticeError, UnreadableFile, UnrecognisedLayout
from extractors.html import read_html
from extractors.model import Cell, Document, Slot, Table
from extractors.txt import read_txt

Reader = Callable[[Path, bytes], Document]

READERS: dict[str, Reader] = {"docx": read_docx, "html": read_html, "txt": read_txt}
SUFFIXES = {".docx": "docx", ".html": "html", ".htm": "html", ".txt": "txt"}

_LEGACY = {
    b"\xd0\xcf\x11\xe0": "a legacy Word .doc / WPS file (OLE2)",
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}

__all__ = [
    "READERS",
    "Cell",
    "Document",
    "NoticeError",
    "Slot",
    "Table",
    "UnreadableFile",
    "UnrecognisedLayout",
    "detect_format",
    "read_document",
]


def detect_format(path: Path, head: bytes) -> str:
    """The reader for a file, from its first bytes; the suffix only breaks ties."""
    for magic, what in _LEGACY.items():
        if head.startswith(magic):
            raise UnreadableFile(
                f"the file is {what}, not a .docx, .html or .txt notice",
                file=path,
                hint="open it in Word or WPS and save it as .docx (or run `soffice --headless "
                "--convert-to docx FILE`), then put the .docx in raw/",
            )
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    sniff = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in sniff:
        return "html"
    return SUFFIXES.get(path.suffix.lower(), "txt")


def read_document(path: Path) -> Document:
    """Read any supported notice file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"cannot read the file ({error.strerror})", file=path) from error
    if not data.strip():
        raise UnreadableFile("the file is empty", file=path, hint="upload the notice again")
    return READERS[detect_format(path, data[:4096])](path, data)
