#!/usr/bin/env bash
# Everything up to a running staging and production, then a promotion.
#   bash scripts/kind/up.sh             # a laptop with internet: kind's node image, CloudNativePG, Redis image
#   bash scripts/kind/up.sh --offline   # no registries: everything built here (see lib.sh, docs/containers.md)
set -euo pipefail
here="$(dirname "$0")"
if [[ "${1:-}" == --offline ]]; then export OFFLINE=1; fi
"$here/01-create-cluster.sh"
"$here/02-install-postgres.sh"
"$here/03-install-redis.sh"
"$here/04-build-images.sh"
"$here/05-deploy.sh"
"$here/06-promote.sh"
