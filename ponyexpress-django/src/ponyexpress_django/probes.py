"""Liveness and readiness checks, as plain views and as the functions behind them.

Liveness never touches a dependency: a database outage must not make the
kubelet restart every web pod. Readiness opens a fresh connection per probe
(a pooled or persistent one can hide an outage) with a timeout well below
the probe's, and answers 503 with a JSON reason the kubelet records.
"""
import copy
import logging
import math

from django.db import connections
from django.http import JsonResponse

from .conf import ProbeConfig, probe_config

logger = logging.getLogger(__name__)


def check_database(alias: str, timeout: float) -> None:
    """Connect afresh to DATABASES[alias] and run SELECT 1; raises on any failure."""
    current = connections[alias]
    settings_dict = copy.deepcopy(current.settings_dict)
    options = settings_dict.setdefault("OPTIONS", {})
    # Django >= 5.1 connection pools: a probe must never open a pool of its own.
    options.pop("pool", None)
    if current.vendor == "postgresql":
        options["connect_timeout"] = max(2, math.ceil(timeout))  # libpq ignores anything below 2
        statement_timeout = f"-c statement_timeout={int(timeout * 1000)}"
        options["options"] = f"{options.get('options', '')} {statement_timeout}".strip()
    fresh = type(current)(settings_dict, alias)
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        fresh.close()


def check_broker(timeout: float) -> None:
    """Connect to the Celery app's broker once, within timeout; raises on failure."""
    from celery import current_app

    url = current_app.conf.broker_write_url or current_app.conf.broker_url or ""
    # A Redis server that accepts TCP but never answers would otherwise block the probe forever.
    options = {"socket_timeout": timeout} if url.startswith(("redis:", "rediss:")) else {}
    with current_app.connection_for_write(connect_timeout=timeout, transport_options=options) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)


def _failure(what: str, exc: Exception) -> str:
    return f"{what}: {type(exc).__name__}: {' '.join(str(exc).split())}"


def readiness_failures(config: ProbeConfig) -> list[str]:
    failures = []
    for alias in config.databases:
        try:
            check_database(alias, config.db_timeout)
        except Exception as exc:  # any failure means "not ready"; the reason says which
            failures.append(_failure("database" if alias == "default" else f"database {alias}", exc))
    if config.broker:
        try:
            check_broker(config.broker_timeout)
        except Exception as exc:
            failures.append(_failure("broker", exc))
    return failures


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def liveness(_request):
    return _no_store(JsonResponse({"status": "ok"}))


def readiness(_request, config: ProbeConfig | None = None):
    config = config or probe_config()
    failures = readiness_failures(config)
    if failures:
        reason = "; ".join(failures)
        logger.warning("readiness failed: %s", reason)
        return _no_store(JsonResponse({"status": "unavailable", "reason": reason}, status=503))
    checked = {"database": "ok"} if config.databases else {}
    if config.broker:
        checked["broker"] = "ok"
    return _no_store(JsonResponse({"status": "ready", **checked}))
