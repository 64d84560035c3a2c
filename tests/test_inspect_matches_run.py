"""`notices inspect` and `notices run` share one stage sequence: on every test notice they give
the same notice, counts, warnings and refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.cli import main
from flows.inspect import inspect_file
from tests.conftest import FIXTURES

CORPUS = Path(__file__).parent / "corpus"


def _test_notices() -> list[Path]:
    files = sorted((FIXTURES / "jiaxing_2024").glob("notice.*"))
    return files + sorted(p for p in CORPUS.iterdir() if p.suffix in (".docx", ".html", ".txt"))


def test_inspect_reports_what_run_publishes_or_refuses(
    prefect_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "raw"
    for i, path in enumerate(_test_notices()):
        folder = raw / f"{i:02d}"  # a folder each: the 2024 notice's three files stay apart
        folder.mkdir(parents=True)
        shutil.copy(path, folder / path.name)
    main(["run", str(raw), "--out", str(tmp_path / "out"), "--json"])
    results = json.loads(capsys.readouterr().out)
    assert len(results) == len(_test_notices())
    for result in results:
        found = inspect_file(Path(result["source"]))
        name = Path(result["source"]).name
        if result["status"] != "missing" and "notice" in found:
            assert found["notice"]["notice_id"] == result["notice_id"], name
        if result["status"] == "published":
            expected = {k: v for k, v in result["rows"].items() if k != "units"}
            assert found["rows"] == expected, name
            assert [w["check"] for w in found["warnings"]] == [
                w["check"] for w in result["warnings"]
            ], name
        elif result["status"] == "quarantined":
            assert found["error"]["message"] == result["error"]["message"], name
