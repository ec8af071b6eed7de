#!/usr/bin/env bash
# CloudNativePG from its release manifest, and a one-instance Cluster per environment.
# CloudNativePG then writes the `<cluster>-app` Secret the charts read.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need kubectl
if [[ "$OFFLINE" == 1 ]]; then
  # CloudNativePG's manifests and images cannot be fetched offline: a one-instance StatefulSet from
  # Debian's postgresql stands in for it, with the Secret CNPG would write (`<cluster>-app`, same keys)
  # and its `<cluster>-rw` Service, so the charts' cloudnative-pg binding is used unchanged.
  image="$(bash "$(dirname "$0")/offline-services.sh" | sed -n 's/^postgresql //p')"
  for ns in "$STAGING_NS" "$PRODUCTION_NS"; do
    log "PostgreSQL (Debian, standing in for CloudNativePG) $APP-db in $ns"
    "${KUBECTL[@]}" create namespace "$ns" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
    if ! "${KUBECTL[@]}" -n "$ns" get secret "$APP-db-app" >/dev/null 2>&1; then
      password="$(openssl rand -hex 16)" host="$APP-db-rw.$ns.svc"
      "${KUBECTL[@]}" -n "$ns" create secret generic "$APP-db-app" \
        --from-literal=username=app --from-literal=user=app --from-literal=password="$password" \
        --from-literal=dbname=app --from-literal=host="$host" --from-literal=port=5432 \
        --from-literal=uri="postgresql://app:$password@$host:5432/app" \
        --from-literal=jdbc-uri="jdbc:postgresql://$host:5432/app?password=$password&user=app" \
        --from-literal=pgpass="$host:5432:app:app:$password"
      "${KUBECTL[@]}" -n "$ns" annotate secret "$APP-db-app" \
        ponyexpress.dev/stands-in-for="CloudNativePG Cluster $APP-db (offline kind: Debian postgresql StatefulSet)"
    fi
    "${KUBECTL[@]}" apply -f - <<YAML
apiVersion: v1
kind: Service
metadata: { name: $APP-db-rw, namespace: $ns, annotations: { ponyexpress.dev/stands-in-for: CloudNativePG } }
spec:
  selector: { app.kubernetes.io/name: $APP-db }
  ports: [{ name: postgres, port: 5432, targetPort: 5432 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: $APP-db, namespace: $ns, annotations: { ponyexpress.dev/stands-in-for: CloudNativePG } }
spec:
  serviceName: $APP-db-rw
  replicas: 1
  selector: { matchLabels: { app.kubernetes.io/name: $APP-db } }
  template:
    metadata: { labels: { app.kubernetes.io/name: $APP-db, cnpg.io/cluster: $APP-db } }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: postgres
          image: $image
          imagePullPolicy: IfNotPresent
          env:
            - { name: PGDATA, value: /var/lib/postgresql/data/pgdata }
            - { name: POSTGRES_PASSWORD, valueFrom: { secretKeyRef: { name: $APP-db-app, key: password } } }
            - { name: APP_USER, valueFrom: { secretKeyRef: { name: $APP-db-app, key: username } } }
            - { name: APP_PASSWORD, valueFrom: { secretKeyRef: { name: $APP-db-app, key: password } } }
            - { name: APP_DATABASE, valueFrom: { secretKeyRef: { name: $APP-db-app, key: dbname } } }
          ports: [{ containerPort: 5432 }]
          # exec, no shell left behind: postgres is PID 1, and a probe child orphaned by a timed-out shell would be
          # reaped by the postmaster as an unknown "server process exited with exit code 2", which makes it
          # reset every connection and run crash recovery (seen here under load).
          readinessProbe: { exec: { command: [sh, -c, "exec /usr/lib/postgresql/*/bin/pg_isready -h 127.0.0.1 -p 5432"] }, periodSeconds: 5, timeoutSeconds: 5 }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
          volumeMounts: [{ name: data, mountPath: /var/lib/postgresql/data }, { name: tmp, mountPath: /tmp }, { name: run, mountPath: /var/run/postgresql }]
      volumes: [{ name: tmp, emptyDir: {} }, { name: run, emptyDir: {} }]
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
YAML
  done
  for ns in "$STAGING_NS" "$PRODUCTION_NS"; do
    "${KUBECTL[@]}" -n "$ns" rollout status "statefulset/$APP-db" --timeout=10m
  done
  exit 0
fi
minor="${CNPG_VERSION%.*}"
log "installing CloudNativePG $CNPG_VERSION"
"${KUBECTL[@]}" apply --server-side -f \
  "https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/release-$minor/releases/cnpg-$CNPG_VERSION.yaml"
"${KUBECTL[@]}" -n cnpg-system rollout status deployment/cnpg-controller-manager --timeout=5m

for ns in "$STAGING_NS" "$PRODUCTION_NS"; do
  log "PostgreSQL cluster $APP-db in $ns"
  "${KUBECTL[@]}" create namespace "$ns" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
  "${KUBECTL[@]}" apply -f - <<YAML
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: $APP-db
  namespace: $ns
spec:
  instances: 1
  storage:
    size: 1Gi
  bootstrap:
    initdb:
      database: app
      owner: app
YAML
done
for ns in "$STAGING_NS" "$PRODUCTION_NS"; do
  "${KUBECTL[@]}" -n "$ns" wait --for=condition=Ready "cluster/$APP-db" --timeout=10m
done
