"""Worker liveness: touch a file while the consumer is alive.

A consumer bootstep, so it runs on the worker's event-loop timer: it stops
touching when the consumer stops (broker connection lost, loop wedged) and
the liveness probe, which only checks the file's age, fails after its max
age. It does not depend on Celery's event heartbeats (it works with
--without-heartbeat and without -E).

Caveat: with `--pool solo` a long task blocks the event loop, so the file
ages while the task runs; use the default prefork pool (or a max age longer
than the longest task).
"""
import logging
from pathlib import Path

from celery import bootsteps

logger = logging.getLogger(__name__)


class HeartbeatFile(bootsteps.StartStopStep):
    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        from django.conf import settings

        self.path = Path(settings.CELERY_WORKER_HEARTBEAT_FILE)
        self.interval = float(settings.CELERY_WORKER_HEARTBEAT_INTERVAL)
        self._timer_entry = None

    def start(self, parent):
        self._touch()
        self._timer_entry = parent.timer.call_repeatedly(self.interval, self._touch)
        logger.info("heartbeat: touching %s every %ss", self.path, self.interval)

    def stop(self, parent):
        # Connection lost or consumer restarting: stop touching, keep the
        # file; the probe fails only if this lasts longer than its max age.
        if self._timer_entry is not None:
            self._timer_entry.cancel()
            self._timer_entry = None

    def shutdown(self, parent):
        # Worker exiting: remove the file so the probe fails at once.
        self.stop(parent)
        self.path.unlink(missing_ok=True)

    def _touch(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()
        except OSError as exc:
            logger.error("heartbeat: cannot touch %s: %s", self.path, exc)
