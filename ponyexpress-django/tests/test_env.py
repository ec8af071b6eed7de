import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler

from ponyexpress_django import env

PG = {"PGHOST": "db.internal", "PGPORT": "5433", "PGUSER": "shop", "PGPASSWORD": "s3cret", "PGDATABASE": "shopdb"}


def test_libpq_variables_alone():
    config = env.database_from_env(PG)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert [config[k] for k in ("HOST", "PORT", "USER", "PASSWORD", "NAME")] == ["db.internal", "5433", "shop", "s3cret", "shopdb"]
    assert config["OPTIONS"] == {}


def test_database_url_alone_keeps_its_options():
    config = env.database_from_env({"DATABASE_URL": "postgresql://u:p%40ss@h:6543/d?sslmode=require"})
    assert [config[k] for k in ("HOST", "PORT", "USER", "PASSWORD", "NAME")] == ["h", 6543, "u", "p@ss", "d"]
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_libpq_variables_win_over_database_url_field_by_field():
    config = env.database_from_env({"DATABASE_URL": "postgresql://old:oldpw@old-host:5432/olddb?sslmode=disable",
                                    "PGPASSWORD": "rotated", "PGSSLMODE": "require"})
    assert (config["PASSWORD"], config["HOST"], config["OPTIONS"]["sslmode"]) == ("rotated", "old-host", "require")


def test_tls_variables_become_connection_options():
    config = env.database_from_env({**PG, "PGSSLMODE": "verify-full", "PGSSLROOTCERT": "/etc/postgres-ca/ca.crt"})
    assert config["OPTIONS"] == {"sslmode": "verify-full", "sslrootcert": "/etc/postgres-ca/ca.crt"}


def test_verifying_modes_without_a_ca_are_an_error_naming_the_fix():
    with pytest.raises(ImproperlyConfigured, match="sslmode=verify-full needs a CA: set PGSSLROOTCERT"):
        env.database_from_env({**PG, "PGSSLMODE": "verify-full"})


def test_a_misspelt_sslmode_is_an_error_listing_the_valid_ones():
    with pytest.raises(ImproperlyConfigured, match="sslmode 'requires' .* is not one of disable, allow, prefer, require"):
        env.database_from_env({**PG, "PGSSLMODE": "requires"})


def test_a_bad_database_url_is_named_without_echoing_the_password():
    with pytest.raises(ImproperlyConfigured) as err:
        env.database_from_env({"DATABASE_URL": "mysqlx://u:topsecret@h/d"})
    assert "DATABASE_URL" in str(err.value) and "topsecret" not in str(err.value)


def test_nothing_set_still_imports_for_collectstatic():
    config = env.database_from_env({}, default_name="shop")
    assert (config["NAME"], config["HOST"]) == ("shop", "")


def test_persistent_connections_are_health_checked():
    config = env.database_from_env(PG, conn_max_age=60)
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)


def test_the_settings_reach_a_real_server_with_sslmode_from_the_environment(pg):
    # End to end: PG* + PGSSLMODE=disable -> a working Django connection (the test server has no TLS).
    config = env.database_from_env({**pg.env(), "PGSSLMODE": "disable"})
    wrapper = ConnectionHandler({"default": config})["default"]  # fills Django's defaults as at start-up
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            assert cursor.fetchone() == (pg.user, pg.database)
    finally:
        wrapper.close()


def test_allowed_hosts_from_the_environment():
    assert env.allowed_hosts({"DJANGO_ALLOWED_HOSTS": "shop.example, .internal ,"}) == ["shop.example", ".internal"]
    assert env.allowed_hosts({}, default=["localhost"]) == ["localhost"]


@pytest.mark.parametrize(("reader", "raw", "message"), [
    (env.env_bool, "maybe", "FLAG='maybe' is not a boolean"),
    (env.env_int, "ten", "FLAG='ten' is not an integer"),
    (env.env_float, "soon", "FLAG='soon' is not a number"),
])
def test_typed_reads_name_the_variable(reader, raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        reader("FLAG", 0, {"FLAG": raw})


def test_typed_reads_fall_back_to_the_default():
    assert (env.env_bool("X", True, {}), env.env_int("X", 3, {"X": ""}), env.env_float("X", 1.5, {"X": "2.5"})) == (True, 3, 2.5)
