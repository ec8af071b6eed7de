#!/usr/bin/env bash
# Creates (or reuses) the Python virtualenv the contract test and the example's
# pytest suite run in: .cache/venv, rebuilt only when a requirements file changes.
# Prints the venv's path on stdout; everything else goes to stderr.
#   PYTHON=python3.11 scripts/python-env.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PONYEXPRESS_VENV:-$repo_root/.cache/venv}"
python="${PYTHON:-python3}"
requirements=("$repo_root/example/requirements.txt" "$repo_root/example/requirements-dev.txt")

# The key covers the requirements and the interpreter, so a Python upgrade rebuilds too.
key="$( { cat "${requirements[@]}"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16)"
stamp="$venv/.requirements-$key"

if [[ -f "$stamp" && -x "$venv/bin/python" ]]; then
  echo "$venv"
  exit 0
fi

# Serialise concurrent callers (parallel jest workers, a second terminal).
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [[ ! -f "$stamp" ]]; then
  echo "python-env: building $venv ($("$python" --version))" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$repo_root/example/requirements-dev.txt" >&2
  touch "$stamp"
fi
echo "$venv"
