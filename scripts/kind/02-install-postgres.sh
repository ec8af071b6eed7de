#!/usr/bin/env bash
# CloudNativePG from its release manifest, and a one-instance Cluster per environment.
# CloudNativePG then writes the `<cluster>-app` Secret the charts read.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kubectl
minor="${CNPG_VERSION%.*}"
log "installing CloudNativePG $CNPG_VERSION"
"${KUBECTL[@]}" apply --server-side -f \
  "https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/release-$minor/releases/cnpg-$CNPG_VERSION.yaml"
"${KUBECTL[@]}" -n cnpg-system rollout status deployment/cnpg-controller-manager --timeout=5m

for ns in "$STAGING_NS" "$PRODUCTION_NS"; do
  log "PostgreSQL cluster $APP-db in $ns"
  "${KUBECTL[@]}" create namespace "$ns" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
  "${KUBECTL[@]}" apply -f - <<YAML
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: $APP-db
  namespace: $ns
spec:
  instances: 1
  storage:
    size: 1Gi
  bootstrap:
    initdb:
      database: app
      owner: app
YAML
done
for ns in "$STAGING_NS" "$PRODUCTION_NS"; do
  "${KUBECTL[@]}" -n "$ns" wait --for=condition=Ready "cluster/$APP-db" --timeout=10m
done
