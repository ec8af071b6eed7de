"""Celery worker and beat liveness. One line in the app's Celery module turns both on:

    ponyexpress_django.celery.install(app)

Worker: a consumer bootstep on the worker's event-loop timer touches
$CELERY_WORKER_HEARTBEAT_FILE every $PONYEXPRESS_WORKER_HEARTBEAT_INTERVAL seconds
(default 5). It stops when the consumer stops (broker lost, loop wedged) and
removes the file on a clean shutdown. It needs no Celery events (-E). With
`--pool solo` a long task blocks the loop: use prefork or a max age above the
longest task.

Beat: after each scheduler tick, whatever the scheduler class (django-celery-beat
too), $PONYEXPRESS_BEAT_TICK_FILE is rewritten with the seconds until the next
tick; `python -m ponyexpress_django.check beat` fails when beat is late for it.
The file is removed when beat shuts down.

Celery config keys (Django settings CELERY_WORKER_HEARTBEAT_FILE etc. with the
usual namespace) are used when the environment does not set the variable.
"""
import logging
from pathlib import Path

from celery import bootsteps
from celery.signals import beat_init

from . import files

logger = logging.getLogger(__name__)


class WorkerHeartbeat(bootsteps.StartStopStep):
    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        conf = parent.app.conf
        self.path = Path(files.resolve(files.WORKER_FILE_ENV, conf.get("worker_heartbeat_file"), files.WORKER_FILE_DEFAULT))
        self.interval = float(files.resolve(files.WORKER_INTERVAL_ENV, conf.get("worker_heartbeat_interval"), files.WORKER_INTERVAL_DEFAULT))
        self._timer_entry = None

    def start(self, parent):
        self._touch()
        self._timer_entry = parent.timer.call_repeatedly(self.interval, self._touch)
        logger.info("ponyexpress: worker heartbeat %s every %gs", self.path, self.interval)

    def stop(self, parent):
        # Consumer restarting (e.g. broker lost): stop touching but keep the file,
        # so the probe fails only if this outlasts its max age.
        if self._timer_entry is not None:
            self._timer_entry.cancel()
            self._timer_entry = None

    def shutdown(self, parent):
        self.stop(parent)
        self.path.unlink(missing_ok=True)

    def _touch(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()
        except OSError as exc:
            logger.error("ponyexpress: cannot touch worker heartbeat %s: %s", self.path, exc)


def hook_beat(service) -> Path:
    """Wrap this beat service's scheduler so every finished tick is recorded."""
    conf = service.app.conf
    path = Path(files.resolve(files.BEAT_FILE_ENV, conf.get("beat_heartbeat_file"), files.BEAT_FILE_DEFAULT))
    scheduler = service.scheduler
    tick, close = scheduler.tick, scheduler.close

    def tick_and_record(*args, **kwargs):
        interval = tick(*args, **kwargs)
        try:
            files.write_beat_tick(path, interval or 0.0)
        except OSError as exc:
            logger.error("ponyexpress: cannot write beat tick file %s: %s", path, exc)
        return interval

    def close_and_remove(*args, **kwargs):
        path.unlink(missing_ok=True)
        return close(*args, **kwargs)

    # Instance attributes shadow the class's methods for this scheduler only.
    scheduler.tick = tick_and_record
    scheduler.close = close_and_remove
    logger.info("ponyexpress: beat records each tick in %s", path)
    return path


def install(app, worker: bool = True, beat: bool = True) -> None:
    """Turn on worker and/or beat liveness for this Celery app (idempotent)."""
    if worker and WorkerHeartbeat not in app.steps["consumer"]:
        app.steps["consumer"].add(WorkerHeartbeat)
    if beat:
        def on_beat_init(sender, **_kwargs):
            if sender.app is app:
                hook_beat(sender)

        beat_init.connect(on_beat_init, weak=False, dispatch_uid=f"ponyexpress-beat-{id(app)}")
