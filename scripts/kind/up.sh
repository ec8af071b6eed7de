#!/usr/bin/env bash
# Everything up to a running staging and production, then a promotion.
#   bash scripts/kind/up.sh             # a laptop with internet: kind's node image, CloudNativePG, Redis image
#   bash scripts/kind/up.sh --offline   # no registries: everything built here (see lib.sh, docs/containers.md)
#   bash scripts/kind/up.sh --offline --eso   # + External Secrets Operator binding the database (eso.sh)
set -euo pipefail
here="$(dirname "$0")"
for arg in "$@"; do
  case "$arg" in
    --offline) export OFFLINE=1 ;;
    --eso) export ESO=1 ;;
    *) echo "up.sh: unknown argument $arg (expected --offline and/or --eso)" >&2; exit 2 ;;
  esac
done
if [[ "${ESO:-0}" == 1 && "${OFFLINE:-0}" != 1 ]]; then
  echo "up.sh: --eso builds External Secrets Operator locally and needs --offline (or OFFLINE=1)" >&2; exit 2
fi
"$here/01-create-cluster.sh"
"$here/02-install-postgres.sh"
"$here/03-install-redis.sh"
"$here/04-build-images.sh"
if [[ "${ESO:-0}" == 1 ]]; then "$here/eso.sh"; fi
"$here/05-deploy.sh"
"$here/06-promote.sh"
