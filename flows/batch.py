"""The batch flow: every notice file under the given paths, then the run's reports."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.notice import SUPPORTED, NoticeResult, process_notice
from flows.summary import summary_markdown, write_review
from schemas.card import dataset_card


def notice_files(paths: list[Path]) -> list[Path]:
    """The notice files under the given files and folders, recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
            )
        else:
            found.append(path)
    return found


@flow(name="notices-batch")
def run_batch(paths: list[Path], out: Path) -> list[NoticeResult]:
    """Each notice in its own flow, then the review file, the summary and the dataset card."""
    results = [process_notice(path, out) for path in notice_files(paths)]
    write_reports(out, results)
    return results


def write_reports(out: Path, results: list[NoticeResult]) -> str:
    write_review(out, results)
    summary = summary_markdown(results)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "reports" / "summary.md").write_text(summary, encoding="utf-8")
    (out / "README.md").write_text(dataset_card(), encoding="utf-8")
    create_markdown_artifact(markdown=summary, key="notices-run-summary", description="Run summary")
    return summary
