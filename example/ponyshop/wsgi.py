"""WSGI entry point: `gunicorn ponyshop.wsgi:application`."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ponyshop.settings")

application = get_wsgi_application()
