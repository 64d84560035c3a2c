"""The `notices` command: run, inspect, serve.

Exit status: 0 every notice published (or unchanged); 1 a file was quarantined or two files of
one notice disagree; 2 bad usage (a path that does not exist, an --out that cannot be written,
serve without a server); 3 another run held the output folder for longer than --wait seconds;
4 a file was not read (skipped: an image, an archive, an .ofd), the rest published; 5 something
could not be written into the output folder (a full disk): what is named, what was published
before stays; 128 + the signal's number when stopped by SIGINT, SIGTERM or SIGHUP.

A run leaves nothing behind in the system's temporary folder and no process (flows/lifetime.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import sys
from pathlib import Path

from flows.lifetime import end_children, run_process

EXIT_OK, EXIT_QUARANTINED, EXIT_USAGE, EXIT_BUSY, EXIT_SKIPPED, EXIT_UNWRITTEN = 0, 1, 2, 3, 4, 5
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
    # pyarrow's default pool (mimalloc) kept ~145 MB per batch resident after use; the system
    # allocator gives it back. Read when pyarrow is first imported, which is after this.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
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


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _paths_and_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: raw/)")
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    parser.add_argument(
        "--file-timeout",
        type=_positive_seconds,
        default=None,
        help="seconds one file may take before it is quarantined (default 300)",
    )


def _existing(paths: list[Path]) -> list[Path] | None:
    paths = paths or [Path("raw")]
    missing: list[Path] = []
    for path in paths:
        try:
            if not path.exists():
                missing.append(path)
        except OSError as error:  # a folder on the way that cannot be searched
            print(f"notices: cannot reach {path} ({error.strerror})", file=sys.stderr)
            return None
    if missing:
        print(f"notices: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return None
    return paths


def _usable_output(paths: list[Path], out: Path) -> bool:
    """The output folder can be written and is not among the notices; says why not."""
    problem = _input_in_output(paths, out) or _unwritable(out)
    if problem:
        print(f"notices: {problem}", file=sys.stderr)
        return False
    inside = next((p for p in paths if _is_dir(p) and _inside(out, p)), None)
    if inside is not None:  # the walk leaves it out; say so, as nothing is passed over silently
        print(
            f"notices: the output folder {out} is inside {inside}; it is not read", file=sys.stderr
        )
    return True


def _input_in_output(paths: list[Path], out: Path) -> str | None:
    """Refused rather than left out: every file there is the run's own (quarantined copies,
    reports), so reading them would publish, quarantine and remove its own output."""
    for path in paths:
        if _inside(path, out):
            return (
                f"{path} is inside the output folder {out}: the run would read what it writes; "
                "give the folder of the notices, and an --out outside it"
            )
    return None


def _unwritable(out: Path) -> str | None:
    """Why the output folder cannot be used (a file, a read-only place), made if missing."""
    try:
        if out.exists() and not out.is_dir():
            return f"--out {out} is a file, not a folder: give a folder (it is made if missing)"
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".notices-probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as error:
        return (
            f"cannot write into --out {out} ({error.strerror or error}): give a folder you can "
            "write to, or make this one writable"
        )
    return None


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def run_command(args: argparse.Namespace) -> int:
    paths = _existing(args.paths)
    if paths is None or not _usable_output(paths, args.out):
        return EXIT_USAGE
    try:
        _prefect_defaults(args.out, console_logs=False)
    except OSError as error:  # a PREFECT_HOME of the user's that cannot be made
        print(f"notices: cannot make Prefect's folder ({error}): set PREFECT_HOME", file=sys.stderr)
        return EXIT_USAGE
    try:
        with run_process():
            return _run(args, paths)
    except Exception as error:
        full = _prefect_disk_full(error)
        if full is None:
            raise  # a bug: its traceback
        print(f"notices: {full}", file=sys.stderr)
        logging.raiseExceptions = False  # said: Prefect's log sender need not say it again
        return EXIT_UNWRITTEN


def _run(args: argparse.Namespace, paths: list[Path]) -> int:
    from core.records import Status
    from flows.batch import run_batch
    from flows.notice import FILE_TIMEOUT_SECONDS, ReadingTimedOut, write_failures
    from flows.progress import print_summary, print_unwritten, show_progress
    from publish.lock import OutputBusy
    from publish.store import OutputNotWritten

    flow = run_batch
    if args.dask_address:
        from prefect_dask import DaskTaskRunner

        flow = run_batch.with_options(task_runner=DaskTaskRunner(address=args.dask_address))
    unwritten: list[OutputNotWritten] = []
    write_failures.append(unwritten.append)
    try:
        with show_progress(quiet=args.json):
            # Absolute: Dask workers and scheduled runs do not share this working directory.
            results = flow(
                [str(p.resolve()) for p in paths],
                str(args.out.resolve()),
                args.wait,
                args.accept_shrink,
                args.file_timeout or FILE_TIMEOUT_SECONDS,
            )
    except OutputBusy as busy:
        print(f"notices: {busy}", file=sys.stderr)
        return EXIT_BUSY
    finally:
        write_failures.remove(unwritten.append)
    if any(isinstance(r.error, ReadingTimedOut) for r in results):
        end_children(server_too=False)  # a conversion of a file set aside would outlive the run
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2, default=str))
    elif results:
        print_summary(results, args.out)
    else:  # an empty raw/: say so rather than print an empty table
        where = ", ".join(str(p) for p in paths)
        print(f"notices: no files to read in {where}; put the notice files there", file=sys.stderr)
    if unwritten:
        print_unwritten(unwritten)
        return EXIT_UNWRITTEN
    if any(r.status.failed for r in results):
        return EXIT_QUARANTINED
    # a run never reports success over files it did not read
    return EXIT_SKIPPED if any(r.status is Status.SKIPPED for r in results) else EXIT_OK


def _prefect_disk_full(error: Exception) -> str | None:
    """What to say when Prefect's server failed (an error answer, or it never started) because
    the disk holding its database (by default inside the output folder) is full; None for any
    other failure."""
    from prefect.exceptions import PrefectHTTPStatusError
    from prefect.settings import PREFECT_HOME

    home = Path(PREFECT_HOME.value())
    try:
        free = shutil.disk_usage(home).free
    except OSError:
        return None
    unstarted = isinstance(error, RuntimeError) and "ephemeral" in str(error)
    if not (isinstance(error, PrefectHTTPStatusError) or unstarted) or free > 2**20:
        return None
    return (
        f"Prefect could not record the run in {home}: the disk is full ({free // 1024} KB "
        "free); free space on it, or set PREFECT_HOME to a folder on another disk, and run "
        "again; what was published before is unchanged"
    )


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
    paths = _existing(args.paths)
    if paths is None or not _usable_output(paths, args.out):
        return EXIT_USAGE
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

    run_batch.serve(
        name=args.name,
        schedules=[Cron(args.cron, timezone=args.timezone)],
        parameters={
            "paths": [str(p.resolve()) for p in paths],
            "out": str(args.out.resolve()),
            **({"file_timeout": args.file_timeout} if args.file_timeout else {}),
        },
        pause_on_shutdown=False,
    )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"run": run_command, "inspect": inspect_command, "serve": serve_command}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
