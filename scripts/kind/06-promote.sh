#!/usr/bin/env bash
# A promotion end to end: staging moves to $NEXT_TAG (what CI + GitOps would
# do), and the operator, once staging has soaked, runs production's migrations
# and rolls production forward. Watch it with `npx ponyexpress status`.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kubectl
bash "$(dirname "$0")/stage.sh" "$NEXT_TAG"
wait_env "$STAGING_NS"

log "waiting for the operator to promote $NEXT_TAG to production (after staging's soak: production.yaml's soakSeconds, or 30 s)"
for _ in $(seq 1 90); do
  (cd "$REPO_ROOT" && npx ponyexpress status --context "kind-$CLUSTER" -n "$PRODUCTION_NS") || true
  image="$("${KUBECTL[@]}" -n "$PRODUCTION_NS" get deployment "$APP-beat" -o jsonpath='{.spec.template.spec.containers[0].image}')"
  if [[ "$image" == *"$NEXT_TAG"* || "$image" == *@sha256:* ]]; then
    wait_env "$PRODUCTION_NS"
    log "production runs $image"
    exit 0
  fi
  sleep 10
done
echo "production was not promoted within 15 minutes; see: kubectl -n $PRODUCTION_NS describe promotion" >&2
exit 1
