"""Runs `celery` and the probe command as real processes, the way a pod would."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class Celery:
    def __init__(self, args: list[str], env: dict[str, str], log: Path, app: str = "tests.celery_app"):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", app, *args, "--loglevel", "INFO"],
            cwd=PACKAGE_ROOT, env={**os.environ, **env}, stdout=log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so cleanup reaches the pool's children
        )

    def signal(self, sig: int):
        self.process.send_signal(sig)

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def probe(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """The exec probe, exactly as the chart would run it."""
    result = subprocess.run([sys.executable, "-m", "ponyexpress_django.check", *args],
                            env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=10)
    return result.returncode, result.stdout.strip() + result.stderr.strip()


def wait_for(what: str, condition, timeout: float, process: Celery | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.process.poll() is not None:
            raise AssertionError(f"{what}: celery exited {process.process.returncode}\n{process.output()}")
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout}s" + (f"\n{process.output()}" if process else ""))
