"""The output folder in the way: inside raw/, a file, read-only, full; quarantine records that
must not overwrite each other; sources that became unreadable; Data Docs of what is published
kept apart from those of what is quarantined. Real mounts (tmpfs), real permissions (a process
without root's DAC override), the real CLI."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.cli import EXIT_OK, EXIT_QUARANTINED, EXIT_UNWRITTEN, EXIT_USAGE, main
from publish.read import read_dataset
from tests.conftest import NOTICE_2024

ROOT = Path(__file__).parent.parent
NOTICE_ID = "2024-cf657ba048"
TEXT = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")


def _run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    status = main(["run", *args, "--json"])
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err


def _by_name(results: list[dict]) -> dict[str, dict]:
    return {Path(r["source"]).name: r for r in results}


def _snapshot(out: Path) -> dict[str, str]:
    files = [*out.glob("*/year=*/*.parquet"), *out.glob("_manifests/*.json")]
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _cli(*args: str, prefix: list[str] | None = None, **env: str) -> subprocess.CompletedProcess:
    command = [*(prefix or []), sys.executable, "-m", "flows.cli", *args]
    environment = {**os.environ, **env}
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )


@contextmanager
def _tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A real small file system; skipped where mounting is not allowed (not root, a container
    without CAP_SYS_ADMIN)."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(disk: Path) -> Path:
    """Write until the disk is full; the filler file, to free the space again."""
    filler = disk / "filler"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 2**16)
                f.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def _raw(tmp_path: Path, name: str = "raw") -> Path:
    raw = tmp_path / name
    raw.mkdir()
    shutil.copy(NOTICE_2024 / "notice.txt", raw / "notice.txt")
    return raw


def test_an_output_folder_inside_raw_is_not_read_and_said_so(
    prefect_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = _raw(tmp_path)
    out = raw / "output"
    assert _run_json(capsys, str(raw), "--out", str(out))[0] == EXIT_OK
    status, results, err = _run_json(capsys, str(raw), "--out", str(out))
    # its reports, Data Docs and Parquet files are not taken for notices
    assert status == EXIT_OK
    assert [(Path(r["source"]).name, r["status"]) for r in results] == [("notice.txt", "unchanged")]
    assert err.count(f"the output folder {out} is inside {raw}") == 1


def test_raw_inside_the_output_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    (out / "quarantine").mkdir(parents=True)
    assert main(["run", str(out / "quarantine"), "--out", str(out)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is inside the output folder" in err
    assert main(["run", str(out), "--out", str(out)]) == EXIT_USAGE  # the same folder
    assert list(out.iterdir()) == [out / "quarantine"]


def test_an_out_that_is_a_file_is_bad_usage_in_one_line(tmp_path: Path) -> None:
    target = tmp_path / "output.txt"
    target.write_text("not a folder", encoding="utf-8")
    done = _cli("run", str(_raw(tmp_path)), "--out", str(target))
    _one_line_refusal(done, target, "is a file, not a folder")


def test_a_read_only_out_is_bad_usage_in_one_line(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    with _tmpfs(tmp_path / "disk", "200k") as disk:
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        done = _cli("run", str(raw), "--out", str(disk / "output"))
    _one_line_refusal(done, disk / "output", "(Read-only file system)")


def _one_line_refusal(done: subprocess.CompletedProcess, target: Path, why: str) -> None:
    assert done.returncode == EXIT_USAGE
    assert done.stdout == "" and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert str(target) in line and why in line


def test_a_full_disk_is_reported_and_what_was_published_stays_whole(
    prefect_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _tmpfs(tmp_path / "disk", "16m") as disk:
        out = disk / "out"
        assert _run_json(capsys, str(_raw(tmp_path)), "--out", str(out))[0] == EXIT_OK
        before = _snapshot(out)
        raw = tmp_path / "raw-next"
        raw.mkdir()  # the notice changed, a new notice, a bad file
        (raw / "notice.txt").write_text(
            TEXT.replace("\t市统计局\n", "\t市统计局、市财政局\n"), "utf-8"
        )
        (raw / "other.txt").write_text(TEXT.replace("2024年", "2025年"), "utf-8")
        (raw / "empty.txt").write_bytes(b"")
        filler = _fill(disk)
        status, results, err = _run_json(capsys, str(raw), "--out", str(out))
        assert status == EXIT_UNWRITTEN and "Traceback" not in err
        by_name = _by_name(results)
        for name in ("notice.txt", "other.txt"):
            assert by_name[name]["status"] == "quarantined"
            assert (
                "could not be written (No space left on device)"
                in by_name[name]["error"]["message"]
            )
        assert "its quarantine record not written" in by_name["empty.txt"]["error"]["message"]
        assert "not written the run's summary could not be written" in err
        assert "free space on the disk" in err
        # what was published stays, whole and readable; nothing half-written is left
        assert _snapshot(out) == before
        for path in out.glob("*/year=*/*.parquet"):
            pq.read_table(path)
        assert len(read_dataset(out, "key_tasks")) == 122
        assert not [*out.rglob("*.partial"), *out.rglob("*.tmp"), *(out / ".staging").iterdir()]
        filler.unlink()
        status, results, _ = _run_json(capsys, str(raw), "--out", str(out))
        assert status == EXIT_QUARANTINED  # the empty file only
        assert [r["status"] for r in results] == ["quarantined", "published", "published"]
        assert len(read_dataset(out, "task_units")) == 252 * 2 - 1  # 2024 changed, 2025 not


def test_two_bad_files_of_one_name_in_two_folders_keep_a_record_each(
    prefect_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    for folder, text in (("a", TEXT), ("b", TEXT.replace("新增国家高新技术企业500家", "600家"))):
        (raw / folder).mkdir(parents=True)
        (raw / folder / "notice.txt").write_text(text, "utf-8")  # one notice: a conflict
        (raw / folder / "empty.txt").write_text(" " * len(folder), "utf-8")
    for _ in range(2):  # a second run finds each record again: none is added or lost
        status, results, _ = _run_json(capsys, str(raw), "--out", str(out))
        assert status == EXIT_QUARANTINED
        assert sorted(r["status"] for r in results) == ["conflict"] * 2 + ["quarantined"] * 2
        records = _records(out)
        assert sorted(records.values()) == sorted(r["source"] for r in results)
        second = _digest(raw / "b" / "empty.txt"), _digest(raw / "b" / "notice.txt")
        names = ["empty.txt", f"empty.txt-{second[0]}", NOTICE_ID, f"{NOTICE_ID}-{second[1]}"]
        assert sorted(p.name for p in records) == sorted(names)
    for folder, source in records.items():  # each record holds its own file
        assert (folder / Path(source).name).read_bytes() == Path(source).read_bytes()
    shutil.rmtree(raw / "b")  # the right version stays: published, its old reason goes
    (raw / "a" / "empty.txt").write_text(TEXT.replace("2024年", "2025年"), "utf-8")
    status, results, _ = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_OK
    # b's files are gone from raw/: the notice's reason goes with its publication, the empty
    # file's stays for a person to look at
    assert sorted(p.name for p in _records(out)) == [f"empty.txt-{second[0]}"]


def _records(out: Path) -> dict[Path, str]:
    """Each quarantine record's folder, and the file it is for."""
    reasons = (out / "quarantine").glob("*/reason.json")
    return {p.parent: json.loads(p.read_text("utf-8"))["source"] for p in reasons}


def _digest(path: Path) -> str:
    return hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()[:8]


def _without_dac_override() -> list[str]:
    """Run as root without the capabilities that let root read anything: permission bits
    apply, as for any user."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to take root's override of permissions away")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


@pytest.mark.parametrize("unreadable", ["folder", "file"])
def test_a_published_notice_whose_source_became_unreadable_is_reported(
    prefect_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], unreadable: str
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    (raw / "2024").mkdir(parents=True)
    shutil.copy(NOTICE_2024 / "notice.txt", raw / "2024" / "notice.txt")
    shutil.copy(NOTICE_2024 / "notice.txt", raw / "another.txt")  # beside it: still read
    assert _run_json(capsys, str(raw), "--out", str(out))[0] == EXIT_OK
    before = _snapshot(out)
    locked = raw / "2024" if unreadable == "folder" else raw / "2024" / "notice.txt"
    locked.chmod(0)
    try:
        prefix = _without_dac_override()
        done = _cli(
            "run", str(raw), "--out", str(out), "--json", prefix=prefix,
            PREFECT_API_URL=prefect_server,
        )  # fmt: skip
    finally:
        locked.chmod(0o755)
    assert done.returncode == EXIT_QUARANTINED and "Traceback" not in done.stderr
    results = {r["source"]: r for r in json.loads(done.stdout)}
    assert results[str(raw / "another.txt")]["status"] == "unchanged"
    report = results[str(locked)]
    assert report["status"] == "quarantined"
    assert f"cannot read the {unreadable} (Permission denied)" in report["error"]["message"]
    assert "missing" not in {r["status"] for r in results.values()}  # not said to be gone
    assert _snapshot(out) == before


def _site_pages(index: Path) -> set[Path]:
    """The validation pages a Data Docs index links, all present."""
    html = index.read_text(encoding="utf-8")
    pages = {index.parent / link for link in re.findall(r"validations/[^'\"\s]+\.html", html)}
    assert pages and all(p.exists() for p in pages)
    return pages


def test_the_data_docs_of_a_rejected_version_do_not_replace_the_published_ones(
    prefect_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, out = _raw(tmp_path), tmp_path / "out"
    notice = raw / "notice.txt"
    assert _run_json(capsys, str(raw), "--out", str(out))[0] == EXIT_OK
    published = _site_pages(out / "reports" / "data_docs" / "index.html")
    quarantine_index = out / "reports" / "quarantine_data_docs" / "index.html"
    assert not quarantine_index.exists()
    notice.write_text(TEXT.replace("\t78\n", "\t77\n", 1), "utf-8")  # a repeated 序号: rejected
    status, results, _ = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_QUARANTINED and results[0]["status"] == "quarantined"
    assert _site_pages(out / "reports" / "data_docs" / "index.html") == published
    rejected = _site_pages(quarantine_index)
    assert {p.parent.name for p in rejected}.isdisjoint({p.parent.name for p in published})
    assert (out / "quarantine" / NOTICE_ID / "validation.gx-results.json").exists()
    notice.write_text(TEXT, "utf-8")  # back to the published version: unchanged
    status, results, _ = _run_json(capsys, str(raw), "--out", str(out))
    assert status == EXIT_OK and results[0]["status"] == "unchanged"
    assert not (out / "quarantine" / NOTICE_ID).exists() and not quarantine_index.exists()
    assert _site_pages(out / "reports" / "data_docs" / "index.html") == published


def test_a_full_disk_under_prefects_own_database_is_said_in_one_line(tmp_path: Path) -> None:
    """By default Prefect keeps its run history in the output folder: when that disk is full,
    its server may fail before the run can say anything of its own."""
    from tests.test_faults import own_env

    (tmp_path / "tmp").mkdir()
    env = own_env(tmp_path / "tmp")  # Prefect's temporary server, its database in out/.prefect
    with _tmpfs(tmp_path / "disk", "24m") as disk:
        out = disk / "out"
        raw = _raw(tmp_path)
        first = _cli("run", str(raw), "--out", str(out), **env)
        assert first.returncode == EXIT_OK, first.stderr
        before = _snapshot(out)
        (raw / "notice.txt").write_text(TEXT.replace("\t市统计局\n", "\t市统计局、市财政局\n"))
        _fill(disk)
        done = _cli("run", str(raw), "--out", str(out), **env)
        assert done.returncode == EXIT_UNWRITTEN
        assert "Traceback" not in done.stdout + done.stderr
        # Whether Prefect's database still had room for this run depends on SQLite's free
        # pages: either Prefect failed and the line says where its history is kept, or the run
        # got as far as the files' own lines and says what could not be written.
        assert "Error logging to API" not in done.stderr
        (line,) = [line for line in done.stderr.splitlines() if line.startswith("notices:")]
        assert "free space" in line
        if "Prefect" in line:
            assert f"could not record the run in {out / '.prefect'}" in line
            assert "PREFECT_HOME" in line
        else:
            assert "notice 2024-cf657ba048 could not be written" in done.stderr
        assert _snapshot(out) == before
