#!/usr/bin/env bash
# Builds the example app (two tags with different content, so their digests differ) and the operator
# with scripts/images/build.sh (local Debian bases offline, the Dockerfiles' public bases otherwise),
# and loads them into the kind nodes. Offline they are pushed to a local registry instead (registry.sh), so the
# pods report real registry digests as their imageID and the operator promotes a digest.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need docker kind
bases=public
if [[ "$OFFLINE" == 1 ]]; then bases=local; fi
IMAGE_BASES="$bases" APP_IMAGE="$APP_IMAGE" APP_TAGS="$FIRST_TAG $NEXT_TAG" OPERATOR_IMAGE="$OPERATOR_IMAGE" \
  bash "$REPO_ROOT/scripts/images/build.sh" >/dev/null
if [[ "$OFFLINE" == 1 ]]; then
  replaced="$(bash "$(dirname "$0")/registry.sh" "$APP_IMAGE:$FIRST_TAG" "$APP_IMAGE:$NEXT_TAG" "$OPERATOR_IMAGE")"
  # A rebuilt operator under the same tag on a kept cluster: its pods restart onto the new image.
  if grep -qx "replaced $OPERATOR_IMAGE" <<<"$replaced" \
    && "${KUBECTL[@]}" -n ponyexpress-system get deployment ponyexpress-operator >/dev/null 2>&1; then
    log "operator image rebuilt: restarting the operator"
    "${KUBECTL[@]}" -n ponyexpress-system rollout restart deployment ponyexpress-operator
  fi
  exit 0
fi
for image in "$APP_IMAGE:$FIRST_TAG" "$APP_IMAGE:$NEXT_TAG" "$OPERATOR_IMAGE"; do
  log "loading $image into kind"
  kind load docker-image --name "$CLUSTER" "$image"
done
