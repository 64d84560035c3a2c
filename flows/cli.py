"""The `notices` command: run, inspect, serve.

Exit status: 0 every notice published (or unchanged); 1 a file was quarantined or two files of
one notice disagree; 2 bad usage (a path that does not exist, serve without a server); 3 another
run held the output folder for longer than --wait seconds; 4 a file was not read (skipped: an
image, an archive, an .ofd), the rest published.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_QUARANTINED, EXIT_USAGE, EXIT_BUSY, EXIT_SKIPPED = 0, 1, 2, 3, 4
DASK_ENV = "NOTICES_DASK_ADDRESS"


def _prefect_defaults(out: Path, console_logs: bool) -> None:
    """Quiet, offline, self-contained Prefect unless the user configured it.

    Prefect's state goes beside the output (never inside the installed package). In `run`, the
    terminal shows one line per file and the summary; Prefect's own console lines (a failed
    task's state, twice) would repeat each reason, so they go only to Prefect's run history.
    """
    os.environ.setdefault("PREFECT_HOME", str(out.resolve() / ".prefect"))
    # Prefect creates its home without parents: a new --out folder would leave it nowhere to go.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if not console_logs:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="notices", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="read notices and publish their datasets")
    _paths_and_out(run)
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.add_argument(
        "--wait", type=_seconds, default=600, help="seconds to wait for another run (default 600)"
    )
    run.add_argument(
        "--accept-shrink",
        action="append",
        default=[],
        metavar="NOTICE_ID",
        help="let this notice publish fewer rows than it has (recorded in its manifest)",
    )
    run.add_argument(
        "--dask-address",
        default=os.environ.get(DASK_ENV),
        help=f"run each file's work on this Dask scheduler (tcp://host:port; or ${DASK_ENV})",
    )
    inspect = commands.add_parser("inspect", help="show what a file holds, without writing")
    inspect.add_argument("file", type=Path)
    inspect.add_argument("--json", action="store_true", help="print the findings as JSON")
    serve = commands.add_parser("serve", help="serve the batch on a schedule (needs a server)")
    _paths_and_out(serve)
    serve.add_argument("--cron", default="0 6 * * *", help="schedule (default: daily 06:00)")
    serve.add_argument("--timezone", default="Asia/Shanghai")
    serve.add_argument("--name", default="daily", help="deployment name")
    return parser


def _seconds(text: str) -> float:
    """A number of seconds to wait: finite and not negative (nan would wait forever)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from 0 up")
    return value


def _paths_and_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: raw/)")
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder")


def _existing(paths: list[Path]) -> list[Path] | None:
    paths = paths or [Path("raw")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"notices: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return None
    return paths


def run_command(args: argparse.Namespace) -> int:
    _prefect_defaults(args.out, console_logs=False)
    from core.records import Status
    from flows.batch import run_batch
    from flows.progress import print_summary, show_progress
    from publish.lock import OutputBusy

    paths = _existing(args.paths)
    if paths is None:
        return EXIT_USAGE
    flow = run_batch
    if args.dask_address:
        from prefect_dask import DaskTaskRunner

        flow = run_batch.with_options(task_runner=DaskTaskRunner(address=args.dask_address))
    try:
        with show_progress(quiet=args.json):
            # Absolute: Dask workers and scheduled runs do not share this working directory.
            results = flow(
                [str(p.resolve()) for p in paths],
                str(args.out.resolve()),
                args.wait,
                args.accept_shrink,
            )
    except OutputBusy as busy:
        print(f"notices: {busy}", file=sys.stderr)
        return EXIT_BUSY
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2, default=str))
    else:
        print_summary(results, args.out)
    if any(r.status.failed for r in results):
        return EXIT_QUARANTINED
    # a run never reports success over files it did not read
    return EXIT_SKIPPED if any(r.status is Status.SKIPPED for r in results) else EXIT_OK


def inspect_command(args: argparse.Namespace) -> int:
    from flows.inspect import inspect_file, print_inspection

    if not args.file.is_file():
        print(f"notices: no such file: {args.file}", file=sys.stderr)
        return EXIT_USAGE
    found = inspect_file(args.file)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2, default=str))
    else:
        print_inspection(found)
    return EXIT_QUARANTINED if found["error"] else EXIT_OK


def serve_command(args: argparse.Namespace) -> int:
    _prefect_defaults(args.out, console_logs=True)
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "notices serve needs a Prefect server: start one with `prefect server start` and "
            "set PREFECT_API_URL=http://127.0.0.1:4200/api (see README, 'Operator')",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from prefect.schedules import Cron

    from flows.batch import run_batch

    paths = _existing(args.paths)
    if paths is None:
        return EXIT_USAGE
    run_batch.serve(
        name=args.name,
        schedules=[Cron(args.cron, timezone=args.timezone)],
        parameters={"paths": [str(p.resolve()) for p in paths], "out": str(args.out.resolve())},
        pause_on_shutdown=False,
    )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"run": run_command, "inspect": inspect_command, "serve": serve_command}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
