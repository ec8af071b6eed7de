#!/usr/bin/env bash
# A single-node kind cluster.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kind kubectl
if kind get clusters | grep -qx "$CLUSTER"; then
  log "kind cluster $CLUSTER exists"
else
  log "creating kind cluster $CLUSTER"
  kind create cluster --name "$CLUSTER" --wait 120s
fi
