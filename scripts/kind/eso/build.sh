#!/usr/bin/env bash
# A slim External Secrets Operator (scripts/kind/modules/external-secrets: ESO's own controllers, only the
# Kubernetes provider) built from the Go module proxy, and its image on the local Debian base.
#   binary: ${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}/kind/bin/external-secrets-<version>-<hash>/ (like binaries.sh)
#   image:  ponyexpress.local/external-secrets:<version>-<hash of the Dockerfile and the binary>
# stdout: "image <ref>", "crds <dir>" (ESO's CRDs from the module zip: config/crds/bases) and "version <v>".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
mod="$root/scripts/kind/modules/external-secrets"
cache="${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}/kind"
# shellcheck source=scripts/images/lib.sh
source "$root/scripts/images/lib.sh"
mkdir -p "$cache/bin" "$cache/logs" "$cache/mod"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
command -v go >/dev/null || die "Go >= 1.24 is required to build External Secrets Operator (https://go.dev/dl/)"
module=github.com/external-secrets/external-secrets
version="$(awk -v m="$module" '$1 == "require" && $2 == m {print $3} $1 == m {print $2}' "$mod/go.mod" | head -n1)"
[[ -n "$version" ]] || die "$mod/go.mod requires no $module"

# Where the go command keeps the module (downloaded and checksum-verified against go.sum if missing).
src="$(cd "$mod" && go mod download -json "$module@$version" | sed -nE 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p')"
[[ -d "$src/config/crds/bases" ]] || die "$module@$version has no config/crds/bases in its module zip ($src)"

exec 9>"$cache/bin/.build.lock"
flock 9
out="$cache/bin/external-secrets-$version-$(cat "$mod/go.mod" "$mod/go.sum" "$mod/main.go" "$mod"/overlay/*.go <(go env GOVERSION) | sha256sum | cut -c1-12)"
if [[ ! -f "$out/.complete" ]]; then
  started=$SECONDS log="$cache/logs/external-secrets.log" work="$cache/mod/external-secrets-$version"
  echo "building external-secrets $version with the Kubernetes provider only (log: $log) ..." >&2
  rm -rf "$out" "$work"; mkdir -p "$out" "$work"
  # ESO's controllers import pkg/provider/register and pkg/generator/register, which pull in every cloud
  # provider. go build -overlay may not replace files in the module cache, so the build uses a writable copy
  # of the verified module (replace directive in a generated go.mod) with those two files overlaid by ours.
  cp -r "$src" "$work/src"; chmod -R u+w "$work/src"
  { cat "$mod/go.mod"; echo "replace $module => $work/src"; } >"$work/go.mod"
  cp "$mod/go.sum" "$work/go.sum"
  printf '{"Replace":{"%s":"%s","%s":"%s"}}\n' \
    "$work/src/pkg/provider/register/register.go" "$mod/overlay/provider-register.go" \
    "$work/src/pkg/generator/register/register.go" "$mod/overlay/generator-register.go" >"$work/overlay.json"
  (cd "$mod" && nice -n 10 go build -modfile="$work/go.mod" -overlay="$work/overlay.json" -p "${PONYEXPRESS_BUILD_JOBS:-2}" \
     -trimpath -ldflags "-s -w" -o "$out/external-secrets" .) >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; rm -rf "$out"; die "building external-secrets failed"; }
  touch "$out/.complete"
  echo "built external-secrets in $((SECONDS - started)) s" >&2
fi

debian="$(bash "$root/scripts/images/base.sh" | sed -n 's/^debian=//p')"
df="FROM $debian
COPY external-secrets /usr/local/bin/external-secrets
USER 65532:65532
ENTRYPOINT [\"/usr/local/bin/external-secrets\"]"
image="ponyexpress.local/external-secrets:$version-$(hash_of "$df" "$out/external-secrets")"
if ! have_image "$image"; then
  ctx="$(mktemp -d)"; printf '%s\n' "$df" >"$ctx/Dockerfile"; cp "$out/external-secrets" "$ctx/"
  docker build -q -t "$image" "$ctx" >/dev/null || die "building $image failed"; rm -rf "$ctx"
fi
echo "image $image"
echo "crds $src/config/crds/bases"
echo "version $version"
