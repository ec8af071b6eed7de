#!/usr/bin/env bash
# Builds the example app (two tags with different content, so their digests
# differ) and the operator, and loads them into the kind nodes.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need docker kind
for tag in "$FIRST_TAG" "$NEXT_TAG"; do
  log "building $APP_IMAGE:$tag"
  docker build --build-context "ponyexpress-django=$REPO_ROOT/ponyexpress-django" --build-arg "PONYSHOP_VERSION=$tag" -t "$APP_IMAGE:$tag" "$REPO_ROOT/example"
  kind load docker-image --name "$CLUSTER" "$APP_IMAGE:$tag"
done
log "building $OPERATOR_IMAGE"
docker build -f "$REPO_ROOT/operator/Dockerfile" -t "$OPERATOR_IMAGE" "$REPO_ROOT"
kind load docker-image --name "$CLUSTER" "$OPERATOR_IMAGE"
