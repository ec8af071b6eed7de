# Importing the Celery app here makes `celery --app ponyshop` find it and makes
# @shared_task bind to it when Django starts (gunicorn, manage.py).
from .celery import app as celery_app

__all__ = ("celery_app",)
