#!/usr/bin/env bash
# Deletes the kind cluster, its local registry (registry.sh) and the scratch copy of the manifests.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kind
kind delete cluster --name "$CLUSTER"
rm -rf "$WORK"
docker rm -f "$CLUSTER-registry" >/dev/null 2>&1 || true
