"""Read stage: one reader per input format, chosen by the file's bytes, all giving one model."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import NoticeError, UnreadableFile, UnrecognisedLayout
from extractors.docx import read_docx
from extractors.html import read_html
from extractors.legacy import read_legacy
from extractors.model import Cell, Document, Slot, Table
from extractors.pdf import read_pdf
from extractors.txt import read_txt
from extractors.xlsx import read_xlsx

Reader = Callable[[Path, bytes], Document]

READERS: dict[str, Reader] = {
    "docx": read_docx,
    "html": read_html,
    "txt": read_txt,
    "xlsx": read_xlsx,
    "pdf": read_pdf,
    "legacy": read_legacy,  # .doc, .wps, .rtf, .odt: converted by LibreOffice, then read as .docx
}
# The names a notice file may have; a file named otherwise is read only when its bytes are a
# format a reader takes (a .docx saved without its suffix), else it is reported as skipped.
SUFFIXES = {
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".txt": "txt",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".pdf": "pdf",
    ".doc": "legacy",
    ".wps": "legacy",
    ".rtf": "legacy",
    ".odt": "legacy",
}
# A notice, even with a scanned seal in it, is a few MB; reading more risks running out of memory.
MAX_FILE_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024
_HEAD = 8192  # enough bytes to tell a file's kind by its magic

_OLE2 = b"\xd0\xcf\x11\xe0"
# Office encryption wraps the real .docx or .xlsx in an OLE2 file with a stream of this name;
# which of the two it is cannot be told without the password, so the suffix says.
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_WORD_STREAM = "WordDocument\0".encode("utf-16-le")
_OLE2_STREAMS = [  # (stream name in the OLE2 directory, what the file is, what to do)
    ("Workbook", "an Excel 97-2003 workbook (.xls)", "save it as .xlsx in Excel or WPS"),
    ("Book", "an Excel 5 workbook (.xls)", "save it as .xlsx in Excel or WPS"),
    ("PowerPoint Document", "a PowerPoint presentation (.ppt)", "this is not a notice"),
]
_PASSWORD = (
    "open it in Word, Excel or WPS with its password, remove the password (File > Info > "
    "Protect), save it without one and put that in raw/"
)
_AGAIN = "the upload or download was probably incomplete: get the notice again"
_GET_NOTICE = "get the notice as .docx, .pdf, .xlsx or .html from the publishing site"
_IMAGE = _GET_NOTICE + "; an image holds no text to read (OCR is not supported)"
_UNPACK = "unpack it and put the notices it holds in raw/"
_FOREIGN: dict[bytes, tuple[str, str]] = {
    b"MIME-Version:": (
        "a saved web archive (.mht)",
        "open it in Word and save it as .docx, or in a browser save the page as .html",
    ),
    b"\x89PNG": ("a PNG image", _IMAGE),
    b"\xff\xd8\xff": ("a JPEG image", _IMAGE),
    b"GIF8": ("a GIF image", _IMAGE),
    b"II*\x00": ("a TIFF image", _IMAGE),
    b"MM\x00*": ("a TIFF image", _IMAGE),
    b"Rar!": ("a RAR archive", _UNPACK),
    b"7z\xbc\xaf\x27\x1c": ("a 7-Zip archive", _UNPACK),
    b"\x1f\x8b": ("a gzip archive", _UNPACK),
}
_ZIP_KINDS = [  # (a part only that kind of zip has, what it is, what to do)
    ("OFD.xml", "an OFD document (.ofd)", "open it in an OFD reader and export it as PDF, or "
     + _GET_NOTICE),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)", "this is not a notice"),
]  # fmt: skip
_ODF_TEXT = b"application/vnd.oasis.opendocument.text"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

__all__ = [
    "MAX_FILE_BYTES",
    "READERS",
    "SUFFIXES",
    "Cell",
    "Document",
    "FileKind",
    "NoticeError",
    "Slot",
    "Table",
    "UnreadableFile",
    "UnrecognisedLayout",
    "detect_format",
    "identify",
    "read_document",
]


@dataclass(frozen=True)
class FileKind:
    """What a file is, from its bytes: the reader that takes it, or why none does."""

    reader: str | None
    what: str
    hint: str = ""
    reason: str = "no reader takes this kind of file"


def detect_format(path: Path, data: bytes) -> str:
    """The reader for a file, from its bytes (the whole file, or at least its head).

    The suffix only breaks ties; a file that is something else (an image, an .xls) is refused
    with what it really is.
    """
    kind = _kind(path, data)
    if kind.reader is None:
        raise UnreadableFile(f"the file is {kind.what}: {kind.reason}", file=path, hint=kind.hint)
    return kind.reader


def identify(path: Path) -> FileKind:
    """What a file in raw/ is, for the batch: a file named as a notice is always read (its reader
    refuses it by name if it is not one); another is read only when its bytes are a notice's
    format, and is otherwise reported as skipped with this description."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD)
        # a zip's part names and an OLE2 file's stream names may be anywhere in it
        whole = head.startswith((b"PK\x03\x04", _OLE2)) and path.stat().st_size <= MAX_FILE_BYTES
        data = path.read_bytes() if whole else head
    except OSError:  # gone or unreadable: the pipeline reports it when it reads it
        return FileKind(SUFFIXES.get(path.suffix.lower(), "txt"), "a file that cannot be read")
    kind = _kind(path, data)
    named = SUFFIXES.get(path.suffix.lower())
    if named or kind.reader != "txt":  # by content: a page saved as .shtml, a .docx unnamed
        return FileKind(named, kind.what, kind.hint) if named else kind
    return FileKind(  # plain text under another name: a .csv, a .md, a .log
        None,
        f"a text file named {path.suffix or 'without a suffix'}",
        "if it is a notice's text export, rename it to .txt (or .html for a page)",
    )


def _kind(path: Path, data: bytes) -> FileKind:
    suffix = path.suffix.lower()
    if data.startswith(_OLE2):
        return _ole2_kind(suffix, data)
    if data.startswith(b"%PDF"):
        return FileKind("pdf", "a PDF")
    if data.startswith(b"{\\rtf"):
        return FileKind("legacy", "an RTF document")
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(suffix, data)
    for magic, (what, hint) in _FOREIGN.items():
        if data.startswith(magic):
            return FileKind(None, what, hint)
    sniff = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in sniff:
        return FileKind("html", "a web page")
    if suffix not in SUFFIXES and b"\x00" in data[:_HEAD] and data[:2] not in _UTF16_BOMS:
        return FileKind(None, f"a binary file of unknown kind ({suffix or 'no suffix'})",
                        _GET_NOTICE)  # fmt: skip
    return FileKind(SUFFIXES.get(suffix, "txt"), "a text file")


def _ole2_kind(suffix: str, data: bytes) -> FileKind:
    """An OLE2 file's kind from the stream names in its directory (UTF-16, anywhere in it)."""
    if _ENCRYPTED in data:
        what = "a password-protected (encrypted) " + _office_kind(suffix)
        return FileKind(None, what, _PASSWORD, "it cannot be read without its password")
    if _WORD_STREAM not in data:
        for stream, what, hint in _OLE2_STREAMS:
            if (stream + "\0").encode("utf-16-le") in data:
                return FileKind(None, what, hint)
    return FileKind("legacy", "a legacy Word .doc / WPS .wps file (OLE2)")


def _office_kind(suffix: str) -> str:
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return "Excel workbook"
    return "Word document" if suffix in (".docx", ".doc") else "Office document"


def _zip_kind(suffix: str, data: bytes) -> FileKind:
    """A zip's kind from its part names; a damaged one goes to the reader its name says, whose
    message for a damaged file is the useful one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            mimetype = archive.read("mimetype")[:64] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError):
        if suffix not in SUFFIXES:
            return FileKind(None, "a damaged zip archive", _UNPACK)
        return FileKind("xlsx" if SUFFIXES[suffix] == "xlsx" else "docx", "a damaged zip")
    if "word/document.xml" in names:
        return FileKind("docx", "a Word document (.docx)")
    if "xl/workbook.xml" in names:
        return FileKind("xlsx", "an Excel workbook (.xlsx)")
    if mimetype.startswith(_ODF_TEXT):
        return FileKind("legacy", "an OpenDocument text (.odt)")
    for part, what, hint in _ZIP_KINDS:
        if part in names:
            return FileKind(None, what, hint)
    if SUFFIXES.get(suffix) in ("docx", "xlsx"):  # its reader names the missing part
        return FileKind(SUFFIXES[suffix], "a zip archive")
    return FileKind(None, "a zip archive", _UNPACK)


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
