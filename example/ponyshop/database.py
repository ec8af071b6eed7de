"""The default database from libpq's PG* variables and/or DATABASE_URL.

The charts bind PostgreSQL through libpq's standard variables (PGHOST, PGPORT,
PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT) and add DATABASE_URL
only when the provider's Secret has a URI. When both are present the PG*
variables win, field by field: they are what the platform maintains, while a
URI key may lag behind a rotated password or a pooler in front of the server.
"""
from collections.abc import Mapping

import dj_database_url

# libpq variable -> Django DATABASES key.
_FIELDS = {
    "PGHOST": "HOST",
    "PGPORT": "PORT",
    "PGUSER": "USER",
    "PGPASSWORD": "PASSWORD",
    "PGDATABASE": "NAME",
}
# libpq variable -> connection option passed through to psycopg.
_OPTIONS = {
    "PGSSLMODE": "sslmode",
    "PGSSLROOTCERT": "sslrootcert",
}


def database_from_env(env: Mapping[str, str], conn_max_age: int = 0) -> dict:
    """Build Django's DATABASES["default"] from the process environment."""
    url = env.get("DATABASE_URL", "").strip()
    if url:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    else:
        config = {
            "ENGINE": "django.db.backends.postgresql",
            # libpq would default to the user name; Django insists on a NAME.
            "NAME": "ponyshop",
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
        }
    options = dict(config.get("OPTIONS") or {})
    for var, key in _FIELDS.items():
        if env.get(var):
            config[key] = env[var]
    for var, key in _OPTIONS.items():
        if env.get(var):
            options[key] = env[var]
    config["OPTIONS"] = options
    return config
