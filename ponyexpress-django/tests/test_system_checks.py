from django.core import checks
from django.test import override_settings

FIRST = "ponyexpress_django.middleware.ProbeMiddleware"
SECURITY = "django.middleware.security.SecurityMiddleware"


def ids(messages):
    return [m.id for m in messages]


def test_first_in_middleware_is_clean():
    assert [m for m in checks.run_checks() if m.id.startswith("ponyexpress")] == []


@override_settings(MIDDLEWARE=[SECURITY, FIRST])
def test_after_security_middleware_is_an_error_naming_it():
    messages = [m for m in checks.run_checks() if m.id.startswith("ponyexpress")]
    assert ids(messages) == ["ponyexpress.E001"]
    assert SECURITY in messages[0].msg


@override_settings(MIDDLEWARE=[SECURITY])
def test_missing_is_a_warning():
    assert ids([m for m in checks.run_checks() if m.id.startswith("ponyexpress")]) == ["ponyexpress.W001"]
