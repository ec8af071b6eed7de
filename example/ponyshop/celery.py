"""The Celery app: `celery --app ponyshop worker|beat`."""
import logging.config
import os

from celery import Celery
from celery.signals import setup_logging

from .heartbeat import HeartbeatFile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ponyshop.settings")

app = Celery("ponyshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.steps["consumer"].add(HeartbeatFile)
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(loglevel=None, **_kwargs):
    # Celery would log to stderr with its own format; use Django's LOGGING
    # (stdout) instead, at the level given by --loglevel.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
