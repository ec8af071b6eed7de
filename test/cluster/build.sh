#!/usr/bin/env bash
# Builds the test control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok) from the Go module proxy, through the wrapper modules in
# test/cluster/modules/. Idempotent: binaries are cached under
#   ${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}/bin/<module>-<version>-<hash>/
# where <hash> covers the wrapper go.mod + go.sum and the Go version, so a change to
# any pin rebuilds only that module and a second run costs well under a second.
#
# stdout carries only machine-readable lines, one per binary:  path <name> <abs path>
# (the jest harness parses them); progress goes to stderr, so it shows live even then.
# Build output goes to <cache>/logs/build-<module>.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}"
mkdir -p "$cache/bin" "$cache/logs"

if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: Go is not installed. Install Go >= 1.24 (https://go.dev/dl/)," >&2
  echo "          or run the cluster tests against an existing cluster with KUBECONFIG=/path/to/kubeconfig." >&2
  exit 3
fi

# Use the Go that is installed; never download a toolchain behind the user's back.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
go_version="$(go env GOVERSION)"
# The wrapper modules need Go >= 1.24 (the `tool` directive; kwok's and etcd's go.mod).
if ! printf '%s\n' go1.24 "${go_version%%[-+ ]*}" | sort -CV; then
  echo "build.sh: $go_version is too old; the control plane needs Go >= 1.24 (https://go.dev/dl/)," >&2
  echo "          or run the cluster tests against an existing cluster with KUBECONFIG=/path/to/kubeconfig." >&2
  exit 3
fi

# Only one build at a time per cache (jest globalSetup and a manual run may race).
exec 9>"$cache/bin/.build.lock"
flock 9

# module_key <module dir> <main module path>: "<its version>-<12 hex of go.mod+go.sum+go version>"
module_key() {
  local dir="$1" main="$2" version hash
  version="$(awk -v m="$main" '$1 == m {print $2; exit} $1 == "require" && $2 == m {print $3; exit}' "$dir/go.mod")"
  hash="$(cat "$dir/go.mod" "$dir/go.sum" <(echo "$go_version") | sha256sum | cut -c1-12)"
  echo "$version-$hash"
}

# build <module> <main module path> <ldflags> <binary name>=<package>...
build() {
  local module="$1" main="$2" ldflags="$3"; shift 3
  local dir="$here/modules/$module" key out log
  key="$(module_key "$dir" "$main")"
  out="$cache/bin/$module-$key"
  log="$cache/logs/build-$module.log"
  if [[ -f "$out/.complete" ]]; then
    echo "reusing $module $key ($out)" >&2
  else
    echo "building $module $key (log: $log) ..." >&2
    local started=$SECONDS tmp="$out.tmp.$$"
    rm -rf "$out".tmp.*; mkdir -p "$tmp" # leftovers of interrupted builds (we hold the lock)
    local spec name pkg
    for spec in "$@"; do
      name="${spec%%=*}"; pkg="${spec#*=}"
      if ! (cd "$dir" && go build -p "${PONYEXPRESS_BUILD_JOBS:-2}" -trimpath -ldflags "$ldflags" \
              -o "$tmp/$name" "$pkg") >>"$log" 2>&1; then
        echo "build.sh: building $name failed; last lines of $log:" >&2
        tail -n 30 "$log" >&2
        rm -rf "$tmp"; exit 1
      fi
    done
    touch "$tmp/.complete"
    rm -rf "$out"; mv "$tmp" "$out"
    echo "built $module in $((SECONDS - started)) s" >&2
  fi
  for spec in "$@"; do
    BIN_PATHS+=("path ${spec%%=*} $out/${spec%%=*}")
  done
}

BIN_PATHS=()
total_started=$SECONDS

kube_version="$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$here/modules/kubernetes/go.mod")"
kube_minor="$(echo "$kube_version" | cut -d. -f2)"
build_date="1970-01-01T00:00:00Z" # fixed so rebuilds are reproducible
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor"
  kube_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date -X $pkg.gitCommit=module-proxy"
done

build etcd go.etcd.io/etcd/server/v3 "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-proxy" \
  etcd=go.etcd.io/etcd/server/v3
build kubernetes k8s.io/kubernetes "$kube_ldflags" \
  kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
  kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
  kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler
build kwok sigs.k8s.io/kwok "-s -w" \
  kwok=sigs.k8s.io/kwok/cmd/kwok

echo "control plane binaries ready in $((SECONDS - total_started)) s (kubernetes $kube_version)" >&2
printf '%s\n' "${BIN_PATHS[@]}"
