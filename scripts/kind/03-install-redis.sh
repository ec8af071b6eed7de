#!/usr/bin/env bash
# A password-protected Redis per environment, plus the two Secrets the charts
# reference but never write: the broker URL and Django's secret key.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kubectl openssl
# Offline: Debian's redis-server (uid 999) instead of the redis:7.4-alpine image.
redis_image=redis:7.4-alpine
if [[ "$OFFLINE" == 1 ]]; then redis_image="$(bash "$(dirname "$0")/offline-services.sh" | sed -n 's/^redis //p')"; fi
for ns in "$STAGING_NS" "$PRODUCTION_NS"; do
  log "Redis and app Secrets in $ns"
  "${KUBECTL[@]}" create namespace "$ns" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
  if ! "${KUBECTL[@]}" -n "$ns" get secret "$APP-redis" >/dev/null 2>&1; then
    password="$(openssl rand -hex 24)"
    "${KUBECTL[@]}" -n "$ns" create secret generic redis-auth --from-literal=password="$password"
    "${KUBECTL[@]}" -n "$ns" create secret generic "$APP-redis" --from-literal=url="redis://:$password@redis.$ns.svc:6379/0"
    "${KUBECTL[@]}" -n "$ns" create secret generic "$APP-django" --from-literal=secret-key="$(openssl rand -hex 32)"
  fi
  # Pod Security "restricted": the official image's redis user is uid 999.
  "${KUBECTL[@]}" apply -f - <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: { name: redis, namespace: $ns, labels: { app.kubernetes.io/name: redis } }
spec:
  replicas: 1
  selector: { matchLabels: { app.kubernetes.io/name: redis } }
  template:
    metadata: { labels: { app.kubernetes.io/name: redis } }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: redis
          image: $redis_image
          args: ["--requirepass", "\$(REDIS_PASSWORD)", "--save", "", "--appendonly", "no"]
          env:
            - name: REDIS_PASSWORD
              valueFrom: { secretKeyRef: { name: redis-auth, key: password } }
          ports: [{ name: redis, containerPort: 6379 }]
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
          volumeMounts: [{ name: data, mountPath: /data }]
      volumes: [{ name: data, emptyDir: {} }]
---
apiVersion: v1
kind: Service
metadata: { name: redis, namespace: $ns }
spec:
  selector: { app.kubernetes.io/name: redis }
  ports: [{ name: redis, port: 6379, targetPort: redis }]
YAML
  "${KUBECTL[@]}" -n "$ns" rollout status deployment/redis --timeout=5m
done
