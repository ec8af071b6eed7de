#!/usr/bin/env bash
# Everything up to a running staging and production, then a promotion.
set -euo pipefail
here="$(dirname "$0")"
"$here/01-create-cluster.sh"
"$here/02-install-postgres.sh"
"$here/03-install-redis.sh"
"$here/04-build-images.sh"
"$here/05-deploy.sh"
"$here/06-promote.sh"
