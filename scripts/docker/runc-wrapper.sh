#!/bin/sh
# OCI runtime wrapper: removes CAP_SYS_RESOURCE from the container's capability sets and raises an
# oomScoreAdj below our own to our own (lowering it needs CAP_SYS_RESOURCE: runc's nsexec then fails with
# "failed to update /proc/self/oom_score_adj: Permission denied", as for the kubelet's sandboxes at -998),
# then runs the real runc with the same arguments. Needed where the host's capability bounding set lacks CAP_SYS_RESOURCE
# (runc then fails with "unable to apply caps: operation not permitted", e.g. for --privileged).
# create/run read the bundle's config.json; exec reads the --process file. Needs jq.
# REAL_RUNC overrides which runc is executed (default: runc on PATH, never this file).
set -eu
real="${REAL_RUNC:-/usr/sbin/runc}"
[ -x "$real" ] || real="$(command -v runc)"

strip() { # strip <json file> <jq path to the capabilities object>
  [ -f "$1" ] || return 0
  tmp="$1.nosysres.$$"
  jq "if $2 then $2 |= with_entries(.value |= (if type == \"array\" then map(select(. != \"CAP_SYS_RESOURCE\")) else . end)) else . end" "$1" >"$tmp"
  mv "$tmp" "$1"
}

cmd="" bundle="." process=""
prev=""
for arg in "$@"; do
  case "$prev" in
    --bundle|-b) bundle="$arg" ;;
    --process|-p) process="$arg" ;;
  esac
  case "$arg" in
    --bundle=*) bundle="${arg#--bundle=}" ;;
    --process=*) process="${arg#--process=}" ;;
  esac
  if [ -z "$cmd" ]; then
    case "$arg" in create|run|exec) case "$prev" in --root|--log|--log-format|--criu|--rootless) ;; *) cmd="$arg" ;; esac ;; esac
  fi
  prev="$arg"
done

# oom_score_adj may only be raised without CAP_SYS_RESOURCE.
floor="$(cat /proc/self/oom_score_adj 2>/dev/null || echo -1000)"
clamp() { # clamp <json file> <jq path to the process object>
  [ -f "$1" ] || return 0
  tmp="$1.oomfloor.$$"
  jq --argjson floor "$floor" "if ($2.oomScoreAdj // $floor) < \$floor then $2.oomScoreAdj = \$floor else . end" "$1" >"$tmp"
  mv "$tmp" "$1"
}

case "$cmd" in
  create|run) strip "$bundle/config.json" '.process.capabilities'; clamp "$bundle/config.json" '.process' ;;
  exec) [ -n "$process" ] && strip "$process" '.capabilities' ;;
esac
exec "$real" "$@"
