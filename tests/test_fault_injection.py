"""Fault injection: notices published once are read again after the things that go wrong with real
files (a header the vocabulary does not know, a row gone, a copy cut short, markup and formulas in
unit names, hostile digit runs, bytes that are no notice), all in one batch beside a good notice.

After the run, whatever happened to each file: every Parquet file reads back whole, the manifests
match the files, no published row is lost without a critical finding naming the loss, the good
notice is published, and the terminal shows no traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import NOTICE_2024

ROOT = Path(__file__).parent.parent
TEXT = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")


def _retitled(year: int) -> str:
    """The 2024 notice as another year's: another notice."""
    return TEXT.replace("2024年", f"{year}年")


def _unknown_header(text: str) -> str:
    """The key-task table's header says 承办部门 instead of 责任单位: a word no vocabulary holds."""
    return text.replace("\t责任单位\n", "\t承办部门x\n", 1)


def _last_livelihood_row_gone(text: str) -> str:
    """The block of the last numbered row (a blank line ends each row) is gone."""
    *_, last = re.finditer(r"\n\n\t\d+\n", text)
    return text[: last.start()] + text[text.index("\n\n", last.end()) :]


def _cut_short(text: str) -> str:
    """A copy caught half-written."""
    return text[: len(text) // 2]


def _markup_in_units(text: str) -> str:
    return text.replace("\t市统计局\n", "\t[/][bold red]市统计局<script>x</script>\n").replace(
        "\t市财政局\n", '\t=HYPERLINK("http://x","市财政局")\n'
    )


def _digit_run_in_a_task(text: str) -> str:
    return text.replace("地区生产总值增长6%左右", "地区生产总值增长" + "9" * 50_000 + "%左右", 1)


def _no_notice_at_all(text: str) -> bytes:
    return bytes(range(256)) * 40


@dataclass(frozen=True)
class Fault:
    name: str
    mutate: Callable[[str], str | bytes]
    published: bool  # the mutated notice is published (else quarantined, the earlier one kept)
    reason: str = ""  # a fragment of the reason it is quarantined for


FAULTS = [
    Fault("unknown_header", _unknown_header, True),  # its role is told from its content
    Fault("last_row_gone", _last_livelihood_row_gone, False, "fewer rows"),
    Fault("cut_short", _cut_short, False, ""),
    Fault("markup_in_units", _markup_in_units, True),
    Fault("digit_run", _digit_run_in_a_task, False, "fewer rows"),  # its target is not read
    Fault("no_notice", _no_notice_at_all, False, ""),
]


def _write(path: Path, content: str | bytes) -> None:
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def _run(raw: Path, out: Path, api: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_API_URL": api, "COLUMNS": "80"}
    command = [sys.executable, "-m", "flows.cli", "run", str(raw), "--out", str(out)]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)


def _published(out: Path) -> dict[str, dict]:
    return {m.stem: json.loads(m.read_text("utf-8")) for m in (out / "_manifests").glob("*.json")}


def _quarantined(out: Path) -> dict[str, dict]:
    """Reasons by the name of the file they are for."""
    reasons = [json.loads(p.read_text("utf-8")) for p in out.glob("quarantine/**/reason.json")]
    return {Path(r["source"]).name: r for r in reasons}


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


@pytest.fixture(scope="module")
def batch(prefect_server: str, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """One run publishes a notice per fault; a second reads each again, mutated by its fault,
    beside a new good notice."""
    work = tmp_path_factory.mktemp("faults")
    raw, out = work / "raw", work / "out"
    raw.mkdir()
    for year, fault in enumerate(FAULTS, start=2031):
        _write(raw / f"{fault.name}.txt", _retitled(year))
    first = _run(raw, out, prefect_server)
    assert first.returncode == 0, first.stdout + first.stderr
    before = _published(out)
    files_before = {notice: _hashes(out, m) for notice, m in before.items()}
    for year, fault in enumerate(FAULTS, start=2031):
        _write(raw / f"{fault.name}.txt", fault.mutate(_retitled(year)))
    _write(raw / "good.txt", _retitled(2049))
    second = _run(raw, out, prefect_server)
    return Batch(
        out,
        before,
        files_before,
        _published(out),
        _quarantined(out),
        second.stdout + second.stderr,
        second.returncode,
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
    notice = _notice_of(batch.before, f"{fault.name}.txt")
    rows_after = batch.after[notice]["rows"]
    assert all(rows_after[d] >= n for d, n in batch.before[notice]["rows"].items())
    if fault.published:
        assert f"{fault.name}.txt" not in batch.quarantined
        source = batch.after[notice]["sources"][0]
        assert source["sha256"] != batch.before[notice]["sources"][0]["sha256"]  # read again
    else:
        reason = batch.quarantined[f"{fault.name}.txt"]
        assert fault.reason in reason["error"]["message"]
        assert _hashes(batch.out, batch.after[notice]) == batch.files_before[notice]


def test_the_terminal_shows_no_traceback(batch: Batch) -> None:
    assert "Traceback" not in batch.terminal
    assert "quarantined" in batch.terminal
