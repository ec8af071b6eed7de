#!/usr/bin/env bash
# CI step for the mode where CI (not the operator) moves staging: run in a checkout of the ponyexpress
# configuration repository; pins staging to the pushed digest, synthesises and publishes to the GitOps repo.
#   publish-staging.sh <gitops repo url> <path in repo> <tag> <digest>
set -euo pipefail
if [[ $# -ne 4 ]]; then
  echo "usage: publish-staging.sh <gitops repo url> <path in repo> <tag> <digest>" >&2
  exit 2
fi
npx tsx scripts/ci/set-image.ts staging "$3" "$4"
npm run --silent synth >/dev/null
npm run --silent publish:gitops -- --repo "$1" --path "$2" --message "Move staging to $3 ($4)"
