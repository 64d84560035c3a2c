"""The `notices` command.

Exit status: 0 every notice published; 1 at least one file quarantined; 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_QUARANTINED, EXIT_USAGE = 0, 1, 2


def _prefect_defaults() -> None:
    """Quiet, offline, self-contained Prefect unless the user configured it."""
    os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="notices", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="read notices and publish their datasets")
    run.add_argument("paths", nargs="*", type=Path, help="files or folders (default: raw/)")
    run.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def run_command(args: argparse.Namespace) -> int:
    _prefect_defaults()
    from flows.batch import run_batch
    from flows.summary import summary_markdown

    paths = args.paths or [Path("raw")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"notices: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return EXIT_USAGE
    args.out.mkdir(parents=True, exist_ok=True)
    results = run_batch([str(p) for p in paths], str(args.out))
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2, default=str))
    else:
        print(summary_markdown(results))
    failed = [r for r in results if r.status in ("quarantined", "conflict")]
    return EXIT_QUARANTINED if failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"run": run_command}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
