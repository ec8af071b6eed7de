#!/usr/bin/env bash
# Deletes the kind cluster and the scratch copy of the manifests.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kind
kind delete cluster --name "$CLUSTER"
rm -rf "$WORK"
