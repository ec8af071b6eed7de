#!/usr/bin/env bash
# Builds the example app (two tags with different content, so their digests differ) and the operator
# with scripts/images/build.sh (local Debian bases offline, the Dockerfiles' public bases otherwise),
# and loads them into the kind nodes.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need docker kind
bases=public
if [[ "$OFFLINE" == 1 ]]; then bases=local; fi
IMAGE_BASES="$bases" APP_IMAGE="$APP_IMAGE" APP_TAGS="$FIRST_TAG $NEXT_TAG" OPERATOR_IMAGE="$OPERATOR_IMAGE" \
  bash "$REPO_ROOT/scripts/images/build.sh" >/dev/null
for image in "$APP_IMAGE:$FIRST_TAG" "$APP_IMAGE:$NEXT_TAG" "$OPERATOR_IMAGE"; do
  log "loading $image into kind"
  kind load docker-image --name "$CLUSTER" "$image"
done
