"""The support matrix: oldest supported, current LTS and newest release, each on a Python it supports.

    nox                # every session
    nox -s "tests(django='4.2')"
Pythons are found on PATH as python3.X; scripts/matrix.sh adds pyenv's versions when present.
"""
import nox

nox.options.error_on_missing_interpreters = True

# (python, Django, Celery): each row is a combination a user can run.
MATRIX = [
    ("3.10", "4.2", "5.3"),
    ("3.11", "5.2", "5.5"),
    ("3.13", "6.1", "5.7"),
]


@nox.session
@nox.parametrize(("python", "django", "celery"), MATRIX, ids=[f"django-{d}" for _, d, _ in MATRIX])
def tests(session, django, celery):
    session.install(
        # kombu moves with celery: a newer kombu needs a newer redis-py than celery[redis] pins.
        f"Django~={django}.0", f"celery[redis]~={celery}.0", f"kombu~={celery}.0", "psycopg[binary]>=3.1", "pytest>=8",
    )
    session.install(".")  # the built package, not the source tree
    session.run("python", "-c", "import django, celery; print('Django', django.__version__, 'Celery', celery.__version__)")
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def wheel(session):
    session.install("build")
    session.run("python", "-m", "build", "--outdir", "dist")
