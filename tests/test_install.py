"""The package as a user installs it: a wheel in a fresh virtual environment, run elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import NOTICE_2024

ROOT = Path(__file__).resolve().parent.parent
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "output", ".prefect", "__pycache__", "*.egg-info", ".hypothesis", "build"
)


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(dist), str(source)], check=True)
    return next(dist.glob("notices-*.whl"))


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new venv holding only the wheel; the dependencies come from this venv's site-packages
    through a .pth file (its own .pth files, the editable install among them, are not read)."""
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(
        subprocess.check_output(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            text=True,
        ).strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(
        [*pip, "--python", str(venv / "bin" / "python"), "install", "--no-deps", str(wheel)],
        check=True,
    )
    return venv


@pytest.mark.skipif(sys.platform == "win32", reason="the venv layout below is POSIX")
def test_the_wheel_runs_a_notice_from_a_fresh_venv_outside_the_repository(tmp_path: Path) -> None:
    venv = _fresh_venv(tmp_path, _build_wheel(tmp_path))
    python = str(venv / "bin" / "python")
    where = subprocess.check_output(
        [python, "-c", "import flows, recognise; print(flows.__file__, recognise.__file__)"],
        cwd=tmp_path,
        text=True,
    )
    assert str(ROOT) not in where and str(venv) in where
    work = tmp_path / "work"
    (work / "raw").mkdir(parents=True)
    shutil.copy(NOTICE_2024 / "notice.docx", work / "raw" / "notice.docx")
    # As a new user runs it: no server (Prefect starts its own), into a folder not made yet.
    drop = ("PYTHONPATH", "PREFECT_HOME", "PREFECT_API_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    done = subprocess.run(
        [str(venv / "bin" / "notices"), "run", "--json", "--out", "results/2024"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    tasks = pd.read_parquet(next((work / "results" / "2024" / "key_tasks").rglob("*.parquet")))
    assert len(tasks) == 122
    assert (work / "results" / "2024" / ".prefect").is_dir()
    assert not list(venv.rglob(".prefect")), "Prefect's state must not go into site-packages"
