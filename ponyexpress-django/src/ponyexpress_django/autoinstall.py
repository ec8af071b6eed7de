"""Worker and beat liveness turned on by a setting instead of a line of code.

    CELERY_IMPORTS = ["ponyexpress_django.autoinstall"]    # Django settings, with namespace="CELERY"
    app.conf.imports = ["ponyexpress_django.autoinstall"]  # plain Celery

`celery worker` and `celery beat` import the modules listed in `imports` while
they initialise, after the app is current and before the worker builds its
consumer or beat starts its scheduler; importing this module installs the
liveness steps for that app (see ponyexpress_django.celery.install).
"""
from celery import current_app

from .celery import install

install(current_app._get_current_object())
