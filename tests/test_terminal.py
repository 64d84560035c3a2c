"""What a data officer sees: one line per bad file, no traceback, a table that fits 80 columns."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from core.errors import UnreadableFile
from core.records import NoticeResult, Status
from flows.progress import progress_line, summary_table
from tests.conftest import NOTICE_2024

BAD_FILES = {
    "empty.txt": b"",
    "truncated.docx": (NOTICE_2024 / "notice.docx").read_bytes()[:5000],
    "photo.docx": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
    "weather.html": "<html><body><p>天气预报</p></body></html>".encode(),
    "minutes.txt": "会议纪要\n\n今天开会。\n".encode(),
}


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> tuple[str, str]:
    """`notices run` in a subprocess, 80 columns wide, over a good notice and five bad files."""
    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(NOTICE_2024 / "notice.txt", raw / "jiaxing_2024_notice.txt")
    for name, data in BAD_FILES.items():
        (raw / name).write_bytes(data)
    out = tmp_path_factory.mktemp("out")
    env = {**os.environ, "COLUMNS": "80", "PREFECT_API_URL": prefect_server}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", str(raw), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    return done.stdout, done.stderr


def test_a_batch_of_bad_files_prints_no_traceback(bad_batch: tuple[str, str]) -> None:
    stdout, stderr = bad_batch
    assert "Traceback" not in stdout + stderr
    assert "NoneType: None" not in stdout + stderr


def test_each_bad_file_gets_one_line_with_its_reason(bad_batch: tuple[str, str]) -> None:
    _, stderr = bad_batch
    lines = stderr.splitlines()
    for name in BAD_FILES:
        mine = [line for line in lines if name in line]
        assert len(mine) == 1, (name, mine)
        assert "quarantined" in mine[0]
    assert any("empty (0 bytes)" in line for line in lines)


def test_the_summary_table_keeps_statuses_and_names_whole_in_80_columns(
    bad_batch: tuple[str, str],
) -> None:
    stdout, _ = bad_batch
    assert max(len(line) for line in stdout.splitlines()) <= 80
    assert "…" not in stdout
    assert stdout.count("quarantined") == len(BAD_FILES)
    assert "published" in stdout and "2024-cf657ba048" in stdout


def test_markup_in_a_file_name_or_message_is_printed_as_written() -> None:
    result = NoticeResult("raw/odd[bold]name.txt", Status.QUARANTINED)
    result.error = UnreadableFile("the cell says [/] and [red]", file="x")
    console = Console(record=True, width=200)
    console.print(progress_line(result))
    console.print(summary_table([result]))
    text = console.export_text()
    assert "odd[bold]name.txt" in text and "the cell says [/] and [red]" in text


def test_an_empty_folder_says_there_is_nothing_to_read(
    tmp_path: Path, prefect_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import EXIT_OK, main

    (tmp_path / "raw").mkdir()
    assert main(["run", str(tmp_path / "raw"), "--out", str(tmp_path / "out")]) == EXIT_OK
    captured = capsys.readouterr()
    assert "no files to read in" in captured.err
    assert "notices run" not in captured.out  # no empty table
