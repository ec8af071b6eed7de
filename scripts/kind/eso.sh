#!/usr/bin/env bash
# External Secrets Operator in the offline kind cluster (up.sh --offline --eso, or ESO=1), so the charts'
# `external-secrets` database provider binds through a real ExternalSecret:
#   - our slim ESO build (eso/build.sh: ESO's controllers, Kubernetes provider only) pushed to the kind registry;
#   - ESO's SecretStore and ExternalSecret CRDs from the module zip;
#   - the controller in namespace external-secrets, Pod Security restricted, watching only the app namespaces,
#     with a Role in each (no ClusterRole);
#   - per app namespace a SecretStore `$APP-db` (Kubernetes provider) reading the PostgreSQL stand-in's
#     `$APP-db-app` Secret as ServiceAccount `$APP-db-reader`, which may get that one Secret and nothing else.
# The ExternalSecret itself comes from the charts (lib.sh's synth switches the scratch copy's database block).
# Offline only: ESO is built here from the Go module proxy, beside the offline node image's kind and kubectl.
export OFFLINE=1
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
need docker kubectl
ESO_NS="${ESO_NS:-external-secrets}"
declare -A eso
while read -r key value; do eso[$key]="$value"; done < <(bash "$(dirname "$0")/eso/build.sh")
image="${eso[image]}"
# The registry mirrors ghcr.io for the app images; ponyexpress.local too, so the node pulls this image from it.
MIRRORED="ghcr.io ponyexpress.local" bash "$(dirname "$0")/registry.sh" "$image" >/dev/null

log "External Secrets Operator ${eso[version]} ($image)"
# GeneratorState too: ESO's ExternalSecret reconciler lists them on every sync, generators or not (without the
# CRD: `no matches for kind "GeneratorStateList" in version "generators.external-secrets.io/v1alpha1"`).
crds=(external-secrets.io_secretstores external-secrets.io_externalsecrets generators.external-secrets.io_generatorstates)
for crd in "${crds[@]}"; do
  "${KUBECTL[@]}" apply --server-side -f "${eso[crds]}/$crd.yaml"
done
"${KUBECTL[@]}" wait --for=condition=Established crd/secretstores.external-secrets.io crd/externalsecrets.external-secrets.io \
  crd/generatorstates.generators.external-secrets.io --timeout=2m

namespaces=("$STAGING_NS" "$PRODUCTION_NS")
{
  cat <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $ESO_NS
  labels: { pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: latest }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: external-secrets, namespace: $ESO_NS }
automountServiceAccountToken: true
YAML
  for ns in "${namespaces[@]}"; do
    cat <<YAML
---
# ESO in $ns: its two kinds, the Secrets it writes (and watches by metadata), Events, the reader's tokens.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: external-secrets-controller, namespace: $ns }
rules:
  - apiGroups: [external-secrets.io]
    resources: [secretstores, externalsecrets]
    verbs: [get, list, watch]
  - apiGroups: [external-secrets.io]
    resources: [secretstores/status, externalsecrets/status]
    verbs: [update, patch]
  # Listed on every sync; written only when a generator is used (none here).
  - apiGroups: [generators.external-secrets.io]
    resources: [generatorstates]
    verbs: [get, list, watch]
  # The Secret's ownerReference blocks the ExternalSecret's deletion, which needs this where the
  # OwnerReferencesPermissionEnforcement admission plugin is on.
  - apiGroups: [external-secrets.io]
    resources: [externalsecrets/finalizers]
    verbs: [update]
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list, watch, create, update, patch, delete]
  - apiGroups: [""]
    resources: [configmaps]
    resourceNames: [kube-root-ca.crt]
    verbs: [get]
  - apiGroups: [""]
    resources: [serviceaccounts/token]
    resourceNames: [$APP-db-reader]
    verbs: [create]
  - apiGroups: ["", events.k8s.io]
    resources: [events]
    verbs: [create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: external-secrets-controller, namespace: $ns }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: external-secrets-controller }
subjects: [{ kind: ServiceAccount, name: external-secrets, namespace: $ESO_NS }]
---
# The SecretStore's identity: it may read the PostgreSQL Secret and nothing else.
apiVersion: v1
kind: ServiceAccount
metadata: { name: $APP-db-reader, namespace: $ns }
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: $APP-db-reader, namespace: $ns }
rules: [{ apiGroups: [""], resources: [secrets], resourceNames: [$APP-db-app], verbs: [get] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: $APP-db-reader, namespace: $ns }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: $APP-db-reader }
subjects: [{ kind: ServiceAccount, name: $APP-db-reader, namespace: $ns }]
---
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: { name: $APP-db, namespace: $ns }
spec:
  provider:
    kubernetes:
      remoteNamespace: $ns
      server:
        url: https://kubernetes.default.svc
        caProvider: { type: ConfigMap, name: kube-root-ca.crt, key: ca.crt }
      auth:
        serviceAccount: { name: $APP-db-reader }
YAML
  done
  ns_list="$(IFS=,; echo "${namespaces[*]}")"
  cat <<YAML
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: external-secrets, namespace: $ESO_NS, labels: { app.kubernetes.io/name: external-secrets } }
spec:
  replicas: 1
  selector: { matchLabels: { app.kubernetes.io/name: external-secrets } }
  template:
    metadata: { labels: { app.kubernetes.io/name: external-secrets } }
    spec:
      serviceAccountName: external-secrets
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: controller
          image: $image
          imagePullPolicy: IfNotPresent
          args: ["--namespaces=$ns_list", --metrics-addr=:8080, --health-addr=:8081]
          ports: [{ name: metrics, containerPort: 8080 }, { name: health, containerPort: 8081 }]
          readinessProbe: { httpGet: { path: /readyz, port: health }, periodSeconds: 5, timeoutSeconds: 3 }
          livenessProbe: { httpGet: { path: /healthz, port: health }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 6 }
          resources: { requests: { cpu: 20m, memory: 64Mi }, limits: { memory: 256Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
YAML
} | "${KUBECTL[@]}" apply -f -

"${KUBECTL[@]}" -n "$ESO_NS" rollout status deployment/external-secrets --timeout=5m
for ns in "${namespaces[@]}"; do
  "${KUBECTL[@]}" -n "$ns" wait --for=condition=Ready "secretstore/$APP-db" --timeout=3m \
    || { "${KUBECTL[@]}" -n "$ns" describe "secretstore/$APP-db" >&2; exit 1; }
done
log "External Secrets Operator ready ($SECONDS s for this step)"
