"""Settings helpers for what the ponyexpress charts inject into every container.

Use them in settings.py; each takes the environment as a mapping (default
`os.environ`) so it can be tested without touching the process environment:

    from ponyexpress_django import env
    DATABASES = {"default": env.database_from_env(conn_max_age=60)}
    ALLOWED_HOSTS = env.allowed_hosts()

Errors name the variable and what would be valid, at settings import time.
"""
import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# libpq variable -> Django DATABASES key. libpq's names, because every
# PostgreSQL operator's Secret maps onto them (see the charts' postgres/).
DATABASE_FIELDS = {
    "PGHOST": "HOST",
    "PGPORT": "PORT",
    "PGUSER": "USER",
    "PGPASSWORD": "PASSWORD",
    "PGDATABASE": "NAME",
}
# libpq variable -> connection option passed through to psycopg / psycopg2.
DATABASE_OPTIONS = {
    "PGSSLMODE": "sslmode",
    "PGSSLROOTCERT": "sslrootcert",
    "PGSSLCERT": "sslcert",
    "PGSSLKEY": "sslkey",
}
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def env_bool(name: str, default: bool, env: Mapping[str, str] = os.environ) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int, env: Mapping[str, str] = os.environ) -> int:
    return _env_number(name, default, int, "an integer", env)


def env_float(name: str, default: float, env: Mapping[str, str] = os.environ) -> float:
    return _env_number(name, default, float, "a number", env)


def _env_number(name, default, parse, what, env):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not {what}") from None


def env_list(name: str, default: list[str], env: Mapping[str, str] = os.environ) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    raw = env.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def allowed_hosts(env: Mapping[str, str] = os.environ, default: list[str] | None = None) -> list[str]:
    """ALLOWED_HOSTS from DJANGO_ALLOWED_HOSTS, which the charts always set (the domain first)."""
    return env_list("DJANGO_ALLOWED_HOSTS", default or [], env)


def database_from_env(
    env: Mapping[str, str] = os.environ,
    conn_max_age: int = 0,
    default_name: str = "",
) -> dict:
    """Django's DATABASES["default"] from libpq's PG* variables and/or DATABASE_URL.

    The PG* variables win field by field: they are what the platform keeps
    current, while a URI key may lag behind a rotated password. PGSSLMODE,
    PGSSLROOTCERT (the CA file the charts mount), PGSSLCERT and PGSSLKEY
    become connection options. With neither set the settings still import
    (collectstatic at image build time has no database); connecting fails.
    """
    import dj_database_url

    url = env.get("DATABASE_URL", "").strip()
    if url:
        try:
            config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
        except ValueError as exc:
            # Never echo the URL: it holds the password.
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL ({exc}); expected postgresql://user:password@host:port/name") from None
    else:
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": default_name,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
        }
    options = dict(config.get("OPTIONS") or {})
    for var, key in DATABASE_FIELDS.items():
        if env.get(var):
            config[key] = env[var]
    for var, key in DATABASE_OPTIONS.items():
        if env.get(var):
            options[key] = env[var]
    mode = options.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise ImproperlyConfigured(f"sslmode {mode!r} (from PGSSLMODE or DATABASE_URL) is not one of {', '.join(SSL_MODES)}")
    if mode in ("verify-ca", "verify-full") and not options.get("sslrootcert"):
        raise ImproperlyConfigured(f"sslmode={mode} needs a CA: set PGSSLROOTCERT (the charts do when database.caSecret is set)")
    config["OPTIONS"] = options
    return config
