"""Settings for ponyshop, read from the environment the charts provide.

Nothing here is a secret literal: DJANGO_SECRET_KEY, the database and the
broker come from Kubernetes Secrets; the rest from the app's ConfigMap.
"""
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from ponyexpress_django.env import allowed_hosts, database_from_env, env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (or DJANGO_DEBUG=true for local work)")
    SECRET_KEY = "insecure-debug-only-key"

ALLOWED_HOSTS = allowed_hosts(default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# TLS ends at the ingress; trust its X-Forwarded-Proto so request.is_secure()
# and absolute URLs are right. Only safe because the pod is not reachable
# from outside except through the ingress.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("DJANGO_USE_X_FORWARDED_HOST", False)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ponyexpress_django",  # only for its `manage.py check` rules on the probe middleware
    "shop",
]

MIDDLEWARE = [
    # First: /healthz and /readiness are answered before SecurityMiddleware
    # (no SSL redirect) and before anything validates the Host header.
    "ponyexpress_django.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ponyshop.urls"
WSGI_APPLICATION = "ponyshop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60), default_name="ponyshop")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# collectstatic runs at image build time; the root filesystem is read-only at runtime.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))

# Everything goes to stdout, one line per record, so the container runtime collects it.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
}

# Celery (read by ponyshop.celery with namespace="CELERY").
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge after the task ran, one message at a time: a worker that dies
# mid-task leaves the message to be redelivered instead of losing it, and a
# long task does not hold a prefetched batch hostage.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_BEAT_SCHEDULE = {
    "record-tick": {
        "task": "shop.tasks.record_tick",
        "schedule": env_float("PONYSHOP_TICK_INTERVAL_SECONDS", 60.0),
        "kwargs": {"source": "beat"},
    },
}
# Worker heartbeat and beat tick files: ponyexpress_django.celery.install() in ponyshop/celery.py,
# paths from CELERY_WORKER_HEARTBEAT_FILE (set by the charts) and PONYEXPRESS_BEAT_TICK_FILE.
