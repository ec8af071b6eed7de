#!/usr/bin/env bash
# Releases one tag to staging and returns at once (what CI + GitOps would do), production's manifests left as
# they are: `bash scripts/kind/stage.sh 1.5.0`. The kind test uses it for good and deliberately bad images;
# 06-promote.sh does the same and then waits for the promotion.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kubectl
tag="${1:?usage: stage.sh <tag>}"
log "releasing $tag to staging"
synth "$tag" "$FIRST_TAG"
apply_env staging
