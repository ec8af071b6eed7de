from ponyshop.database import database_from_env

PG = {"PGHOST": "db.internal", "PGPORT": "5433", "PGUSER": "shop", "PGPASSWORD": "s3cret", "PGDATABASE": "shopdb"}


def test_libpq_variables_alone():
    config = database_from_env(PG)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["USER"], config["PASSWORD"], config["NAME"]) == (
        "db.internal", "5433", "shop", "s3cret", "shopdb",
    )
    assert config["OPTIONS"] == {}


def test_database_url_alone_keeps_its_sslmode():
    config = database_from_env({"DATABASE_URL": "postgresql://u:p@h:6543/d?sslmode=verify-full"})
    assert (config["HOST"], config["PORT"], config["USER"], config["PASSWORD"], config["NAME"]) == ("h", 6543, "u", "p", "d")
    assert config["OPTIONS"]["sslmode"] == "verify-full"


def test_libpq_variables_win_over_database_url_field_by_field():
    env = {"DATABASE_URL": "postgresql://old:oldpw@old-host:5432/olddb?sslmode=disable", "PGPASSWORD": "rotated", "PGSSLMODE": "require"}
    config = database_from_env(env)
    assert config["PASSWORD"] == "rotated"
    assert config["HOST"] == "old-host"  # not overridden: PGHOST unset
    assert config["OPTIONS"]["sslmode"] == "require"


def test_tls_variables_become_connection_options():
    config = database_from_env({**PG, "PGSSLMODE": "verify-full", "PGSSLROOTCERT": "/etc/postgres-ca/ca.crt"})
    assert config["OPTIONS"] == {"sslmode": "verify-full", "sslrootcert": "/etc/postgres-ca/ca.crt"}


def test_empty_variables_are_ignored():
    config = database_from_env({**PG, "PGHOST": "", "DATABASE_URL": ""})
    assert config["HOST"] == ""
    assert config["NAME"] == "shopdb"


def test_persistent_connections_are_health_checked():
    config = database_from_env(PG, conn_max_age=60)
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True
