"""Shared fixtures: the 2024 notice in each format, run through the stages in-process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from extractors import Document
from flows.pipeline import FileOutcome, process_file
from normalise.rows import NoticeRows
from recognise.tables import RecognisedTable

FIXTURES = Path(__file__).parent / "fixtures"
NOTICE_2024 = FIXTURES / "jiaxing_2024"
FORMATS = ["txt", "docx", "html"]


@dataclass
class Extracted:
    doc: Document
    tables: list[RecognisedTable]
    rows: NoticeRows
    frames: dict[str, pd.DataFrame]
    outcome: FileOutcome


def extract(path: Path) -> Extracted:
    """A notice through the pipeline's stages; a file it refuses raises the refusal."""
    outcome = process_file(path)
    if outcome.frames is None:
        assert outcome.result.error is not None
        raise outcome.result.error
    assert outcome.document is not None and outcome.rows is not None
    return Extracted(outcome.document, outcome.tables, outcome.rows, outcome.frames, outcome)


@pytest.fixture(scope="session", params=FORMATS)
def notice_2024(request: pytest.FixtureRequest) -> Extracted:
    """The 2024 notice, once per format."""
    return extract(NOTICE_2024 / f"notice.{request.param}")


@pytest.fixture(scope="session")
def every_format() -> dict[str, Extracted]:
    return {fmt: extract(NOTICE_2024 / f"notice.{fmt}") for fmt in FORMATS}


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """A throwaway Prefect server for the flows under test; yields its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield str(PREFECT_API_URL.value())
