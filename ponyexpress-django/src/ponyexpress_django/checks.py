"""`manage.py check` warnings for a probe setup that would pass while checking nothing."""
from django.conf import settings
from django.core.checks import Error, Warning, register

MIDDLEWARE = "ponyexpress_django.middleware.ProbeMiddleware"


@register()
def probe_middleware_first(app_configs=None, **_kwargs):
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if MIDDLEWARE not in middleware:
        return [Warning(
            f"{MIDDLEWARE} is not in MIDDLEWARE",
            hint="Add it first in MIDDLEWARE, or serve the probe paths yourself before SecurityMiddleware and host validation.",
            id="ponyexpress.W001",
        )]
    before = middleware[: middleware.index(MIDDLEWARE)]
    if before:
        return [Error(
            f"{MIDDLEWARE} comes after {', '.join(before)}",
            hint="Put it first: an SSL redirect turns a probe into a 301 (which the kubelet counts as success) and ALLOWED_HOSTS into a 400.",
            id="ponyexpress.E001",
        )]
    return []
