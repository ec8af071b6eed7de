# shellcheck shell=bash
# Shared settings for the kind scripts; sourced, not run.
# Needs: docker, kind, kubectl, openssl, npm (after `npm ci`). Override any variable from the environment.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER="${CLUSTER:-ponyexpress}"
APP="${APP:-ponyshop}"
STAGING_NS="${STAGING_NS:-ponyshop-staging}"
PRODUCTION_NS="${PRODUCTION_NS:-ponyshop-production}"
APP_IMAGE="${APP_IMAGE:-ghcr.io/ponyexpress/ponyshop}"
OPERATOR_IMAGE="${OPERATOR_IMAGE:-ghcr.io/ponyexpress/operator:0.1.0}"
# Both environments start on FIRST_TAG; promote.sh moves staging to NEXT_TAG.
FIRST_TAG="${FIRST_TAG:-1.4.0}"
NEXT_TAG="${NEXT_TAG:-1.5.0}"
CNPG_VERSION="${CNPG_VERSION:-1.29.1}"
# OFFLINE=1 (or `up.sh --offline`): no registry or GitHub. kind and its node image are built locally
# (scripts/kind/node/), PostgreSQL and Redis come from Debian packages instead of CloudNativePG and the
# Redis image, and the app and operator images are built by scripts/images/build.sh.
OFFLINE="${OFFLINE:-0}"
# ESO=1 (or `up.sh --offline --eso`): the External Secrets Operator runs in the cluster (eso.sh) and the scratch
# copy's database block uses the charts' `external-secrets` provider: a SecretStore `$APP-db` (Kubernetes
# provider) reads the PostgreSQL stand-in's `$APP-db-app` Secret and the charts' ExternalSecret makes the
# Secret the pods bind. Offline only (it builds ESO from the Go module proxy).
ESO="${ESO:-0}"
# Scratch copy of the environment files (tags and the promotion section are set there, never in the repo).
WORK="${WORK:-$REPO_ROOT/.cache/kind}"
KUBECTL=(kubectl --context "kind-$CLUSTER")

log() { printf '\n==> %s\n' "$*"; }

need() {
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null || { echo "missing: $cmd" >&2; exit 1; }
  done
}

# Offline, kind and kubectl are the ones scripts/kind/node/binaries.sh built (cached after the first run).
if [[ "$OFFLINE" == 1 ]]; then
  while read -r name path; do
    case "$name" in kind | kubectl) mkdir -p "$WORK/bin" && ln -sfn "$path" "$WORK/bin/$name" ;; esac
  done < <(bash "$REPO_ROOT/scripts/kind/node/binaries.sh")
  PATH="$WORK/bin:$PATH"
elif [[ -d "$WORK/bin" ]]; then
  # The links an offline run left: down.sh (and any step) then works without OFFLINE=1 on a machine without kind.
  PATH="$PATH:$WORK/bin"
fi

# Synthesises dist/ into $WORK/dist from a copy of environments/ in which both
# environments run the given tags and production promotes from staging.
synth() {
  local staging_tag="$1" production_tag="$2"
  rm -rf "$WORK/environments" "$WORK/dist"
  mkdir -p "$WORK"
  cp -r "$REPO_ROOT/environments" "$WORK/environments"
  sed -i "s/^  tag: .*/  tag: $staging_tag/" "$WORK/environments/staging.yaml"
  sed -i "s/^  tag: .*/  tag: $production_tag/" "$WORK/environments/production.yaml"
  # A kind node has the host's few cores, and production alone asks for more than 3 CPUs: scale the CPU
  # requests of this scratch copy down (replicas, probes and everything else stay as configured).
  if [[ "${KIND_FULL_CPU_REQUESTS:-0}" != 1 ]]; then
    sed -i -E 's/cpu: [0-9]+m/cpu: 20m/' "$WORK/environments/staging.yaml" "$WORK/environments/production.yaml"
  fi
  if ! grep -q '^promotion:' "$WORK/environments/production.yaml"; then
    printf '\npromotion:\n  from: staging\n  approval: Automatic\n  soakSeconds: 30\n' >>"$WORK/environments/production.yaml"
  fi
  if [[ "$ESO" == 1 ]]; then
    local env_file
    for env_file in "$WORK/environments/staging.yaml" "$WORK/environments/production.yaml"; do
      # The database block runs from `database:` to the next blank line.
      awk -v app="$APP" '
        /^database:/ { skip = 1
          print "database:"
          print "  provider: external-secrets"
          print "  secretStoreRef: { name: " app "-db }"
          print "  remoteKey: " app "-db-app"
          print "  sslMode: require"
          print "  egress: { port: 5432, to: [{ podSelector: { cnpg.io/cluster: " app "-db } }] }"
          next }
        skip && /^$/ { skip = 0 }
        !skip' "$env_file" >"$env_file.tmp" && mv "$env_file.tmp" "$env_file"
    done
  fi
  # SOAK_SECONDS (e.g. the kind test's 20) replaces production's soak in this scratch copy only.
  if [[ -n "${SOAK_SECONDS:-}" ]]; then
    sed -i -E "s/^  soakSeconds: .*/  soakSeconds: $SOAK_SECONDS/" "$WORK/environments/production.yaml"
  fi
  # main.ts reads ./environments and writes ./dist relative to the working directory.
  (cd "$WORK" && ln -sfn "$REPO_ROOT/operator" operator && "$REPO_ROOT/node_modules/.bin/tsx" "$REPO_ROOT/main.ts")
}

# Applies one environment's top-level manifests (not argocd/) plus its promotion/ folder if any.
apply_env() {
  local dir="$WORK/dist/$1"
  "${KUBECTL[@]}" apply -f "$dir"
  if [[ -d "$dir/promotion" ]]; then "${KUBECTL[@]}" apply -f "$dir/promotion"; fi
}

# Waits for the environment's migration Job and every rollout.
wait_env() {
  local ns="$1"
  "${KUBECTL[@]}" -n "$ns" wait --for=condition=complete job -l app.kubernetes.io/component=migrate --timeout=10m
  for component in web worker beat; do
    "${KUBECTL[@]}" -n "$ns" rollout status "deployment/$APP-$component" --timeout=10m
  done
}
