"""Fault injection: notices published once are read again after the things that go wrong with real
files (a header the vocabulary does not know, a row gone, a copy cut short, markup and formulas in
unit names, hostile digit runs, page breaks, bytes that are no notice, a row a web page hides,
tables in Word content controls), all in one batch beside a good notice and the same bad file in
two folders.

After the run, whatever happened to each file: every Parquet file reads back whole, the manifests
match the files, no published row is lost without a critical finding naming the loss, a notice
read again as a person reads it publishes the same rows, the good notice is published, each bad
file keeps its own quarantine record, the terminal shows no traceback and the temporary folder is
left empty.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import NOTICE_2024

ROOT = Path(__file__).parent.parent


def _notice(fmt: str, year: int) -> bytes:
    """The 2024 notice as another year's (another notice), as a .txt, .html or .docx."""
    if fmt != "docx":
        text = (NOTICE_2024 / f"notice.{fmt}").read_text(encoding="utf-8")
        return text.replace("2024年", f"{year}年").encode("utf-8")
    return _docx_edited(NOTICE_2024.joinpath("notice.docx").read_bytes(), "2024年", f"{year}年")


def _docx_edited(docx: bytes, old: str, new: str, count: int = -1) -> bytes:
    """The .docx with its word/document.xml edited as text; every other part as it was."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.decode("utf-8").replace(old, new, count).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def _text(edit: Callable[[str], str]) -> Callable[[bytes], bytes]:
    return lambda data: edit(data.decode("utf-8")).encode("utf-8")


@_text
def _unknown_header(text: str) -> str:
    """The key-task table's header says 承办部门x, not 责任单位: a word no vocabulary holds."""
    return text.replace("\t责任单位\n", "\t承办部门x\n", 1)


@_text
def _last_livelihood_row_gone(text: str) -> str:
    """The block of the last numbered row (a blank line ends each row) is gone."""
    *_, last = re.finditer(r"\n\n\t\d+\n", text)
    return text[: last.start()] + text[text.index("\n\n", last.end()) :]


def _cut_short(data: bytes) -> bytes:
    """A copy caught half-written."""
    return data[: len(data) // 2]


@_text
def _markup_in_units(text: str) -> str:
    return text.replace("\t市统计局\n", "\t[/][bold red]市统计局<script>x</script>\n").replace(
        "\t市财政局\n", '\t=HYPERLINK("http://x","市财政局")\n'
    )


@_text
def _digit_run_in_a_task(text: str) -> str:
    return text.replace("地区生产总值增长6%左右", "地区生产总值增长" + "9" * 50_000 + "%左右", 1)


@_text
def _page_breaks(text: str) -> str:
    """A form feed at every tenth blank line, as exports write page breaks."""
    parts = text.split("\n\n")
    return "\n\n".join(p + ("\f" if i % 10 == 9 else "") for i, p in enumerate(parts))


def _no_notice_at_all(data: bytes) -> bytes:
    return bytes(range(256)) * 40


@_text
def _hidden_row(html: str) -> str:
    """A row the page hides (display:none) in the key-task table: no task of the notice."""
    hidden = '<tr style="display:none"><td>999</td><td>隐藏的任务。</td><td>市财政局</td></tr>'
    at = html.index("</tr>", html.index("<table")) + len("</tr>")
    return html[:at] + hidden + html[at:]


def _tables_in_content_controls(docx: bytes) -> bytes:
    """Every table wrapped in a Word content control (w:sdt), as form templates do."""
    wrapped = _docx_edited(docx, "<w:tbl>", "<w:sdt><w:sdtPr/><w:sdtContent><w:tbl>")
    return _docx_edited(wrapped, "</w:tbl>", "</w:tbl></w:sdtContent></w:sdt>")


@dataclass(frozen=True)
class Fault:
    name: str
    format: str
    mutate: Callable[[bytes], bytes]
    published: bool  # the mutated notice is published (else quarantined, the earlier one kept)
    reason: str = ""  # a fragment of the reason it is quarantined for

    @property
    def file(self) -> str:
        return f"{self.name}.{self.format}"


FAULTS = [
    Fault("unknown_header", "txt", _unknown_header, True),  # its role is told from its content
    Fault("last_row_gone", "txt", _last_livelihood_row_gone, False, "fewer rows"),
    Fault("cut_short", "txt", _cut_short, False),
    Fault("markup_in_units", "txt", _markup_in_units, True),
    Fault("digit_run", "txt", _digit_run_in_a_task, False, "fewer rows"),  # its target unread
    Fault("page_breaks", "txt", _page_breaks, True),
    Fault("no_notice", "txt", _no_notice_at_all, False),
    Fault("hidden_row", "html", _hidden_row, True),
    Fault("docx_cut_short", "docx", _cut_short, False, "damaged"),
    Fault("content_controls", "docx", _tables_in_content_controls, True),
]
# The same bad file in two folders of raw/: each keeps a quarantine record of its own.
TWINS = ["a/twin.txt", "b/twin.txt"]


def _run(raw: Path, out: Path, api: str, temp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_API_URL": api, "COLUMNS": "80", "TMPDIR": str(temp)}
    command = [sys.executable, "-m", "flows.cli", "run", str(raw), "--out", str(out)]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)


def _published(out: Path) -> dict[str, dict]:
    return {m.stem: json.loads(m.read_text("utf-8")) for m in (out / "_manifests").glob("*.json")}


def _quarantined(out: Path, raw: Path) -> dict[str, dict]:
    """Reasons by the path in raw/ of the file they are for."""
    reasons = [json.loads(p.read_text("utf-8")) for p in out.glob("quarantine/**/reason.json")]
    return {Path(r["source"]).relative_to(raw).as_posix(): r for r in reasons}


def _notice_of(published: dict[str, dict], file: str) -> str:
    (notice,) = [n for n, m in published.items() if m["sources"][0]["file"] == file]
    return notice


def _hashes(out: Path, manifest: dict) -> dict[str, bytes]:
    return {name: (out / relative).read_bytes() for name, relative in manifest["files"].items()}


@dataclass
class Batch:
    out: Path
    before: dict[str, dict]  # manifests after the first run, by notice id
    files_before: dict[str, dict[str, bytes]]
    after: dict[str, dict]
    quarantined: dict[str, dict]
    terminal: str
    status: int
    left_in_temp: list[Path]


@pytest.fixture(scope="module")
def batch(prefect_server: str, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """One run publishes a notice per fault; a second reads each again, mutated by its fault,
    beside a new good notice and the same bad file in two folders."""
    work = tmp_path_factory.mktemp("faults")
    raw, out, temp = work / "raw", work / "out", work / "tmp"
    for folder in (raw, temp, raw / "a", raw / "b"):
        folder.mkdir()
    for year, fault in enumerate(FAULTS, start=2031):
        (raw / fault.file).write_bytes(_notice(fault.format, year))
    first = _run(raw, out, prefect_server, temp)
    assert first.returncode == 0, first.stdout + first.stderr
    before = _published(out)
    files_before = {notice: _hashes(out, m) for notice, m in before.items()}
    for year, fault in enumerate(FAULTS, start=2031):
        (raw / fault.file).write_bytes(fault.mutate(_notice(fault.format, year)))
    (raw / "good.txt").write_bytes(_notice("txt", 2049))
    for twin in TWINS:
        (raw / twin).write_bytes(_cut_short(_notice("txt", 2050)))
    second = _run(raw, out, prefect_server, temp)
    return Batch(
        out,
        before,
        files_before,
        _published(out),
        _quarantined(out, raw),
        second.stdout + second.stderr,
        second.returncode,
        list(temp.iterdir()),
    )


def test_every_published_parquet_file_reads_back_whole(batch: Batch) -> None:
    files = list(batch.out.glob("*/year=*/*.parquet"))
    assert files
    for path in files:
        pq.read_table(path)
    tasks = duckdb.sql(f"select count(*) from '{batch.out}/key_tasks/*/*.parquet'").fetchall()
    assert tasks == [(122 * len(batch.after),)]


def test_every_manifest_matches_its_files(batch: Batch) -> None:
    for manifest in batch.after.values():
        for name, relative in manifest["files"].items():
            if name != "units":  # one registry file a year, shared by that year's notices
                assert pq.read_metadata(batch.out / relative).num_rows == manifest["rows"][name]


def test_the_good_notice_of_the_batch_is_published(batch: Batch) -> None:
    assert _notice_of(batch.after, "good.txt") not in batch.before
    assert batch.status == 1  # some files were quarantined, and the run says so


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_no_published_row_is_lost_without_a_critical_finding(batch: Batch, fault: Fault) -> None:
    notice = _notice_of(batch.before, fault.file)
    if fault.published:  # read again, and read as a person reads it: not a row more or less
        assert fault.file not in batch.quarantined
        assert (
            batch.after[notice]["sources"][0]["sha256"]
            != (batch.before[notice]["sources"][0]["sha256"])
        )
        assert batch.after[notice]["rows"] == batch.before[notice]["rows"]
    else:
        reason = batch.quarantined[fault.file]
        assert fault.reason in reason["error"]["message"]
        assert _hashes(batch.out, batch.after[notice]) == batch.files_before[notice]


def test_the_same_bad_file_in_two_folders_keeps_a_record_each(batch: Batch) -> None:
    assert all(twin in batch.quarantined for twin in TWINS)


def test_the_terminal_shows_no_traceback(batch: Batch) -> None:
    assert "Traceback" not in batch.terminal
    assert "quarantined" in batch.terminal


def test_the_run_leaves_nothing_in_the_temporary_folder(batch: Batch) -> None:
    assert batch.left_in_temp == []
