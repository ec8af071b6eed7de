"""Kubelet probe endpoints, answered for any Host header.

The kubelet probes the pod IP, which is never in ALLOWED_HOSTS. The charts
send `Host: <domain>` with every probe; this middleware is the second line of
defence: it sits first in MIDDLEWARE and answers the two probe paths before
anything calls request.get_host(), so host validation still applies to every
other path.
"""
import logging

import psycopg
from django.conf import settings
from django.db import connections
from django.http import JsonResponse

logger = logging.getLogger(__name__)

HEALTHZ_PATH = "/healthz"
READINESS_PATH = "/readiness"


def healthz(_request):
    # Liveness: the process can serve. Never touches the database, so a
    # database outage does not make the kubelet restart every web pod.
    return JsonResponse({"status": "ok"})


def readiness(_request):
    # Readiness: a fresh connection with a short timeout, not the request's
    # pooled connection, so a dead persistent connection cannot hide an
    # outage and a hanging server cannot hold the probe past its timeout.
    params = connections["default"].get_connection_params()
    params["connect_timeout"] = settings.READINESS_DB_TIMEOUT
    params.pop("cursor_factory", None)
    params.pop("context", None)
    try:
        with psycopg.connect(**params) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means "not ready"; the reason says which
        reason = f"database: {type(exc).__name__}: {str(exc).strip()}"
        logger.warning("readiness failed: %s", reason)
        return JsonResponse({"status": "unavailable", "reason": reason}, status=503)
    return JsonResponse({"status": "ready", "database": "ok"})


_HANDLERS = {HEALTHZ_PATH: healthz, READINESS_PATH: readiness}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        handler = _HANDLERS.get(request.path_info.rstrip("/") or "/")
        if handler is not None and request.method in ("GET", "HEAD"):
            return handler(request)
        return self.get_response(request)
