import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from ponyshop.celery import app as celery_app

EXAMPLE_DIR = Path(__file__).resolve().parent.parent


def settings_in_subprocess(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    """Import the settings module afresh under exactly `env` (plus PATH)."""
    code = f"import ponyshop.settings as s; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=EXAMPLE_DIR,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_is_off_by_default():
    result = settings_in_subprocess({"DJANGO_SECRET_KEY": "x"}, "s.DEBUG, s.ALLOWED_HOSTS")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False []"


def test_secret_key_is_required_unless_debugging():
    result = settings_in_subprocess({}, "s.DEBUG")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert settings_in_subprocess({"DJANGO_DEBUG": "true"}, "s.DEBUG").stdout.strip() == "True"


def test_malformed_switch_is_an_error_naming_the_variable():
    result = settings_in_subprocess({"DJANGO_SECRET_KEY": "x", "DJANGO_DEBUG": "maybe"}, "s.DEBUG")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_allowed_hosts_come_from_the_environment():
    result = settings_in_subprocess({"DJANGO_SECRET_KEY": "x", "DJANGO_ALLOWED_HOSTS": "a.example, b.example"}, "s.ALLOWED_HOSTS")
    assert result.stdout.strip() == "['a.example', 'b.example']"


def test_tick_interval_is_configurable():
    result = settings_in_subprocess(
        {"DJANGO_SECRET_KEY": "x", "PONYSHOP_TICK_INTERVAL_SECONDS": "2.5"},
        "s.CELERY_BEAT_SCHEDULE['record-tick']['schedule']",
    )
    assert result.stdout.strip() == "2.5"


def test_behind_a_tls_terminating_proxy():
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_probe_middleware_runs_before_anything_validates_the_host():
    assert settings.MIDDLEWARE[0] == "ponyexpress_django.middleware.ProbeMiddleware"


def test_logs_go_to_stdout():
    handler = settings.LOGGING["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"
    assert settings.LOGGING["root"]["handlers"] == ["stdout"]


def test_celery_acks_late_with_prefetch_of_one():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_url == settings.CELERY_BROKER_URL


def test_worker_has_the_heartbeat_bootstep():
    from ponyexpress_django.celery import WorkerHeartbeat

    assert WorkerHeartbeat in celery_app.steps["consumer"]


def test_manage_py_check_finds_no_probe_problem():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=EXAMPLE_DIR, env={**os.environ}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_collectstatic_runs_like_the_image_build_without_any_database(tmp_path):
    # The Dockerfile's build stage has no database and only a placeholder key.
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=EXAMPLE_DIR,
        env={"PATH": os.environ["PATH"], "DJANGO_SECRET_KEY": "collectstatic-only", "DJANGO_STATIC_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "admin" / "css" / "base.css").is_file()


def test_malformed_number_is_an_error_naming_the_variable():
    result = settings_in_subprocess({"DJANGO_SECRET_KEY": "x", "PONYSHOP_TICK_INTERVAL_SECONDS": "soon"}, "1")
    assert result.returncode != 0
    assert "PONYSHOP_TICK_INTERVAL_SECONDS='soon' is not a number" in result.stderr
