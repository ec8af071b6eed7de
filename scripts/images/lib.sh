# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file
# Shared by the image scripts; sourced, not run. The cache lives beside the control-plane binaries:
#   ${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}/images/
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}/images"
mkdir -p "$CACHE"
# Local images (never pushed) are named under this prefix and tagged by the hash of their inputs.
LOCAL=ponyexpress-local
SUITE="${DEBIAN_SUITE:-bookworm}"
# Docker's classic builder: BuildKit would fetch the dockerfile frontend from Docker Hub.
export DOCKER_BUILDKIT=0

say() { printf '[images %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { echo "images: $*" >&2; exit 1; }

# hash_of <text or files...>: 12 hex characters over the arguments (files by content, others as text).
hash_of() {
  local arg
  for arg in "$@"; do
    if [[ -f "$arg" ]]; then sha256sum <"$arg"; else printf '%s\n' "$arg"; fi
  done | sha256sum | cut -c1-12
}

# hash_tree <dir> [exclude-regex]: content hash of the files git would see in <dir> (tracked or not, not ignored).
hash_tree() {
  local dir="$1" exclude="${2:-^$}"
  (cd "$dir" && git ls-files -co --exclude-standard -z . | grep -zEv "$exclude" | sort -z \
     | xargs -0 sha256sum) | sha256sum | cut -c1-12
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror apt already uses (first http(s) archive that is not a security mirror).
debian_mirror() {
  if [[ -n "${DEBIAN_MIRROR:-}" ]]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  m="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | sed -nE 's/^URIs:[[:space:]]*(https?:[^[:space:]]+).*/\1/p; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?(https?:[^[:space:]]+).*/\2/p' \
        | grep -v -- '-security' | grep '/debian/\?$' | head -n1)"
  [[ -n "$m" ]] || die "no Debian mirror found in /etc/apt/sources.list*; set DEBIAN_MIRROR=http://deb.debian.org/debian"
  echo "${m%/}"
}
