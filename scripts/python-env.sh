#!/usr/bin/env bash
# Creates (or reuses) the Python virtualenv the contract test and the example's
# pytest suite run in: .cache/venv, with example/'s pinned requirements and the
# ponyexpress-django package installed from its folder (as a wheel, not editable),
# rebuilt only when a requirements file, the package's sources or the interpreter change.
# Prints the venv's path on stdout; everything else goes to stderr.
#   PYTHON=python3.11 scripts/python-env.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PONYEXPRESS_VENV:-$repo_root/.cache/venv}"
python="${PYTHON:-python3}"
requirements=("$repo_root/example/requirements.txt" "$repo_root/example/requirements-dev.txt")
package="$repo_root/ponyexpress-django"

# The venv's key covers the requirements and the interpreter (a change rebuilds it); the package's key
# its sources (a change reinstalls only the package).
hash16() { sha256sum | cut -c1-16; }
key="$( { cat "${requirements[@]}"; "$python" -c 'import sys; print(sys.version)'; } | hash16)"
package_key="$(cd "$package" && find pyproject.toml README.md src -type f -not -path '*/__pycache__/*' -not -path '*.egg-info/*' \
  | LC_ALL=C sort | xargs cat | hash16)"
stamp="$venv/.requirements-$key"
package_stamp="$venv/.ponyexpress-django-$package_key"

if [[ -f "$stamp" && -f "$package_stamp" && -x "$venv/bin/python" ]]; then
  echo "$venv"
  exit 0
fi

# Serialise concurrent callers (parallel jest workers, a second terminal).
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
if [[ ! -f "$stamp" ]]; then
  echo "python-env: building $venv ($("$python" --version))" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # One resolution: the package's own requirements must be met by example/'s pins.
  "${pip[@]}" -r "$repo_root/example/requirements-dev.txt" "$package" >&2
  touch "$stamp"
elif [[ ! -f "$package_stamp" ]]; then
  echo "python-env: reinstalling ponyexpress-django into $venv" >&2
  "${pip[@]}" --force-reinstall --no-deps "$package" >&2
  "$venv/bin/python" -m pip check >&2
fi
rm -f "$venv"/.ponyexpress-django-*
touch "$package_stamp"
echo "$venv"
