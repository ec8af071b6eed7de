#!/usr/bin/env bash
# CI step: build the app image, push it under the commit's SHA tag, and record the digest the registry
# answered (the digest, not the tag, is what staging and production run).
#   build-push.sh <repository> <sha> [context]   e.g. build-push.sh ghcr.io/acme/shop 3f2a9c1 .
# Writes `image=<repo>:<tag>`, `tag=…` and `digest=sha256:…` to $GITHUB_OUTPUT when set, and to
# ./ponyexpress-image.env (a GitLab dotenv report) always.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: build-push.sh <repository> <sha> [context]  (e.g. ghcr.io/acme/shop \$GITHUB_SHA .)" >&2
  exit 2
fi
repository="$1"
tag="sha-${2:0:12}"
context="${3:-.}"
if [[ "$repository" == *:* && "${repository##*/}" == *:* ]]; then
  echo "build-push.sh: repository must not carry a tag (found \"$repository\"); the tag is sha-<commit>" >&2
  exit 2
fi
docker build --quiet --tag "$repository:$tag" "$context" >/dev/null
docker push --quiet "$repository:$tag" >/dev/null
# RepoDigests holds repo@sha256:… once pushed; the registry's answer, not a local image ID.
digest="$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$repository:$tag" |
  awk -F@ -v repo="$repository" '$1 == repo {print $2; exit}')"
if [[ ! "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "build-push.sh: the registry reported no digest for $repository:$tag" >&2
  exit 1
fi
{
  echo "image=$repository:$tag"
  echo "tag=$tag"
  echo "digest=$digest"
} | tee ponyexpress-image.env >>"${GITHUB_OUTPUT:-/dev/null}"
echo "pushed $repository:$tag@$digest"
