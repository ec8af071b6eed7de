#!/usr/bin/env bash
# CI step (optional, for speed): tell the operator's webhook that a tag was pushed, so staging moves at once
# instead of at the next registry poll. Polling still works without it.
#   notify-webhook.sh <url> <repository> <tag> <digest>     secret in $PONYEXPRESS_WEBHOOK_SECRET
#   <url> is the operator's generic endpoint, e.g. https://ponyexpress.example.com/hooks/tag
# Body: {"repository","tag","digest"}; header X-Ponyexpress-Signature-256: sha256=<HMAC-SHA256 of the body>.
set -euo pipefail
if [[ $# -ne 4 ]]; then
  echo "usage: notify-webhook.sh <url> <repository> <tag> <digest>" >&2
  exit 2
fi
if [[ -z "${PONYEXPRESS_WEBHOOK_SECRET:-}" ]]; then
  echo "notify-webhook.sh: PONYEXPRESS_WEBHOOK_SECRET is empty; set it from your CI secrets" >&2
  exit 2
fi
body="$(printf '{"repository":"%s","tag":"%s","digest":"%s"}' "$2" "$3" "$4")"
signature="$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$PONYEXPRESS_WEBHOOK_SECRET" -r | cut -d' ' -f1)"
curl --fail-with-body --silent --show-error --max-time 10 \
  -H 'Content-Type: application/json' -H "X-Ponyexpress-Signature-256: sha256=$signature" \
  --data "$body" "$1"
echo
