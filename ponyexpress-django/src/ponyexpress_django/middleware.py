"""Answers the probe paths before any other middleware runs.

Put it first in MIDDLEWARE. The kubelet dials the pod IP over plain HTTP, so
SecurityMiddleware's SECURE_SSL_REDIRECT would answer 301 (which the kubelet
counts as success, whatever the database says) and ALLOWED_HOSTS would answer
400. Answering first keeps both for every other path. Only GET and HEAD are
probes; anything else goes through the normal stack.
"""
from functools import partial

from . import probes
from .conf import normalise, probe_config


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        config = probe_config()  # read once per process: a bad setting fails at start-up, not per probe
        self.handlers = {
            config.liveness_path: probes.liveness,
            config.readiness_path: partial(probes.readiness, config=config),
        }

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            handler = self.handlers.get(normalise(request.path_info))
            if handler is not None:
                return handler(request)
        return self.get_response(request)
