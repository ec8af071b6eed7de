#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock, starting one if needed. Idempotent.
#   bash scripts/docker/start-dockerd.sh        # as root (or with a working `docker info` already)
# - installs Debian's docker.io (and jq, iptables) when dockerd is missing and we are root;
# - when this machine's capability bounding set lacks CAP_SYS_RESOURCE (runc then fails with
#   "unable to apply caps: operation not permitted" for --privileged, which kind needs), installs
#   runc-wrapper.sh as an OCI runtime and makes it dockerd's default runtime;
# - starts dockerd in the background (log: /var/log/ponyexpress-dockerd.log) and waits for its socket.
# The host's cgroup mounts are left as they are. Exit 3 with a reason when Docker cannot be had here.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUNTIME_NAME=ponyexpress-runc
WRAPPER=/usr/local/libexec/ponyexpress/runc-wrapper
LOG=/var/log/ponyexpress-dockerd.log
SOCK=/var/run/docker.sock

fail() { echo "start-dockerd: $*" >&2; exit 3; }

# CAP_SYS_RESOURCE is capability 24.
needs_wrapper() {
  local bnd
  bnd="$(awk '/^CapBnd:/ {print $2}' /proc/self/status)"
  (( (16#$bnd >> 24 & 1) == 0 ))
}

if docker info >/dev/null 2>&1; then
  if needs_wrapper && ! docker info --format '{{.DefaultRuntime}}' 2>/dev/null | grep -qx "$RUNTIME_NAME"; then
    echo "start-dockerd: warning: dockerd is running without the $RUNTIME_NAME runtime; privileged containers (kind) will fail" >&2
    echo "               with 'unable to apply caps'. Stop it and re-run this script." >&2
  fi
  exit 0
fi

[ "$(id -u)" -eq 0 ] || fail "no Docker engine answers and starting one needs root (run: sudo bash $0)."

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v jq >/dev/null || missing+=(jq)
command -v iptables >/dev/null || missing+=(iptables)
if ((${#missing[@]})); then
  command -v apt-get >/dev/null || fail "missing ${missing[*]} and there is no apt-get; install Docker Engine for your system."
  echo "start-dockerd: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

args=(--host "unix://$SOCK" --log-level warn)
if needs_wrapper; then
  install -D -m 0755 "$here/runc-wrapper.sh" "$WRAPPER"
  args+=(--add-runtime "$RUNTIME_NAME=$WRAPPER" --default-runtime "$RUNTIME_NAME")
fi

# One starter at a time (CI steps and tests may race).
exec 9>/var/run/ponyexpress-dockerd.lock
flock 9
if ! docker info >/dev/null 2>&1; then
  if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    echo "start-dockerd: dockerd (pid $(cat /var/run/docker.pid)) is starting; waiting" >&2
  else
    echo "start-dockerd: starting dockerd (log: $LOG)" >&2
    # setsid: dockerd outlives this script and the CI step that ran it. It must hold no caller's lock fd (ours,
    # images/build.sh's, base.sh's), or the next caller of that script would wait forever.
    setsid dockerd "${args[@]}" >>"$LOG" 2>&1 </dev/null 7>&- 8>&- 9>&- &
  fi
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { tail -n 20 "$LOG" >&2; fail "dockerd did not answer on $SOCK within 60 s (log above)."; }
fi
echo "start-dockerd: docker $(docker version --format '{{.Server.Version}}') ready, default runtime $(docker info --format '{{.DefaultRuntime}}')" >&2
