#!/usr/bin/env bash
# Runs the nox matrix with nox from PyPI in a throw-away tool venv (.nox-tool), adding pyenv's
# interpreters to PATH when present. Arguments go to nox, e.g. scripts/matrix.sh -s wheel
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin; do [[ -d $dir ]] && PATH="$PATH:$dir"; done
export PATH
tool=.nox-tool
[[ -x $tool/bin/nox ]] || { python3 -m venv "$tool" && "$tool/bin/pip" install --quiet --disable-pip-version-check 'nox>=2025.2.9'; }
exec "$tool/bin/nox" "$@"
