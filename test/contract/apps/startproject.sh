#!/usr/bin/env bash
# Generates an app that nobody here wrote: `django-admin startproject myshop` with Django's defaults,
# plus only what ponyexpress needs (ponyexpress-django, a Celery app), and an environments/ dir for it.
# Prints the directory. Run the contract against it:
#   dir=$(test/contract/apps/startproject.sh) && CONTRACT_APP_DIR=$dir/app CONTRACT_VENV=.cache/venv \
#     CONTRACT_CONFIG_DIR=$dir/environments npm run test:contract -- test/contract/app-contract.test.ts
# BROKEN=redirect-first|heartbeat|probe-path makes one deliberate mistake, to see the contract fail
# (test/contract/check-app-broken.test.ts runs each, and a renamed Secret key, through checkapp/).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="$("$repo_root/scripts/python-env.sh")"   # Django, Celery, gunicorn, psycopg and ponyexpress-django
dir="$(mktemp -d "${TMPDIR:-/tmp}/ponyexpress-startproject-XXXXXX")"
mkdir "$dir/app" "$dir/environments"
(cd "$dir/app" && "$venv/bin/django-admin" startproject myshop .)
settings="$dir/app/myshop/settings.py"

# The app's changes: everything below is what a user adds to a fresh project.
cat >> "$settings" <<'PY'

# --- ponyexpress ---
import os
from ponyexpress_django import env
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = env.allowed_hosts()
DATABASES = {"default": env.database_from_env()}
MIDDLEWARE.insert(0, "ponyexpress_django.middleware.ProbeMiddleware")
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STATIC_ROOT = BASE_DIR / "staticfiles"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL")
PY
cat > "$dir/app/myshop/celery.py" <<'PY'
import os

import ponyexpress_django.celery
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myshop.settings")
app = Celery("myshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
ponyexpress_django.celery.install(app)
PY
echo 'from .celery import app as celery_app  # noqa: F401' >> "$dir/app/myshop/__init__.py"

case "${BROKEN:-}" in
  "") ;;
  # The probe middleware after SecurityMiddleware and no proxy header: Django redirects the probes to https.
  redirect-first) sed -i -e 's/^MIDDLEWARE.insert(0, .*/MIDDLEWARE.append("ponyexpress_django.middleware.ProbeMiddleware")/' \
    -e '/^SECURE_PROXY_SSL_HEADER/d' "$settings" ;;
  heartbeat) sed -i 's/^ponyexpress_django.celery.install(app)$/ponyexpress_django.celery.install(app, worker=False)/' "$dir/app/myshop/celery.py" ;;
  probe-path) echo 'PONYEXPRESS_READINESS_PATH = "/ready"' >> "$settings" ;;
  *) echo "BROKEN=$BROKEN: expected redirect-first, heartbeat or probe-path" >&2; exit 2 ;;
esac

# The environment: staging's file with the app's names.
sed -e 's/ponyshop/myshop/g' "$repo_root/environments/staging.yaml" > "$dir/environments/staging.yaml"
if [[ "${1:-}" == "--check" ]]; then   # npm run check-app:startproject
  trap 'rm -rf "$dir"' EXIT
  cd "$repo_root"
  npx tsx checkapp/cli.ts --app-dir "$dir/app" --config-dir "$dir/environments" --env staging --venv "$venv"
  exit
fi
echo "$dir"
