#!/usr/bin/env bash
# Synthesises both environments on $FIRST_TAG (production promotes from
# staging), applies the operator, staging and production, and waits for the
# migration Jobs and rollouts.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kubectl
log "synthesising dist/ (staging $FIRST_TAG, production $FIRST_TAG) into $WORK/dist"
synth "$FIRST_TAG" "$FIRST_TAG"
log "operator"
"${KUBECTL[@]}" apply --server-side -f "$WORK/dist/operator"
"${KUBECTL[@]}" wait --for=condition=Established crd/promotions.ponyexpress.dev --timeout=2m
for env in staging production; do
  log "applying $env"
  apply_env "$env"
done
for ns in "$STAGING_NS" "$PRODUCTION_NS"; do
  log "waiting for $ns"
  wait_env "$ns"
done
"${KUBECTL[@]}" -n ponyexpress-system rollout status deployment -l app.kubernetes.io/name=ponyexpress-operator --timeout=5m || true
