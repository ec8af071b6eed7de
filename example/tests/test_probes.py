import pytest
from django.db import connections

POD_IP = "10.244.1.17"


@pytest.fixture
def database_unreachable():
    """Point the default connection at a closed port for the duration of a test."""
    params = connections["default"].settings_dict
    saved = params["PORT"]
    params["PORT"] = "1"  # nothing listens on port 1
    yield
    params["PORT"] = saved


def test_healthz_answers_for_a_pod_ip_host(client):
    response = client.get("/healthz", HTTP_HOST=POD_IP)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_is_200_with_json_when_the_database_answers(client):
    response = client.get("/readiness", HTTP_HOST=POD_IP)
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok"}


@pytest.mark.django_db
def test_readiness_is_503_with_the_reason_when_the_database_is_down(client, database_unreachable):
    response = client.get("/readiness", HTTP_HOST=POD_IP)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("database: OperationalError")


def test_healthz_never_touches_the_database(client, database_unreachable):
    # No django_db mark: pytest-django raises on any database access here.
    assert client.get("/healthz", HTTP_HOST=POD_IP).status_code == 200


def test_trailing_slash_and_head_are_probes_too(client):
    assert client.get("/healthz/", HTTP_HOST=POD_IP).status_code == 200
    assert client.head("/healthz", HTTP_HOST=POD_IP).status_code == 200


@pytest.mark.django_db
def test_other_paths_still_enforce_allowed_hosts(client):
    assert client.get("/", HTTP_HOST=POD_IP).status_code == 400
    response = client.get("/", HTTP_HOST="shop.example.test")
    assert response.status_code == 200
    assert response.json()["app"] == "ponyshop"


def test_posting_to_a_probe_path_is_not_a_probe(client):
    # Only GET/HEAD short-circuit; anything else goes through the normal stack
    # and its host validation.
    assert client.post("/healthz", HTTP_HOST=POD_IP).status_code == 400
