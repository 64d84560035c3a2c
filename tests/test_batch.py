"""Batch runs over a folder that data officers keep adding to: only what changed is redone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from prefect.logging import disable_run_logger

from core.records import Status
from flows.cli import EXIT_OK, EXIT_QUARANTINED, main
from flows.notice import notice_groups, publish_group, spill
from flows.pipeline import process_file
from publish.read import read_dataset
from publish.store import manifests
from tests.conftest import NOTICE_2024


def _published_files(out: Path) -> dict[str, int]:
    """Every published file with its modification time in nanoseconds."""
    files = [*out.glob("*/year=*/*.parquet"), *out.glob("_manifests/*.json")]
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in files}


def _run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    status = main(["run", *args, "--json"])
    return status, json.loads(capsys.readouterr().out)


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw" / "2024"
    folder.mkdir(parents=True)
    shutil.copy(NOTICE_2024 / "notice.txt", folder / "notice.txt")
    return tmp_path / "raw"


def test_a_second_run_over_an_unchanged_folder_does_nothing(
    prefect_server,
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "out"
    status, first = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_OK and [r["status"] for r in first] == ["published"]
    before = _published_files(out)
    status, second = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_OK
    assert [(r["status"], r["notice_id"]) for r in second] == [("unchanged", "2024-cf657ba048")]
    assert _published_files(out) == before


def test_a_changed_file_replaces_its_notice_and_a_removed_one_is_reported(
    prefect_server,
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "out"
    notice = raw / "2024" / "notice.txt"
    assert _run_json(capsys, str(raw), "--out", str(out))[0] == EXIT_OK
    notice.write_text(
        notice.read_text(encoding="utf-8").replace("\t市统计局\n", "\t市统计局、市财政局\n"),
        encoding="utf-8",
    )
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_OK and [r["status"] for r in results] == ["published"]
    assert len(read_dataset(out, "task_units")) == 252
    assert len(read_dataset(out, "key_tasks")) == 122
    moved = raw.parent / "elsewhere.txt"
    notice.rename(moved)
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert [(r["status"], r["source"]) for r in results] == [("missing", str(notice.resolve()))]
    assert len(read_dataset(out, "key_tasks")) == 122  # published data stays


def test_one_notice_in_two_agreeing_files_is_published_once_with_both_sources(
    prefect_server,
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    shutil.copy(NOTICE_2024 / "notice.docx", raw / "2024" / "notice.docx")
    out = tmp_path / "out"
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_OK
    assert [r["status"] for r in results] == ["published", "published"]
    notice = read_dataset(out, "notices").iloc[0]
    assert sorted(notice["source_formats"]) == ["docx", "txt"]
    assert len(read_dataset(out, "key_tasks")) == 122
    assert len(manifests(out)) == 1
    assert not (out / ".frames").exists()  # each file's frames waited there until publication


def test_one_notice_in_two_disagreeing_files_is_not_published(
    prefect_server,
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    text = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")
    (raw / "2024" / "notice-v2.txt").write_text(
        text.replace("新增国家高新技术企业500家", "新增国家高新技术企业600家"), encoding="utf-8"
    )
    out = tmp_path / "out"
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_QUARANTINED
    assert [r["status"] for r in results] == ["conflict", "conflict"]
    assert "give different key_tasks" in results[0]["error"]["message"]
    assert manifests(out) == []
    assert not list(out.glob("key_tasks/*/*.parquet"))


def test_a_registry_or_vocabulary_change_makes_published_notices_read_again(
    prefect_server,  # type: ignore[no-untyped-def]
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import flows.batch

    out = tmp_path / "out"
    assert _run_json(capsys, str(raw), "--out", str(out))[0] == EXIT_OK
    real = flows.batch.fingerprint()
    monkeypatch.setattr(flows.batch, "fingerprint", lambda: real + "-registry-edited")
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_OK and [r["status"] for r in results] == ["published"]
    assert manifests(out)[0]["fingerprint"] == real + "-registry-edited"


def test_a_symbolic_link_out_of_raw_is_refused_and_the_rest_published(
    prefect_server,  # type: ignore[no-untyped-def]
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("not for the pipeline", encoding="utf-8")
    (raw / "2024" / "链接 notice.txt").symlink_to(secret)
    out = tmp_path / "out"
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_QUARANTINED
    assert sorted(r["status"] for r in results) == ["published", "quarantined"]
    refused = next(r for r in results if r["status"] == "quarantined")
    assert "outside the folder" in refused["error"]["message"]
    assert not list(out.rglob("secret.txt"))


def test_a_retitled_notice_keeps_its_id_and_replaces_its_publication(
    prefect_server,  # type: ignore[no-untyped-def]
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    notice = raw / "2024" / "notice.txt"
    assert _run_json(capsys, str(raw), "--out", str(out))[0] == EXIT_OK
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("重点工作和\n", "重点工作（修订稿）和\n", 1), encoding="utf-8")
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_OK and [r["status"] for r in results] == ["published"]
    assert results[0]["notice_id"] == "2024-cf657ba048"
    retitled = [w for w in results[0]["warnings"] if w["check"] == "retitled_notice"]
    assert len(retitled) == 1 and retitled[0]["rows"] == ["2024-cf657ba048"]
    assert [m["notice_id"] for m in manifests(out)] == ["2024-cf657ba048"]
    notices, tasks = read_dataset(out, "notices"), read_dataset(out, "key_tasks")
    assert "修订稿" in notices["title"].iloc[0] and len(tasks) == 122
    assert set(tasks["task_id"].str[:15]) == {"2024-cf657ba048"}


def test_bad_files_in_a_batch_are_quarantined_and_the_good_one_published(
    prefect_server,  # type: ignore[no-untyped-def]
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = raw / "2024"
    (folder / "empty.txt").write_bytes(b"")
    (folder / "scan.docx").write_bytes(b"%PDF-1.7\n...")
    (folder / "truncated.docx").write_bytes((NOTICE_2024 / "notice.docx").read_bytes()[:5000])
    (folder / "not a notice.html").write_text("<html><body><p>天气预报</p></body></html>", "utf-8")
    out = tmp_path / "out"
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_QUARANTINED
    by_file = {Path(r["source"]).name: r for r in results}
    assert by_file["notice.txt"]["status"] == "published"
    assert len(read_dataset(out, "key_tasks")) == 122
    for name in ("empty.txt", "scan.docx", "truncated.docx", "not a notice.html"):
        assert by_file[name]["status"] == "quarantined", name
        assert by_file[name]["error"]["file"].endswith(name)
        assert by_file[name]["error"]["hint"], name
    reasons = sorted(p.parent.name for p in (out / "quarantine").glob("*/reason.md"))
    assert reasons == ["empty.txt", "not_a_notice.html", "scan.docx", "truncated.docx"]


def test_a_broken_copy_beside_a_good_file_of_the_same_notice_keeps_its_reason(
    prefect_server,  # type: ignore[no-untyped-def]
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")
    (raw / "2024" / "broken copy.txt").write_text(text.replace("\t78\n", "\t77\n", 1), "utf-8")
    out = tmp_path / "out"
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_QUARANTINED
    assert sorted(r["status"] for r in results) == ["published", "quarantined"]
    kept = out / "quarantine" / "2024-cf657ba048"
    assert (kept / "broken copy.txt").exists() and (kept / "reason.json").exists()


def _without_last_task(text: str) -> str:
    """The notice with its last task (117) gone: read again, it would publish fewer rows."""
    start = text.index("\t117\n")
    end = text.index("\n\n", start)
    return text[:start].rstrip("\n") + "\n\n\n" + text[end:].lstrip("\n")  # table ends: 2 blanks


def test_a_notice_read_again_with_fewer_rows_is_kept_until_the_operator_accepts(
    prefect_server,  # type: ignore[no-untyped-def]
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    notice = raw / "2024" / "notice.txt"
    assert _run_json(capsys, str(raw), "--out", str(out))[0] == EXIT_OK
    before = _published_files(out)
    notice.write_text(_without_last_task(notice.read_text(encoding="utf-8")), encoding="utf-8")
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_QUARANTINED and results[0]["status"] == "quarantined"
    assert "key_tasks 122 → 121" in results[0]["error"]["message"]
    assert "--accept-shrink 2024-cf657ba048" in results[0]["error"]["hint"]
    assert _published_files(out) == before and len(read_dataset(out, "key_tasks")) == 122
    status, results = _run_json(
        capsys, str(raw), "--out", str(out), "--accept-shrink", "2024-cf657ba048"
    )
    assert status == EXIT_OK and results[0]["status"] == "published"
    assert len(read_dataset(out, "key_tasks")) == 121
    manifest = next(m for m in manifests(out) if m["notice_id"] == "2024-cf657ba048")
    assert manifest["accepted_shrink"]["key_tasks"] == [122, 121]


def test_a_damaged_manifest_is_set_aside_and_its_notice_published_again(
    prefect_server,  # type: ignore[no-untyped-def]
    raw: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    assert _run_json(capsys, str(raw), "--out", str(out))[0] == EXIT_OK
    manifest = out / "_manifests" / "2024-cf657ba048.json"
    manifest.write_text(manifest.read_text(encoding="utf-8")[:100], encoding="utf-8")  # cut short
    status, results = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_OK and [r["status"] for r in results] == ["published"]
    assert manifest.with_name(manifest.name + ".damaged").exists()
    assert json.loads(manifest.read_text(encoding="utf-8"))["rows"]["key_tasks"] == 122
    assert len(read_dataset(out, "key_tasks")) == 122


def test_a_pipe_named_as_a_notice_is_refused_before_it_is_read(
    prefect_server: str,
    tmp_path: Path,
) -> None:
    import os
    import subprocess
    import sys

    pipe = tmp_path / "notice.txt"
    os.mkfifo(pipe)  # reading it would wait for a writer forever
    env = {**os.environ, "PREFECT_API_URL": prefect_server}
    command = [sys.executable, "-m", "flows.cli", "run", str(pipe), "--out", str(tmp_path / "o")]
    done = subprocess.run(
        [*command, "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    result = json.loads(done.stdout)[0]
    assert result["status"] == "quarantined"
    assert "not a regular file" in result["error"]["message"]


def test_a_files_frames_wait_on_disk_until_its_notice_is_published(tmp_path: Path) -> None:
    """A batch holds every file until all are read: their frames on disk keep memory flat."""
    read = process_file(NOTICE_2024 / "notice.txt").for_publishing()
    assert read.frames is not None
    waiting = spill(read, tmp_path)
    assert waiting.frames is None and waiting.spilled is not None and waiting.spilled.exists()
    assert notice_groups([waiting, read]) == [[waiting, read]]  # still grouped as one notice
    back = waiting.unspilled()
    assert back.frames is not None
    assert all(back.frames[name].equals(frame) for name, frame in read.frames.items())
    assert not waiting.spilled.exists()


def test_on_a_full_disk_the_frames_stay_in_memory(tmp_path: Path) -> None:
    read = process_file(NOTICE_2024 / "notice.txt").for_publishing()
    (tmp_path / "out").write_text("a file where the output folder should be")
    assert spill(read, tmp_path / "out").frames is read.frames


def test_a_file_whose_set_aside_frames_are_gone_is_quarantined_with_why(tmp_path: Path) -> None:
    out = tmp_path / "out"
    waiting = spill(process_file(NOTICE_2024 / "notice.txt").for_publishing(), out)
    assert waiting.spilled is not None
    waiting.spilled.unlink()  # someone cleared the output folder during the run
    with disable_run_logger():
        (result,) = publish_group.fn([waiting], out, "fingerprint")
    assert result.status is Status.QUARANTINED and result.error is not None
    assert "could not be read back" in result.error.message and ".frames" in result.error.message
    assert manifests(out) == []
