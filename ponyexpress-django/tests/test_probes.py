"""The probe middleware against a real PostgreSQL and Redis, with an SSL redirect and ALLOWED_HOSTS on."""
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.test import Client, override_settings

POD_IP = "10.244.1.17"


@pytest.fixture
def client():
    return Client()  # plain HTTP, like the kubelet


@pytest.fixture
def database_at():
    """Point the default database somewhere else for one test."""
    params = connections["default"].settings_dict
    saved = dict(params)

    def point(host, port):
        params.update(HOST=host, PORT=str(port))

    yield point
    params.clear()
    params.update(saved)


def test_the_setup_really_redirects_and_validates_hosts(client):
    # Without this, the tests below would prove nothing.
    assert client.get("/", HTTP_HOST="shop.example.test").status_code == 301
    assert client.get("/", HTTP_HOST=POD_IP).status_code == 400


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_liveness_is_200_over_http_for_a_pod_ip(client, path):
    response = client.get(path, HTTP_HOST=POD_IP)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_is_200_when_the_database_answers(client):
    response = client.get("/readiness", HTTP_HOST=POD_IP)
    assert (response.status_code, response.json()) == (200, {"status": "ready", "database": "ok"})


def test_head_is_a_probe_too(client):
    assert client.head("/readiness", HTTP_HOST=POD_IP).status_code == 200


def test_readiness_is_503_with_the_reason_when_the_database_refuses(client, database_at, closed_port):
    database_at("127.0.0.1", closed_port)
    response = client.get("/readiness", HTTP_HOST=POD_IP)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("database: OperationalError: ")
    assert str(closed_port) in body["reason"]


def test_readiness_gives_up_on_a_hung_server_within_its_timeout(client, database_at, silent_server):
    database_at("127.0.0.1", silent_server)
    started = time.monotonic()
    response = client.get("/readiness", HTTP_HOST=POD_IP)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "timeout" in response.json()["reason"].lower()
    # Bounded by the connect timeout (2 s), well inside the charts' 5 s probe timeout.
    assert elapsed < 4.5, elapsed


def test_readiness_recovers_when_postgres_comes_back(client, pg):
    pg.stop()
    try:
        down = client.get("/readiness", HTTP_HOST=POD_IP)
        assert down.status_code == 503
        assert client.get("/healthz", HTTP_HOST=POD_IP).status_code == 200  # liveness never checks the database
    finally:
        pg.start()
    assert client.get("/readiness", HTTP_HOST=POD_IP).status_code == 200


def test_readiness_uses_a_fresh_connection_not_the_persistent_one(client, pg):
    # A persistent connection (CONN_MAX_AGE=60) that died with the server must not make readiness lie.
    connections["default"].ensure_connection()
    pg.stop()
    try:
        assert client.get("/readiness", HTTP_HOST=POD_IP).status_code == 503
    finally:
        pg.start()
        connections["default"].close()


def test_other_methods_on_probe_paths_go_through_the_normal_stack(client):
    assert client.post("/healthz", HTTP_HOST=POD_IP).status_code == 400


@override_settings(PONYEXPRESS_LIVENESS_PATH="/-/alive", PONYEXPRESS_READINESS_PATH="/-/ready/")
def test_paths_are_configurable(client):
    assert client.get("/-/alive", HTTP_HOST=POD_IP).status_code == 200
    assert client.get("/-/ready", HTTP_HOST=POD_IP).json()["status"] == "ready"
    assert client.get("/healthz", HTTP_HOST=POD_IP).status_code == 400  # no longer a probe path


def test_paths_come_from_the_environment_when_settings_do_not_say(client, monkeypatch):
    monkeypatch.setenv("PONYEXPRESS_READINESS_PATH", "/health/ready")
    assert client.get("/health/ready/", HTTP_HOST=POD_IP).status_code == 200


@override_settings(PONYEXPRESS_READINESS_PATH="health/ready")
def test_a_path_without_a_slash_is_an_error_naming_the_setting(client):
    with pytest.raises(ImproperlyConfigured, match=r"settings.PONYEXPRESS_READINESS_PATH='health/ready' is not a URL path"):
        client.get("/healthz", HTTP_HOST=POD_IP)


@pytest.fixture
def broker_at(monkeypatch):
    from celery import Celery, current_app

    def point(url):
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery lets it win over broker=
        return Celery("probe-test", broker=url, set_as_current=True)

    previous = current_app._get_current_object()
    yield point
    previous.set_current()


@override_settings(PONYEXPRESS_READINESS_BROKER=True)
def test_readiness_checks_the_broker_when_asked(client, redis, broker_at, closed_port, silent_server):
    broker_at(redis.url())
    up = client.get("/readiness", HTTP_HOST=POD_IP)
    assert (up.status_code, up.json()) == (200, {"status": "ready", "database": "ok", "broker": "ok"})

    for port in (closed_port, silent_server):
        broker_at(f"redis://:{redis.password}@127.0.0.1:{port}/0")
        started = time.monotonic()
        down = Client().get("/readiness", HTTP_HOST=POD_IP)
        assert (down.status_code, down.json().get("reason", "")[:8]) == (503, "broker: ")
        assert time.monotonic() - started < 4.5


def test_the_broker_is_not_checked_by_default(client, broker_at, closed_port):
    broker_at(f"redis://127.0.0.1:{closed_port}/0")
    assert client.get("/readiness", HTTP_HOST=POD_IP).json() == {"status": "ready", "database": "ok"}
