"""The same app as celery_app.py, with liveness turned on by Celery's `imports` setting instead of a line of code."""
import os

from celery import Celery

app = Celery("pxd-tests-setting", broker=os.environ["CELERY_BROKER_URL"])
app.conf.update(
    imports=["ponyexpress_django.autoinstall"],
    beat_schedule={"noop": {"task": "tests.celery_app_by_setting.noop", "schedule": 1.0}},
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
)


@app.task
def noop():
    return None
