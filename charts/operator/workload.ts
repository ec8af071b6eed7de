// The operator's pods: ServiceAccount, Deployment, PodDisruptionBudget and the metrics Service.
import { Construct } from 'constructs';
import { OPERATOR_COMMAND, OPERATOR_ENV, OPERATOR_PROCESS_ENV } from '../../contract/index.js';
import { k8s } from 'cdk8s-plus-27';
import {
  resourceRequirements,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  tmpVolume,
} from '../security.js';
import {
  METRICS_PORT,
  WEBHOOK_PORT,
  WEBHOOK_SECRET_DIR,
  WEBHOOK_TLS_DIR,
  OPERATOR_NAME,
  operatorImageRef,
  operatorLabels,
  operatorSelector,
  type OperatorChartProps,
} from './props.js';

/** Numeric, so runAsNonRoot is checkable without /etc/passwd; matches USER in operator/Dockerfile. */
export const OPERATOR_UID = 65532;
/** The operator writes almost nothing; /tmp is there for Node's and client libraries' temp files. */
const tmp = tmpVolume('16Mi');

export interface OperatorWorkloadProps extends OperatorChartProps {
  readonly leaseName: string;
}

export class OperatorWorkload extends Construct {
  readonly serviceAccountName = OPERATOR_NAME;

  constructor(scope: Construct, id: string, props: OperatorWorkloadProps) {
    super(scope, id);
    const { settings } = props;
    const metadata = { name: OPERATOR_NAME, namespace: settings.namespace, labels: operatorLabels() };

    // The ServiceAccount itself mounts no token: only the operator's own pod template opts in below,
    // so nothing else that happens to use this account gets API credentials.
    new k8s.KubeServiceAccount(this, 'service-account', { metadata, automountServiceAccountToken: false });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas: settings.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: operatorSelector() },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
        },
        template: {
          metadata: { labels: operatorLabels() },
          spec: podSpec(props, this.serviceAccountName),
        },
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata,
      spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: operatorSelector() } },
    });

    if (props.settings.webhook.enabled) {
      new k8s.KubeService(this, 'webhook', {
        metadata: { ...metadata, name: `${OPERATOR_NAME}-webhook` },
        spec: {
          selector: operatorSelector(),
          ports: [
            {
              name: 'webhook',
              port: WEBHOOK_PORT,
              targetPort: k8s.IntOrString.fromString('webhook'),
              // Tells Ingress controllers and meshes to speak TLS to the pod.
              ...(props.settings.webhook.tls ? { appProtocol: 'https' } : {}),
            },
          ],
        },
      });
    }

    new k8s.KubeService(this, 'metrics', {
      metadata: { ...metadata, name: `${OPERATOR_NAME}-metrics` },
      spec: {
        selector: operatorSelector(),
        ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics') }],
      },
    });
  }
}

/** The operator's probes: every 10 s, 2 s to answer; the kubelet restarts it after 3 liveness misses in a row. */
export const OPERATOR_PROBE = { periodSeconds: 10, timeoutSeconds: 2, livenessFailureThreshold: 3 } as const;

function podSpec(props: OperatorWorkloadProps, serviceAccountName: string): k8s.PodSpec {
  const watched = [...new Set(props.pipelines.map((p) => p.productionNamespace))].sort();
  const following = [...new Set(props.pipelines.filter((p) => p.follow).map((p) => p.stagingNamespace))].sort();
  const webhook = props.settings.webhook;
  const fieldRef = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  const probe = (path: string, failureThreshold: number): k8s.Probe => ({
    httpGet: { path, port: k8s.IntOrString.fromString('metrics') },
    periodSeconds: OPERATOR_PROBE.periodSeconds,
    timeoutSeconds: OPERATOR_PROBE.timeoutSeconds,
    failureThreshold,
  });
  return {
    serviceAccountName,
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: 30,
    securityContext: restrictedPodSecurityContext(OPERATOR_UID),
    // Spread the two replicas so a node loss does not take out the leader and its standby together.
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: operatorSelector() },
      },
    ],
    containers: [
      {
        name: 'operator',
        image: operatorImageRef(props.settings.image),
        imagePullPolicy: 'IfNotPresent',
        // The image's entry point with the V8 flags Node refuses in NODE_OPTIONS.
        command: [...OPERATOR_COMMAND],
        env: [
          { name: OPERATOR_ENV.identity, ...fieldRef('metadata.name') },
          { name: OPERATOR_ENV.namespace, ...fieldRef('metadata.namespace') },
          // Only the namespaces RBAC grants: watching more would fail with 403.
          { name: OPERATOR_ENV.watchNamespaces, value: watched.join(',') },
          ...(props.settings.watchScope === 'cluster' ? [{ name: OPERATOR_ENV.watchScope, value: 'cluster' }] : []),
          { name: OPERATOR_ENV.leaderElection, value: 'true' },
          { name: OPERATOR_ENV.leaseName, value: props.leaseName },
          { name: OPERATOR_ENV.metricsPort, value: String(METRICS_PORT) },
          ...(following.length ? [{ name: OPERATOR_ENV.followNamespaces, value: following.join(',') }] : []),
          ...(webhook.enabled
            ? [
                { name: OPERATOR_ENV.webhookPort, value: String(WEBHOOK_PORT) },
                { name: OPERATOR_ENV.webhookSecretFile, value: `${WEBHOOK_SECRET_DIR}/secret` },
              ]
            : []),
          ...(webhook.enabled && webhook.tls
            ? [
                { name: OPERATOR_ENV.webhookTlsCertFile, value: `${WEBHOOK_TLS_DIR}/tls.crt` },
                { name: OPERATOR_ENV.webhookTlsKeyFile, value: `${WEBHOOK_TLS_DIR}/tls.key` },
              ]
            : []),
          ...Object.entries(OPERATOR_PROCESS_ENV).map(([name, value]) => ({ name, value })),
        ],
        ports: [
          { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
          ...(webhook.enabled ? [{ name: 'webhook', containerPort: WEBHOOK_PORT, protocol: 'TCP' }] : []),
        ],
        livenessProbe: probe('/healthz', OPERATOR_PROBE.livenessFailureThreshold),
        readinessProbe: probe('/readyz', 1),
        resources: resourceRequirements(props.settings.resources, tmp.storage),
        securityContext: restrictedContainerSecurityContext(OPERATOR_UID),
        volumeMounts: [
          tmp.mount,
          ...(webhook.enabled ? [{ name: 'webhook-secret', mountPath: WEBHOOK_SECRET_DIR, readOnly: true }] : []),
          ...(webhook.enabled && webhook.tls
            ? [{ name: 'webhook-tls', mountPath: WEBHOOK_TLS_DIR, readOnly: true }]
            : []),
        ],
      },
    ],
    volumes: [
      tmp.volume,
      // The Secret is referenced, never written; only its `secret` key is projected.
      ...(webhook.enabled
        ? [
            {
              name: 'webhook-secret',
              secret: { secretName: webhook.secretName!, items: [{ key: 'secret', path: 'secret' }] },
            },
          ]
        : []),
      ...(webhook.enabled && webhook.tls
        ? [
            {
              name: 'webhook-tls',
              secret: {
                secretName: webhook.tls.secretName,
                items: ['tls.crt', 'tls.key'].map((key) => ({ key, path: key })),
              },
            },
          ]
        : []),
    ],
  };
}
