"""Reader for legacy word-processor files (.doc, .wps, .rtf, .odt): LibreOffice converts, the
.docx reader reads.

LibreOffice runs headless with a timeout, in a temporary folder and with a temporary profile of
its own (`-env:UserInstallation`): two conversions sharing a profile block or fail, and a run
reads files in parallel. Its own temporary files (`lu*.tmp`) go into that folder too (TMPDIR):
a conversion killed at its timeout leaves nothing in the system's temporary folder. The
document keeps the original file as its source and names its own format (doc, wps, rtf, odt);
the .docx only lives in the temporary folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from core.errors import UnreadableFile
from extractors.docx import read_docx
from extractors.model import Document

# A notice converts in a few seconds; a minute means LibreOffice hangs (a dialog, a broken file).
TIMEOUT_SECONDS = 120
# Where to find LibreOffice besides PATH, and an override for a non-standard install.
SOFFICE_ENV = "NOTICES_SOFFICE"
_KNOWN_PLACES = [
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
]
INSTALL_HINT = (
    "install LibreOffice (Debian/Ubuntu: `apt-get install libreoffice-writer-nogui`; Windows and "
    "macOS: libreoffice.org) and run again, or open the file in Word or WPS, save it as .docx "
    "and put that in raw/"
)
_SAVE_AS_DOCX = "open it in Word or WPS, save it as .docx and put that in raw/"
_WORD_STREAM = "WordDocument\0".encode("utf-16-le")
_NAMES = {"doc": "legacy Word .doc", "wps": "WPS .wps", "rtf": "RTF", "odt": "OpenDocument .odt"}


class ConversionFailed(Exception):
    """LibreOffice is absent, timed out or made no file; the message says which."""


def find_soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    configured = os.environ.get(SOFFICE_ENV)
    if configured:
        return configured if Path(configured).is_file() else None
    found = shutil.which("soffice") or shutil.which("libreoffice")
    return found or next((p for p in _KNOWN_PLACES if Path(p).is_file()), None)


def convert(
    source: Path, data: bytes, target: str, infilter: str = "", timeout: float | None = None
) -> bytes:
    """`data` (the bytes of `source`) converted by LibreOffice to `target` (docx, pdf, doc …),
    read with the import filter `infilter` when given. Without one, LibreOffice opens a file it
    does not recognise as plain text: garbage would come back as a document."""
    soffice = find_soffice()
    if soffice is None:
        raise ConversionFailed("LibreOffice is not installed (no `soffice` program was found)")
    # ignore_cleanup_errors: a file LibreOffice still held must not turn a reason into a crash
    with tempfile.TemporaryDirectory(prefix="notices-soffice-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        # An ASCII name: the original's may hold characters the system's locale cannot encode.
        original = folder / f"input{source.suffix.lower() or '.bin'}"
        original.write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            target,
            "--outdir",
            str(folder / "out"),
            str(original),
        ]
        said = _run(command, TIMEOUT_SECONDS if timeout is None else timeout, _temporary(folder))
        made = folder / "out" / f"input.{target.split(':')[0]}"
        if not made.is_file() or not made.stat().st_size:
            raise ConversionFailed(f"LibreOffice could not open or convert it ({said})")
        return made.read_bytes()


def _temporary(folder: Path) -> dict[str, str]:
    """LibreOffice's environment with its temporary files in `folder` (TMP/TEMP on Windows)."""
    place = str(folder / "tmp")
    Path(place).mkdir()
    return {**os.environ, "TMPDIR": place, "TMP": place, "TEMP": place}


def _run(command: list[str], timeout: float, env: dict[str, str] | None = None) -> str:
    """Run LibreOffice; what it said, in one line. `soffice` is a script that starts the real
    program as its child, so a timeout kills the whole process group, not just the script (whose
    child would keep the output pipe open and the wait going)."""
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
    except OSError as error:
        raise ConversionFailed(f"LibreOffice could not be started ({error})") from error
    with process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise ConversionFailed(f"LibreOffice did not finish within {timeout:g} s") from None
    text = output.decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip() and "javaldx" not in line]
    return "; ".join(lines)[-300:] or f"exit status {process.returncode}, no message"


def _kill(process: subprocess.Popen[bytes]) -> None:
    if hasattr(os, "killpg"):
        os.killpg(process.pid, signal.SIGKILL)
    else:  # Windows has no process groups to signal; soffice.exe is the program itself
        process.kill()
    process.communicate()


def read_legacy(path: Path, data: bytes | None = None) -> Document:
    """Convert a .doc/.wps/.rtf/.odt to .docx with LibreOffice, then read that."""
    raw = path.read_bytes() if data is None else data
    kind = legacy_kind(path, raw)
    try:
        converted = convert(path, raw, "docx", _import_filter(kind, raw))
    except ConversionFailed as error:
        absent = "not installed" in str(error)
        raise UnreadableFile(
            f"the file is a {_NAMES[kind]} document, read by converting it with LibreOffice, "
            f"and {error}",
            file=path,
            hint=INSTALL_HINT if absent else "check that it opens in Word or WPS; " + _SAVE_AS_DOCX,
        ) from None
    doc = read_docx(path, converted)
    doc.format = kind
    return doc


def _import_filter(kind: str, data: bytes) -> str:
    """LibreOffice's filter for the file. WPS Office saves .wps in Word's binary format (a
    WordDocument stream); a .wps without one is from Microsoft Works."""
    if kind in ("doc", "wps"):
        return "MS Word 97" if _WORD_STREAM in data else "MS_Works"
    return {"rtf": "Rich Text Format", "odt": "writer8"}[kind]


def legacy_kind(path: Path, data: bytes) -> str:
    """doc, wps, rtf or odt: from the bytes, the suffix telling Word and WPS apart (both OLE2)."""
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"PK"):
        return "odt"
    return "wps" if path.suffix.lower() == ".wps" else "doc"
