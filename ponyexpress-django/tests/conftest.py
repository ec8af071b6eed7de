"""Starts a private PostgreSQL and Redis for the session, then configures Django against them.

Settings are configured here, not through pytest-django, because they depend on
the ports of servers this session starts.
"""
import os
import socket
import threading

import django
import pytest
from django.conf import settings

from .servers import Postgres, Redis

_servers = {}


def pytest_configure(config):
    try:
        _servers["pg"] = pg = Postgres()
        _servers["redis"] = redis = Redis()
    except BaseException:
        pytest_unconfigure(config)
        raise
    os.environ.update(pg.env())
    os.environ["CELERY_BROKER_URL"] = redis.url()
    from ponyexpress_django import env

    settings.configure(
        DEBUG=False,
        SECRET_KEY="ponyexpress-django-tests",
        ALLOWED_HOSTS=["shop.example.test"],
        SECURE_SSL_REDIRECT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        DATABASES={"default": env.database_from_env(conn_max_age=60)},
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "ponyexpress_django"],
        MIDDLEWARE=[
            "ponyexpress_django.middleware.ProbeMiddleware",
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
        ],
        ROOT_URLCONF="tests.urls",
        USE_TZ=True,
        LOGGING_CONFIG=None,
    )
    django.setup()


def pytest_unconfigure(config):
    while _servers:
        _servers.popitem()[1].destroy()


@pytest.fixture
def pg() -> Postgres:
    return _servers["pg"]


@pytest.fixture
def redis() -> Redis:
    return _servers["redis"]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    from .servers import free_port

    return free_port()


@pytest.fixture
def silent_server():
    """A loopback port that accepts TCP connections and never says a word (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()
