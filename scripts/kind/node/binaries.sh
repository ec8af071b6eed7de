#!/usr/bin/env bash
# Builds every Go binary the offline kind setup needs, from the Go module proxy, into
#   ${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}/kind/bin/<name>-<version>[-<hash>]/
# Idempotent (a finished build has .complete). stdout: "<name> <abs path>" per binary; progress on stderr.
#   kind (the CLI), kubeadm kubelet kubectl kube-proxy kube-apiserver kube-controller-manager kube-scheduler
#   (scripts/kind/modules/kubernetes), containerd + containerd-shim-runc-v2 + ctr (v2), crictl, coredns,
#   local-path-provisioner; etcd comes from test/cluster/build.sh's cache.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}/kind"
mkdir -p "$cache/bin" "$cache/logs"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
command -v go >/dev/null || { echo "binaries.sh: Go >= 1.24 is required (https://go.dev/dl/)" >&2; exit 3; }
go_version="$(go env GOVERSION)"

# Versions. Kubernetes' own comes from the wrapper module (checked against the test control plane's).
KIND_VERSION=v0.33.0
CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.1.9}"
CRICTL_VERSION="${CRICTL_VERSION:-v1.34.0}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.14.3}"     # kubeadm v1.30 names v1.11.3, which the proxy does not serve
LOCAL_PATH_VERSION="${LOCAL_PATH_VERSION:-v0.0.30}"

exec 9>"$cache/bin/.build.lock"
flock 9
out_paths=()

# install_at <name> <version> <ldflags> <tags> <pkg@version>...: `go install` into a cached GOBIN.
install_at() {
  local name="$1" version="$2" ldflags="$3" tags="$4"; shift 4
  local out
  out="$cache/bin/$name-$version-$(printf '%s\n' "$go_version" "$ldflags" "$tags" "$@" | sha256sum | cut -c1-8)"
  if [[ ! -f "$out/.complete" ]]; then
    local started=$SECONDS log="$cache/logs/$name.log"
    echo "building $name $version (log: $log) ..." >&2
    rm -rf "$out"; mkdir -p "$out"
    GOBIN="$out" go install -p "${PONYEXPRESS_BUILD_JOBS:-2}" -trimpath -tags "$tags" -ldflags "$ldflags" "$@" >"$log" 2>&1 \
      || { tail -n 30 "$log" >&2; rm -rf "$out"; echo "binaries.sh: building $name failed" >&2; exit 1; }
    touch "$out/.complete"
    echo "built $name in $((SECONDS - started)) s" >&2
  fi
  local f
  for f in "$out"/*; do out_paths+=("$(basename "$f") $f"); done
}

# wrap_build <name> <version> <ldflags> <tags> <module> <package>...: for modules that `go install pkg@v`
# refuses (replace/exclude directives), a throw-away wrapper module that requires <module>@<version>.
wrap_build() {
  local name="$1" version="$2" ldflags="$3" tags="$4" module="$5"; shift 5
  local out
  out="$cache/bin/$name-$version-$(printf '%s\n' "$go_version" "$ldflags" "$tags" "$module" "$@" | sha256sum | cut -c1-8)"
  if [[ ! -f "$out/.complete" ]]; then
    local started=$SECONDS log="$cache/logs/$name.log" mod="$cache/mod/$name-$version"
    echo "building $name $version (log: $log) ..." >&2
    rm -rf "$out" "$mod"; mkdir -p "$out" "$mod"
    if ! ( cd "$mod" && go mod init "ponyexpress.dev/kind/wrap/$name" && go get "$module@$version" \
          && for pkg in "$@"; do go get "$pkg@$version" && go build -p "${PONYEXPRESS_BUILD_JOBS:-2}" -trimpath -tags "$tags" \
               -ldflags "$ldflags" -o "$out/" "$pkg" || exit 1; done ) >"$log" 2>&1; then
      tail -n 30 "$log" >&2; rm -rf "$out"; echo "binaries.sh: building $name failed" >&2; exit 1
    fi
    touch "$out/.complete"
    echo "built $name in $((SECONDS - started)) s" >&2
  fi
  local f
  for f in "$out"/*; do out_paths+=("$(basename "$f") $f"); done
}

# CoreDNS from a main package of our own that imports only the plugins kubeadm's Corefile uses (plus log): the
# upstream main imports every plugin (cloud DNS providers, etcd, ...), which took 857 s cold here.
COREDNS_PLUGINS=(cache errors forward health kubernetes loadbalance log loop metrics ready reload)
coredns_build() {
  local out
  out="$cache/bin/coredns-$COREDNS_VERSION-$(printf '%s\n' "$go_version" "${COREDNS_PLUGINS[@]}" | sha256sum | cut -c1-8)"
  if [[ ! -f "$out/.complete" ]]; then
    local started=$SECONDS log="$cache/logs/coredns.log" mod="$cache/mod/coredns-slim-$COREDNS_VERSION" p
    echo "building coredns $COREDNS_VERSION with ${COREDNS_PLUGINS[*]} (log: $log) ..." >&2
    rm -rf "$out" "$mod"; mkdir -p "$out" "$mod"
    { printf 'package main\n\nimport (\n\t"github.com/coredns/coredns/coremain"\n'
      for p in "${COREDNS_PLUGINS[@]}"; do printf '\t_ "github.com/coredns/coredns/plugin/%s"\n' "$p"; done
      printf ')\n\nfunc main() { coremain.Run() }\n'; } >"$mod/main.go"
    if ! ( cd "$mod" && go mod init ponyexpress.dev/kind/wrap/coredns && go get "github.com/coredns/coredns@$COREDNS_VERSION" \
          && go mod tidy && go build -p "${PONYEXPRESS_BUILD_JOBS:-2}" -trimpath -ldflags "-s -w" -o "$out/coredns" . ) >"$log" 2>&1; then
      tail -n 30 "$log" >&2; rm -rf "$out"; echo "binaries.sh: building coredns failed" >&2; exit 1
    fi
    touch "$out/.complete"
    echo "built coredns in $((SECONDS - started)) s" >&2
  fi
  out_paths+=("coredns $out/coredns")
}

# --- Kubernetes, through the wrapper module ----------------------------------------------------
mod="$root/scripts/kind/modules/kubernetes"
kube_version="$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$mod/go.mod")"
test_version="$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$root/test/cluster/modules/kubernetes/go.mod")"
[[ "$kube_version" == "$test_version" ]] || { echo "binaries.sh: scripts/kind/modules/kubernetes pins $kube_version but the test control plane $test_version; keep them in step" >&2; exit 1; }
kube_minor="$(cut -d. -f2 <<<"$kube_version")"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z -X $pkg.gitCommit=module-proxy"
done
kube_out="$cache/bin/kubernetes-$kube_version-$(cat "$mod/go.mod" "$mod/go.sum" <(echo "$go_version") | sha256sum | cut -c1-12)"
if [[ ! -f "$kube_out/.complete" ]]; then
  started=$SECONDS; log="$cache/logs/kubernetes.log"
  echo "building kubernetes $kube_version node binaries (log: $log; ~10 min cold) ..." >&2
  rm -rf "$kube_out"; mkdir -p "$kube_out"
  for cmd in kubeadm kubelet kubectl kube-proxy kube-apiserver kube-controller-manager kube-scheduler; do
    (cd "$mod" && go build -p "${PONYEXPRESS_BUILD_JOBS:-2}" -trimpath -ldflags "$ldflags" -o "$kube_out/$cmd" "k8s.io/kubernetes/cmd/$cmd") >>"$log" 2>&1 \
      || { tail -n 30 "$log" >&2; rm -rf "$kube_out"; echo "binaries.sh: building $cmd failed" >&2; exit 1; }
    echo "  $cmd done ($((SECONDS - started)) s)" >&2
  done
  touch "$kube_out/.complete"
fi
for f in "$kube_out"/*; do out_paths+=("$(basename "$f") $f"); done

# --- the rest, with `go install <pkg>@<version>` -------------------------------------------------
install_at kind "$KIND_VERSION" "-s -w" "" "sigs.k8s.io/kind@$KIND_VERSION"
install_at crictl "$CRICTL_VERSION" "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" "" \
  "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
wrap_build containerd "$CONTAINERD_VERSION" "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
  "no_btrfs no_devmapper no_zfs" github.com/containerd/containerd/v2 \
  github.com/containerd/containerd/v2/cmd/containerd \
  github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
  github.com/containerd/containerd/v2/cmd/ctr
coredns_build
wrap_build local-path-provisioner "$LOCAL_PATH_VERSION" "-s -w" "" github.com/rancher/local-path-provisioner \
  github.com/rancher/local-path-provisioner

# --- etcd: the test control plane's build (cached there) ------------------------------------------
etcd="$(bash "$root/test/cluster/build.sh" 2>/dev/null | awk '$2 == "etcd" {print $3}')"
[[ -x "$etcd" ]] || { echo "binaries.sh: test/cluster/build.sh gave no etcd" >&2; exit 1; }
out_paths+=("etcd $etcd")

printf '%s\n' "${out_paths[@]}"
