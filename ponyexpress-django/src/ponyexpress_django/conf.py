"""Where each probe setting comes from: a Django setting, else the environment, else the default.

The environment variables let a deployment (the charts) move a probe without
a code change; a setting in settings.py is the app's explicit choice and wins.
"""
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# name -> default. Each is read as settings.<name>, else os.environ[<name>].
DEFAULTS = {
    "PONYEXPRESS_LIVENESS_PATH": "/healthz",
    "PONYEXPRESS_READINESS_PATH": "/readiness",
    # Seconds for a fresh database connection plus `SELECT 1`; libpq's connect timeout has a floor of 2.
    "PONYEXPRESS_READINESS_DB_TIMEOUT": 2.0,
    # Database aliases the readiness probe checks (comma-separated in the environment).
    "PONYEXPRESS_READINESS_DATABASES": ("default",),
    # Also check the Celery broker (off: a broker outage should not take web out of its Service).
    "PONYEXPRESS_READINESS_BROKER": False,
    "PONYEXPRESS_READINESS_BROKER_TIMEOUT": 2.0,
}


@dataclass(frozen=True)
class ProbeConfig:
    liveness_path: str
    readiness_path: str
    db_timeout: float
    databases: tuple[str, ...]
    broker: bool
    broker_timeout: float


def _raw(name):
    if hasattr(settings, name):
        return getattr(settings, name), f"settings.{name}"
    if name in os.environ:
        return os.environ[name], f"${name}"
    return DEFAULTS[name], None


def _path(name) -> str:
    value, source = _raw(name)
    if not isinstance(value, str) or not value.startswith("/"):
        raise ImproperlyConfigured(f"{source}={value!r} is not a URL path; expected one starting with '/', e.g. {DEFAULTS[name]!r}")
    return normalise(value)


def _seconds(name) -> float:
    value, source = _raw(name)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if seconds <= 0:
        raise ImproperlyConfigured(f"{source}={value!r} is not a positive number of seconds")
    return seconds


def _bool(name) -> bool:
    value, source = _raw(name)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{source}={value!r} is not a boolean (use true or false)")


def _aliases(name) -> tuple[str, ...]:
    value, _source = _raw(name)
    if isinstance(value, str):
        value = [item.strip() for item in value.split(",") if item.strip()]
    aliases = tuple(value)
    unknown = [alias for alias in aliases if alias not in settings.DATABASES]
    if unknown:
        raise ImproperlyConfigured(f"{name} names {unknown}, which are not in DATABASES ({sorted(settings.DATABASES)})")
    return aliases


def normalise(path: str) -> str:
    """Probe paths match with or without a trailing slash."""
    return path.rstrip("/") or "/"


def probe_config() -> ProbeConfig:
    config = ProbeConfig(
        liveness_path=_path("PONYEXPRESS_LIVENESS_PATH"),
        readiness_path=_path("PONYEXPRESS_READINESS_PATH"),
        db_timeout=_seconds("PONYEXPRESS_READINESS_DB_TIMEOUT"),
        databases=_aliases("PONYEXPRESS_READINESS_DATABASES"),
        broker=_bool("PONYEXPRESS_READINESS_BROKER"),
        broker_timeout=_seconds("PONYEXPRESS_READINESS_BROKER_TIMEOUT"),
    )
    if config.liveness_path == config.readiness_path:
        raise ImproperlyConfigured(f"the liveness and readiness paths are both {config.liveness_path!r}; they must differ")
    return config
