"""The liveness files' environment variables and defaults: one home for the app and the probe command.

The charts set CELERY_WORKER_HEARTBEAT_FILE; both defaults live on the pod's
/tmp emptyDir, the only writable path under a read-only root filesystem.
New names carry a PONYEXPRESS_ prefix: celery's command line reads any
CELERY_WORKER_<OPTION> / CELERY_BEAT_<OPTION> variable as that option, so
CELERY_WORKER_HEARTBEAT_INTERVAL would set the broker heartbeat (--heartbeat-interval).
"""
import os
from pathlib import Path

WORKER_FILE_ENV = "CELERY_WORKER_HEARTBEAT_FILE"  # set by the charts
# Defaults under $TMPDIR (unset in the image, so /tmp): the probe runs in the same container env.
WORKER_FILE_DEFAULT = os.path.join(os.environ.get("TMPDIR") or "/tmp", "celery-worker-heartbeat")
WORKER_INTERVAL_ENV = "PONYEXPRESS_WORKER_HEARTBEAT_INTERVAL"
WORKER_INTERVAL_DEFAULT = 5.0
BEAT_FILE_ENV = "PONYEXPRESS_BEAT_TICK_FILE"
BEAT_FILE_DEFAULT = os.path.join(os.environ.get("TMPDIR") or "/tmp", "celery-beat-ticks")


def resolve(env_name: str, configured, default) -> str:
    """The environment wins: the probe command reads the same variable, so app and probe agree."""
    return os.environ.get(env_name) or configured or default


def write_beat_tick(path: Path, next_tick_in: float) -> None:
    """Record a finished tick: mtime is now, the content says when beat expects to tick again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(f"{max(0.0, float(next_tick_in)):.3f}\n")
    os.replace(scratch, path)  # atomic: the probe never reads half a file
