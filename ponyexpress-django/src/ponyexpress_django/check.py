"""Exec probe commands for the Celery worker and beat; stdlib only, so each run starts fast.

    python -m ponyexpress_django.check worker [--max-age 60] [--file PATH]
    python -m ponyexpress_django.check beat   [--max-age 60] [--file PATH]

worker: fails when the heartbeat file is missing or older than --max-age.
beat:   fails when the tick file is missing, or when beat is more than
        --max-age seconds late for the next tick it announced (a hung
        scheduler, a tick stuck on a lost broker, a stopped beat).
Exit 0 when healthy; 1 with one line saying why (the kubelet records it in the
pod's Events); 2 for a usage error.
"""
import argparse
import sys
import time
from pathlib import Path

from . import files


def check_worker(path: Path, max_age: float, now: float) -> str | None:
    try:
        age = now - path.stat().st_mtime
    except FileNotFoundError:
        return f"worker heartbeat file {path} is missing (worker not started, shut down, or the heartbeat step is not installed)"
    if age > max_age:
        return f"worker heartbeat {path} is {age:.0f}s old (max {max_age:g}s): the consumer is stopped or its event loop is blocked"
    return None


def check_beat(path: Path, max_age: float, now: float) -> str | None:
    try:
        mtime = path.stat().st_mtime
        text = path.read_text().strip()
    except FileNotFoundError:
        return f"beat tick file {path} is missing (beat not started, stopped, or its liveness hook is not installed)"
    try:
        next_tick_in = float(text) if text else 0.0
    except ValueError:
        return f"beat tick file {path} holds {text[:40]!r}, expected the seconds until the next tick"
    age = now - mtime
    late = age - next_tick_in
    if late > max_age:
        return (f"beat is {late:.0f}s late (max {max_age:g}s): last tick {age:.0f}s ago, "
                f"next was due {next_tick_in:.0f}s after it; the scheduler is hung or stopped")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ponyexpress_django.check", description=__doc__.split("\n\n")[0])
    parser.add_argument("process", choices=("worker", "beat"))
    parser.add_argument("--max-age", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--file", help=f"default ${files.WORKER_FILE_ENV} / ${files.BEAT_FILE_ENV}, else under /tmp")
    args = parser.parse_args(argv)
    if args.max_age <= 0:
        parser.error(f"--max-age {args.max_age:g}: expected a positive number of seconds")
    if args.process == "worker":
        path = Path(args.file or files.resolve(files.WORKER_FILE_ENV, None, files.WORKER_FILE_DEFAULT))
        problem = check_worker(path, args.max_age, time.time())
    else:
        path = Path(args.file or files.resolve(files.BEAT_FILE_ENV, None, files.BEAT_FILE_DEFAULT))
        problem = check_beat(path, args.max_age, time.time())
    if problem:
        print(problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
