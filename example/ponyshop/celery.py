"""The Celery app: `celery --app ponyshop worker|beat`."""
import logging.config
import os

import ponyexpress_django.celery
from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ponyshop.settings")

app = Celery("ponyshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Worker heartbeat file and beat tick file for the charts' exec probes.
ponyexpress_django.celery.install(app)
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(loglevel=None, **_kwargs):
    # Celery would log to stderr with its own format; use Django's LOGGING
    # (stdout) instead, at the level given by --loglevel.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
