"""Read stage: one reader per input format, chosen by the file's bytes, all giving one model."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from core.errors import NoticeError, UnreadableFile, UnrecognisedLayout
from extractors.docx import read_docx
from extractors.html import read_html
from extractors.model import Cell, Document, Slot, Table
from extractors.txt import read_txt

Reader = Callable[[Path, bytes], Document]

READERS: dict[str, Reader] = {"docx": read_docx, "html": read_html, "txt": read_txt}
SUFFIXES = {".docx": "docx", ".html": "html", ".htm": "html", ".txt": "txt"}
# A notice, even with a scanned seal in it, is a few MB; reading more risks running out of memory.
MAX_FILE_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024

_OLE2 = b"\xd0\xcf\x11\xe0"
# Office encryption wraps the real .docx in an OLE2 file with a stream of this name.
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_CONVERT = (
    "open it in Word or WPS and save it as .docx (or run `soffice --headless --convert-to docx "
    "FILE`), then put the .docx in raw/"
)
_AGAIN = "the upload or download was probably incomplete: get the notice again"
_GET_TEXT = "get the notice as .docx, .html or .txt from the publishing site and put that in raw/"
_FOREIGN: dict[bytes, tuple[str, str]] = {
    _OLE2: ("a legacy Word .doc / WPS .wps file (OLE2), not a .docx", _CONVERT),
    b"{\\rtf": ("an RTF document, not a .docx", _CONVERT),
    b"MIME-Version:": (
        "a saved web archive (.mht), not a .docx or .html",
        "open it in Word and save it as .docx, or in a browser save the page as .html",
    ),
    b"%PDF": ("a PDF", _GET_TEXT + " (a PDF's tables cannot be read reliably)"),
    b"\x89PNG": ("a PNG image", _GET_TEXT + " (an image holds no text to read)"),
    b"\xff\xd8\xff": ("a JPEG image", _GET_TEXT + " (an image holds no text to read)"),
    b"GIF8": ("a GIF image", _GET_TEXT + " (an image holds no text to read)"),
}

__all__ = [
    "MAX_FILE_BYTES",
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


def detect_format(path: Path, data: bytes) -> str:
    """The reader for a file, from its bytes (the whole file, or at least its head).

    The suffix only breaks ties; a file that is something else (a PDF, a legacy .doc) is refused
    with what it really is.
    """
    _refuse_foreign(path, data)
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    sniff = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in sniff:
        return "html"
    return SUFFIXES.get(path.suffix.lower(), "txt")


def _refuse_foreign(path: Path, data: bytes) -> None:
    if data.startswith(_OLE2) and _ENCRYPTED in data:
        raise UnreadableFile(
            "the file is a password-protected (encrypted) Word document",
            file=path,
            hint="open it in Word or WPS with its password, remove the password "
            "(File > Info > Protect Document), save it as .docx and put that in raw/",
        )
    for magic, (what, hint) in _FOREIGN.items():
        if data.startswith(magic):
            raise UnreadableFile(
                f"the file is {what}; only .docx, .html and .txt notices can be read",
                file=path,
                hint=hint,
            )


def read_document(path: Path) -> Document:
    """Read any supported notice file."""
    data = _read_bytes(path)
    if not data:
        raise UnreadableFile("the file is empty (0 bytes)", file=path, hint=_AGAIN)
    if not data.strip():
        raise UnreadableFile("the file is empty (only whitespace)", file=path, hint=_AGAIN)
    doc = READERS[detect_format(path, data)](path, data)
    doc.sha256 = hashlib.sha256(data).hexdigest()
    if not doc.paragraphs and not any(c.text.strip() for t in doc.tables for c in t.cells):
        raise UnreadableFile(
            "the file holds no text (no paragraphs and no tables)",
            file=path,
            hint="check that this is the notice; if it is, " + _AGAIN,
        )
    return doc


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, read in chunks up to a bound, so a huge or endless file (a pipe,
    /dev/zero) cannot exhaust memory; one read(MAX + 1) would allocate the bound up front."""
    chunks: list[bytes] = []
    total = 0
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > MAX_FILE_BYTES:
                    raise _too_large(path)
                chunks.append(chunk)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UnreadableFile(f"cannot read the file ({reason})", file=path) from error
    return b"".join(chunks)


def _too_large(path: Path) -> UnreadableFile:
    return UnreadableFile(
        f"the file is larger than {MAX_FILE_BYTES // 2**20} MB; a notice is a few MB at most",
        file=path,
        hint="check that this is the notice; save it again without embedded media",
    )
