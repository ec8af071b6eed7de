#!/usr/bin/env bash
# A single-node kind cluster. Offline: the node image from scripts/kind/node/build.sh, no kindnet (it is not
# served offline) but the node's own bridge CNI config, and kubeadm pointed at the etcd and CoreDNS images
# that image carries.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kind kubectl
if kind get clusters | grep -qx "$CLUSTER"; then
  log "kind cluster $CLUSTER exists"
elif [[ "$OFFLINE" == 1 ]]; then
  declare -A node
  while read -r key value; do node[$key]="$value"; done < <(bash "$REPO_ROOT/scripts/kind/node/build.sh")
  image="${node[node]}" etcd_tag="${node[etcd-tag]}" coredns_tag="${node[coredns-tag]}"
  mkdir -p "$WORK"
  cat >"$WORK/kind-config.yaml" <<YAML
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  disableDefaultCNI: true
kubeadmConfigPatches:
  - |
    kind: ClusterConfiguration
    etcd:
      local:
        imageTag: "$etcd_tag"
    dns:
      imageTag: "$coredns_tag"
  - |
    kind: KubeletConfiguration
    cgroupDriver: cgroupfs
# Registry hosts from /etc/containerd/certs.d/<host>/hosts.toml (written by registry.sh): images are pulled
# from the local registry, so pods report registry digests.
containerdConfigPatches:
  - |-
    [plugins.'io.containerd.cri.v1.images'.registry]
      config_path = '/etc/containerd/certs.d'
YAML
  log "creating kind cluster $CLUSTER from $image (offline)"
  started=$SECONDS
  kind create cluster --name "$CLUSTER" --image "$image" --config "$WORK/kind-config.yaml" --wait 300s
  log "kind create took $((SECONDS - started)) s"
else
  log "creating kind cluster $CLUSTER"
  kind create cluster --name "$CLUSTER" --wait 120s
fi
