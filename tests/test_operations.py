"""Operations: inspect without writing, a schedule on a real Prefect server, a real Dask cluster."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from flows.cli import EXIT_OK, EXIT_QUARANTINED, main
from publish.read import read_dataset
from schemas.datasets import datasets
from tests.conftest import NOTICE_2024
from tests.test_faults import command_line, own_env

BIN = Path(sys.executable).parent
LINEAGE = ["source_file", "source_files", "source_formats", "sha256"]


def test_inspect_shows_tables_columns_rows_and_warnings_without_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["inspect", str(NOTICE_2024 / "notice.docx"), "--json"]) == EXIT_OK
    found = json.loads(capsys.readouterr().out)
    assert [t["kind"] for t in found["tables"]] == ["key_tasks", "livelihood", "unknown"]
    livelihood = found["tables"][1]["columns"]
    area = "between the city-wide target and the lead columns"
    assert {"header": "南湖区", "role": "area", "why": area} in livelihood
    assert {"header": "市级牵头单位", "role": "lead", "why": "header word"} in livelihood
    assert found["rows"]["key_tasks"] == 122 and found["rows"]["livelihood_targets"] == 528
    assert len(found["warnings"]) == 4 and found["unknown_units"] == []
    assert list(tmp_path.iterdir()) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `prefect server start` on 127.0.0.1 (SQLite in a temporary PREFECT_HOME)."""
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path_factory.mktemp("prefect-home"))}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/health", 120)
        yield f"http://127.0.0.1:{port}/api"
    finally:
        server.terminate()
        server.wait(30)


def test_a_scheduled_deployment_runs_on_a_real_server(prefect_api: str, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(NOTICE_2024 / "notice.txt", raw / "notice.txt")
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(tmp_path / "ph")}
    serving = subprocess.Popen(
        [BIN / "notices", "serve", str(raw), "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with temporary_settings({PREFECT_API_URL: prefect_api}):
            deployment = _wait_for_deployment(get_client, "notices-batch/daily")
            schedule = deployment.schedules[0].schedule
            assert (schedule.cron, schedule.timezone) == ("0 6 * * *", "Asia/Shanghai")
            run = run_deployment("notices-batch/daily", timeout=240)
        assert run.state is not None and run.state.is_completed(), run.state
        assert len(read_dataset(out, "key_tasks")) == 122
    finally:
        serving.terminate()
        serving.wait(30)


def _wait_for_deployment(get_client, name: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    with get_client(sync_client=True) as client:
        while True:
            try:
                return client.read_deployment_by_name(name)
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)


def test_a_batch_on_a_real_dask_cluster_gives_the_local_results(
    prefect_server,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from distributed import LocalCluster

    raw = tmp_path / "raw"
    raw.mkdir()
    for fmt in ("txt", "html"):
        shutil.copy(NOTICE_2024 / f"notice.{fmt}", raw / f"notice.{fmt}")
    local, on_dask = tmp_path / "local", tmp_path / "dask"
    assert main(["run", str(raw), "--out", str(local), "--json"]) == EXIT_OK
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        status = main(["run", str(raw), "--out", str(on_dask), "--dask-address", address, "--json"])
    assert status == EXIT_OK
    for name in datasets():
        expected = read_dataset(local, name).drop(columns=LINEAGE, errors="ignore")
        actual = read_dataset(on_dask, name).drop(columns=LINEAGE, errors="ignore")
        pd.testing.assert_frame_equal(actual, expected)


def test_a_run_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    """A whole run as a person starts it (Prefect's own temporary server, LibreOffice, Data Docs
    of published and quarantined files): the system's temporary folder is as it was."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    raw = tmp_path / "raw"
    raw.mkdir()
    for fmt in ("txt", *(["doc"] if shutil.which("soffice") else [])):
        shutil.copy(NOTICE_2024 / f"notice.{fmt}", raw / f"notice.{fmt}")
    text = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")
    broken = text.replace("2024年", "2025年").replace("\t78\n", "\t77\n", 1)
    (raw / "broken.txt").write_text(broken, encoding="utf-8")
    (raw / "empty.txt").write_bytes(b"")
    probe = "import tempfile; print(tempfile.gettempdir())"
    env = own_env(tmp)
    assert subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True
    ).stdout.strip() == str(tmp)  # the folder the run's libraries are given
    done = subprocess.run(
        [BIN / "notices", "run", str(raw), "--out", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == EXIT_QUARANTINED, done.stderr
    assert (tmp_path / "out" / "reports" / "quarantine_data_docs" / "index.html").exists()
    assert list(tmp.iterdir()) == []


HANGING_SOFFICE = """#!/bin/bash
exec -a {marker} sleep 600
"""


def test_a_file_that_takes_too_long_is_quarantined_and_the_run_goes_on(
    prefect_server: str, tmp_path: Path
) -> None:
    """A LibreOffice that never answers (its own limit is 120 s): the file is set aside after
    --file-timeout, the rest is published, and nothing it started outlives the run."""
    marker = f"hanging-soffice-{os.getpid()}-{time.monotonic_ns()}"
    soffice = tmp_path / "soffice"
    soffice.write_text(HANGING_SOFFICE.format(marker=marker), encoding="utf-8")
    soffice.chmod(0o755)
    raw, tmp = tmp_path / "raw", tmp_path / "tmp"
    raw.mkdir()
    tmp.mkdir()
    for fmt in ("doc", "txt"):
        shutil.copy(NOTICE_2024 / f"notice.{fmt}", raw / f"notice.{fmt}")
    env = {**own_env(tmp), "PREFECT_API_URL": prefect_server, "NOTICES_SOFFICE": str(soffice)}
    started = time.monotonic()
    command = [BIN / "notices", "run", str(raw), "--out", str(tmp_path / "out"), "--json"]
    done = subprocess.run(
        [*command, "--file-timeout", "20"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert time.monotonic() - started < 100  # not held until LibreOffice's own limit
    assert done.returncode == EXIT_QUARANTINED, done.stderr
    results = {Path(r["source"]).name: r for r in json.loads(done.stdout)}
    assert results["notice.txt"]["status"] == "published"
    assert results["notice.doc"]["status"] == "quarantined"
    assert "reading took longer than 20 s" in results["notice.doc"]["error"]["message"]
    assert "--file-timeout" in results["notice.doc"]["error"]["hint"]
    assert (tmp_path / "out" / "quarantine" / "notice.doc" / "reason.md").exists()
    time.sleep(1)
    assert not [p for p in Path("/proc").glob("[0-9]*") if marker in command_line(int(p.name))]
    assert list(tmp.iterdir()) == []
