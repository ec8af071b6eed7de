#!/usr/bin/env bash
# pretix (a real, widely used Django + Celery ticket shop that nobody here wrote), from PyPI at a pinned
# version, with only what ponyexpress needs added: a settings module of ~10 lines that imports pretix's own,
# a wsgi/celery shim, and an environments/ dir. Nothing of pretix is committed here; the wheel and a venv
# are cached in ~/.cache/ponyexpress/thirdparty/pretix-<version>/, keyed by version.
# Prints two lines: the app dir and the venv. With --check, runs `ponyexpress check-app` on it instead
# and removes the generated dir afterwards (npm run check-app:pretix).
set -euo pipefail
version="${PRETIX_VERSION:-2026.8.0}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cache="${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}/thirdparty/pretix-$version"
python="${PYTHON:-python3}"
mkdir -p "$cache"
exec 9>"$cache.lock"
flock 9
if [[ ! -f "$cache/venv/.installed" ]]; then
  echo "pretix.sh: installing pretix==$version into $cache/venv (a few minutes, once)" >&2
  rm -rf "$cache/venv"
  "$python" -m venv "$cache/venv"
  "$cache/venv/bin/pip" install --quiet --disable-pip-version-check "pretix==$version" gunicorn "$repo_root/ponyexpress-django" >&2
  touch "$cache/venv/.installed"
fi
# ponyexpress-django from this checkout, reinstalled every time (cheap; it may have changed).
"$cache/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$repo_root/ponyexpress-django" >&2

dir="$(mktemp -d "${TMPDIR:-/tmp}/ponyexpress-pretix-XXXXXX")"
mkdir -p "$dir/app/pretixpx" "$dir/environments"

# --- the app changes: everything ponyexpress needs, counted in docs/bring-your-own-app.md ---
cat > "$dir/app/pretixpx/settings.py" <<'PY'
import os
os.environ.setdefault("PRETIX_CELERY_BROKER", os.environ.get("CELERY_BROKER_URL", ""))
os.environ.setdefault("PRETIX_CELERY_BACKEND", os.environ.get("CELERY_BROKER_URL", ""))
os.environ.setdefault("PRETIX_DJANGO_SECRET", os.environ.get("DJANGO_SECRET_KEY", ""))
from pretix.settings import *  # noqa: E402,F403
from ponyexpress_django import env  # noqa: E402
DATABASES["default"].update(env.database_from_env())  # noqa: F405
MIDDLEWARE.insert(0, "ponyexpress_django.middleware.ProbeMiddleware")  # noqa: F405
CELERY_IMPORTS = ["ponyexpress_django.autoinstall"]
PY
cat > "$dir/app/manage.py" <<'PY'
import sys
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
PY
cat > "$dir/app/pretixpx/__init__.py" <<'PY'
from pretix.celery_app import app as celery_app  # noqa: F401
PY
cat > "$dir/app/pretixpx/wsgi.py" <<'PY'
from pretix.wsgi import application  # noqa: F401
PY
# --- end of the app changes ---

case "${BROKEN:-}" in
  "") ;;
  *) echo "BROKEN=$BROKEN: pretix.sh has no broken variants (see startproject.sh)" >&2; exit 2 ;;
esac

# The environment: staging's file with pretix's names; pretix keeps its data dir under /tmp (an emptyDir), and
# answers only its own URL's host (else 400 "Unknown host", which check-app's web-host step caught).
# pretix's first migrate (about 300 migrations) took over 15 min on 2 shared cores: the Job gets an hour.
sed -e "s/ponyshop/pretix/g" -e "s/module: pretix\$/module: pretixpx/" -e "s|^settings:\$|settings:\n  DATA_DIR: /tmp/pretix-data\n  PRETIX_PRETIX_URL: https://staging.pretix.example.com|" \
  -e "s|^migrations:\$|migrations:\n  activeDeadlineSeconds: 3600|" "$repo_root/environments/staging.yaml" > "$dir/environments/staging.yaml"
if [[ "${1:-}" == "--check" ]]; then
  trap 'rm -rf "$dir"' EXIT
  cd "$repo_root"
  npx tsx checkapp/cli.ts --app-dir "$dir/app" --config-dir "$dir/environments" --env staging --venv "$cache/venv"
  exit
fi
echo "$dir/app"
echo "$cache/venv"
