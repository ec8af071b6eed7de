#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow linter) from the Go module proxy into the tool cache, once.
# stdout: the binary's absolute path (tests parse it); progress and errors go to stderr.
set -euo pipefail
version="v1.7.12"
cache="${PONYEXPRESS_CACHE:-$HOME/.cache/ponyexpress}"
out="$cache/bin/actionlint-$version"
if [[ ! -x "$out/actionlint" ]]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "build-actionlint.sh: Go is not installed; install Go >= 1.24 to validate the GitHub workflow" >&2
    exit 3
  fi
  mkdir -p "$cache/bin"
  exec 9>"$cache/bin/.actionlint.lock"
  flock 9
  if [[ ! -x "$out/actionlint" ]]; then
    echo "building actionlint $version (about a minute) ..." >&2
    tmp="$out.tmp.$$"
    rm -rf "$tmp"
    GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOBIN="$tmp" \
      go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$version" >&2
    rm -rf "$out"
    mv "$tmp" "$out"
  fi
fi
echo "$out/actionlint"
