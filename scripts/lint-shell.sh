#!/usr/bin/env bash
# Runs ShellCheck on every shell script in the repository: the *.sh files plus extension-less scripts whose
# first line is a sh/bash shebang (e.g. .ci/run). Run from the root so `# shellcheck source=` paths resolve.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v shellcheck >/dev/null; then
  echo "lint:sh: shellcheck is missing. Install it (Debian/Ubuntu: apt-get install shellcheck, or run bash scripts/setup-system.sh as root)." >&2
  exit 1
fi
files=()
while IFS= read -r -d '' f; do
  [[ -f $f ]] || continue # listed by git but deleted in the work tree
  if [[ $f == *.sh ]] || head -n1 -- "$f" | grep -qE '^#!.*[/ ](ba|da)?sh([[:space:]]|$)'; then files+=("$f"); fi
done < <(git ls-files -z)
shellcheck --external-sources "${files[@]}"
echo "shellcheck: ${#files[@]} script(s) clean"
