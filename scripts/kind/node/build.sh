#!/usr/bin/env bash
# Builds the kind node image offline: Kubernetes (same version as the test control plane), containerd v2,
# crictl, CoreDNS, local-path-provisioner and etcd from the Go module proxy (binaries.sh), runc and the CNI
# plugins from Debian, pause compiled from files/pause.c, all control-plane images preloaded.
# Tag: ponyexpress.local/kind-node:<kubernetes version>-<hash of every input>; a second run reuses it.
# stdout: "node <image>", "etcd-tag <tag>", "coredns-tag <tag>" (kubeadm must be told the last two). Needs Docker (scripts/docker/start-dockerd.sh), Go and gcc.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
# shellcheck source=scripts/images/lib.sh
source "$root/scripts/images/lib.sh"
bash "$root/scripts/docker/start-dockerd.sh"

declare -A bin
while read -r name path; do bin[$name]="$path"; done < <(bash "$here/binaries.sh")
declare -A base
while IFS='=' read -r name image; do base[$name]="$image"; done < <(bash "$root/scripts/images/base.sh")
kube_version="$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$root/scripts/kind/modules/kubernetes/go.mod")"
# shellcheck source=/dev/null
source <(grep -E '^(CONTAINERD|COREDNS|LOCAL_PATH|CRICTL)_VERSION=' "$here/binaries.sh")
ETCD_TAG="$("${bin[etcd]}" --version | awk '/etcd Version/ {print $3}')-0"

# image_from <tag> <dockerfile> <file>...: builds <tag> from a context holding the files, unless an image of
# that tag was built from the same inputs (its dev.ponyexpress.inputs label: the Dockerfile and the files).
image_from() {
  local tag="$1" dockerfile="$2"; shift 2
  local key; key="$(hash_of "$dockerfile" "$@")"
  [[ "$(docker image inspect -f '{{index .Config.Labels "dev.ponyexpress.inputs"}}' "$tag" 2>/dev/null)" == "$key" ]] && return 0
  dockerfile+=$'\n'"LABEL dev.ponyexpress.inputs=$key"
  local ctx; ctx="$(mktemp -d)"
  cp "$@" "$ctx/"
  printf '%s\n' "$dockerfile" >"$ctx/Dockerfile"
  docker build -q -t "$tag" "$ctx" >"$CACHE/build-node.log" 2>&1 || { tail -n 20 "$CACHE/build-node.log" >&2; die "building $tag failed"; }
  rm -rf "$ctx"
  say "built $tag"
}
# Static Go binaries need nothing but themselves.
static_image() { # <tag> <binary path> [entrypoint args as JSON]
  local tag="$1" path="$2" name; name="$(basename "$2")"
  image_from "$tag" "FROM scratch
COPY $name /usr/local/bin/$name
ENV PATH=/usr/local/bin
ENTRYPOINT [\"/usr/local/bin/$name\"]" "$path"
}

images=()
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  static_image "registry.k8s.io/$c:$kube_version" "${bin[$c]}"; images+=("registry.k8s.io/$c:$kube_version")
done
static_image "registry.k8s.io/etcd:$ETCD_TAG" "${bin[etcd]}"; images+=("registry.k8s.io/etcd:$ETCD_TAG")
static_image "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" "${bin[coredns]}"; images+=("registry.k8s.io/coredns/coredns:$COREDNS_VERSION")
static_image "ponyexpress.local/local-path-provisioner:$LOCAL_PATH_VERSION" "${bin[local-path-provisioner]}"
images+=("ponyexpress.local/local-path-provisioner:$LOCAL_PATH_VERSION")
# kube-proxy runs iptables.
image_from "registry.k8s.io/kube-proxy:$kube_version" "FROM ${base[debian]}
RUN apt-get update && apt-get install -y --no-install-recommends iptables conntrack ipset kmod && rm -rf /var/lib/apt/lists/*
COPY kube-proxy /usr/local/bin/kube-proxy" "${bin[kube-proxy]}"
images+=("registry.k8s.io/kube-proxy:$kube_version")
# pause: our own C, static.
pause_dir="$CACHE/pause-$(hash_of "$here/files/pause.c")"
if [[ ! -x "$pause_dir/pause" ]]; then
  mkdir -p "$pause_dir" && gcc -Os -static -o "$pause_dir/pause" "$here/files/pause.c" && strip "$pause_dir/pause"
fi
image_from "ponyexpress.local/pause:1.0" "FROM scratch
COPY pause /pause
ENTRYPOINT [\"/pause\"]" "$pause_dir/pause"
images+=("ponyexpress.local/pause:1.0" "${base[debian]}")

# --- the node image -------------------------------------------------------------------------
node_key="$(hash_of "${base[debian]}" "$here/build.sh" "$here/files/"* "$root/scripts/docker/runc-wrapper.sh" \
  "${bin[kubeadm]}" "${bin[kubelet]}" "${bin[kubectl]}" "${bin[containerd]}" "${bin[crictl]}" \
  "$(for i in "${images[@]}"; do docker image inspect -f '{{.Id}}' "$i"; done)")"
node_image="ponyexpress.local/kind-node:$kube_version-$node_key"
report() { printf 'node %s\netcd-tag %s\ncoredns-tag %s\n' "$node_image" "$ETCD_TAG" "$COREDNS_VERSION"; }
if have_image "$node_image"; then report; exit 0; fi
started=$SECONDS
ctx="$(mktemp -d)"
cp "${bin[kubeadm]}" "${bin[kubelet]}" "${bin[kubectl]}" "${bin[containerd]}" "${bin[containerd-shim-runc-v2]}" \
   "${bin[ctr]}" "${bin[crictl]}" "$root/scripts/docker/runc-wrapper.sh" "$here/files/"* "$ctx/"
sed -e "s|HELPER_IMAGE|${base[debian]}|; s|LOCAL_PATH_VERSION|$LOCAL_PATH_VERSION|" "$here/files/default-storage.yaml" >"$ctx/default-storage.yaml"
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM ${base[debian]}
RUN apt-get update && apt-get install -y --no-install-recommends systemd systemd-sysv dbus iptables iproute2 \\
      conntrack ethtool socat util-linux mount kmod ca-certificates runc containernetworking-plugins jq procps \\
      libseccomp2 pigz \\
 && rm -rf /var/lib/apt/lists/* \\
 && systemctl mask getty.target systemd-udevd.service systemd-udevd-kernel.socket systemd-udevd-control.socket \\
      systemd-modules-load.service sys-kernel-debug.mount sys-kernel-tracing.mount
COPY kubeadm kubelet kubectl /usr/bin/
COPY containerd containerd-shim-runc-v2 ctr crictl /usr/local/bin/
COPY runc-wrapper.sh /usr/local/bin/runc-wrapper
COPY entrypoint /usr/local/bin/entrypoint
COPY containerd-config.toml /etc/containerd/config.toml
COPY containerd.service kubelet.service /etc/systemd/system/
COPY 10-bridge.conflist /etc/cni/net.d/10-bridge.conflist
COPY default-storage.yaml /kind/manifests/default-storage.yaml
RUN chmod +x /usr/local/bin/entrypoint /usr/local/bin/runc-wrapper \\
 && systemctl enable containerd.service kubelet.service \\
 && echo "$kube_version" >/kind/version \\
 && printf 'runtime-endpoint: unix:///run/containerd/containerd.sock\nimage-endpoint: unix:///run/containerd/containerd.sock\n' >/etc/crictl.yaml \\
 && mkdir -p /opt/cni && ln -s /usr/lib/cni /opt/cni/bin \\
 && printf 'net.ipv4.ip_forward=1\nfs.inotify.max_user_watches=524288\nfs.inotify.max_user_instances=512\n' >/etc/sysctl.d/10-kind.conf
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
DOCKERFILE
stage="ponyexpress.local/kind-node-stage:$node_key"
docker build -q -t "$stage" "$ctx" >"$CACHE/build-node.log" 2>&1 || { tail -n 30 "$CACHE/build-node.log" >&2; die "building the node image failed"; }
rm -rf "$ctx"
say "node image stage built; preloading ${#images[@]} images into its containerd"
# Like kind: run containerd in a build container, import (content only; unpacked at first use), commit.
cid="$(docker run -d --privileged --entrypoint /usr/local/bin/containerd "$stage")"
trap 'docker rm -f "$cid" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 60); do docker exec "$cid" ctr version >/dev/null 2>&1 && break; sleep 0.5; done
docker save "${images[@]}" | docker exec -i "$cid" ctr -n k8s.io images import --no-unpack --all-platforms - >"$CACHE/node-import.log" 2>&1 \
  || { tail -n 20 "$CACHE/node-import.log" >&2; die "importing images into the node failed"; }
docker exec "$cid" sh -c 'kill -TERM 1' || true
docker wait "$cid" >/dev/null || true
docker commit --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' --change 'CMD []' "$cid" "$node_image" >/dev/null
docker rm -f "$cid" >/dev/null; trap - EXIT
docker rmi "$stage" >/dev/null
say "node image $node_image built in $((SECONDS - started)) s"
report
