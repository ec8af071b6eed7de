"""A plain Celery app (no Django) with ponyexpress liveness turned on by its one line."""
import os

from celery import Celery

import ponyexpress_django.celery

app = Celery("pxd-tests", broker=os.environ["CELERY_BROKER_URL"])
app.conf.update(
    beat_schedule={"noop": {"task": "tests.celery_app.noop", "schedule": float(os.environ.get("TICK_SECONDS", "1"))}},
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
)
ponyexpress_django.celery.install(app)


@app.task
def noop():
    return None
