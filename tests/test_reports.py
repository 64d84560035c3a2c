"""What the run writes for people and spreadsheets stays well-formed whatever the files hold."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from core.errors import UnreadableFile
from core.records import WARNING, Finding, NoticeResult, Status
from flows.cli import EXIT_USAGE, main
from flows.summary import _write_csv, summary_markdown
from publish.quarantine import quarantine


def test_a_file_name_that_is_not_utf8_is_quarantined_with_a_readable_reason(
    tmp_path: Path,
) -> None:
    name = os.fsdecode(b"notice-\xff\xfe.txt")  # as the OS hands over a GBK name on Linux
    source = tmp_path / name
    source.write_bytes(b"")
    result = NoticeResult(str(source), Status.QUARANTINED)
    result.error = UnreadableFile("the file is empty (0 bytes)", file=source)
    folder = quarantine(tmp_path / "out", source, result)
    reason = json.loads((folder / "reason.json").read_text(encoding="utf-8"))
    assert reason["error"]["message"] == "the file is empty (0 bytes)"
    assert reason["source"] == str(source)  # the escape reads back as the same name
    assert "empty" in (folder / "reason.md").read_text(encoding="utf-8")


def test_a_pipe_in_a_name_or_message_does_not_break_the_summary_table(tmp_path: Path) -> None:
    result = NoticeResult("raw/a|b.txt", Status.PUBLISHED, notice_id="2024-x")
    result.warnings = [Finding("check", WARNING, "key_tasks", "cell says x | y <script>")]
    text = summary_markdown([result])
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| file |"))
    row = next(line for line in lines if "a\\|b.txt" in line)
    assert row.count(" | ") == header.count(" | ")  # as many columns as the header
    assert "x \\| y &lt;script>" in text


def test_a_cell_excel_would_run_as_a_formula_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "review.csv"
    _write_csv(path, ["unit", "cell_text"], [{"unit": "=HYPERLINK(1)", "cell_text": "市财政局"}])
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows == [{"unit": "'=HYPERLINK(1)", "cell_text": "市财政局"}]


def test_a_wait_that_is_not_a_number_of_seconds_is_bad_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for wait in ("nan", "inf", "-1", "soon"):
        with pytest.raises(SystemExit) as exit_:
            main(["run", "raw", "--wait", wait])
        assert exit_.value.code == EXIT_USAGE
        assert "--wait" in capsys.readouterr().err
