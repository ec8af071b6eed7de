#!/usr/bin/env bash
# The quick checks CI runs before the long tests (`npm run checks`): types, the import graph, ESLint, ShellCheck, hadolint and
# the Prettier check. Runs them all, so one CI run shows every finding, then fails if any check failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit
checks=(typecheck check:imports lint lint:sh lint:docker format:check)
summary=()
failed=0
for check in "${checks[@]}"; do
  printf '\n--- npm run %s ---\n' "$check"
  start=$SECONDS
  if npm run --silent "$check"; then result=ok; else result=FAILED; failed=1; fi
  summary+=("$(printf '%-14s %-7s %3d s' "$check" "$result" $((SECONDS - start)))")
done
printf '\nchecks:\n'
printf '  %s\n' "${summary[@]}"
exit "$failed"
