import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { AppContext } from './app-context.js';
import { appDeployment, disruptionAndScaling, surgeOnlyStrategy } from './app-deployment.js';
import { appContainer } from './app-pod.js';
import type { AutoscalingProps } from './autoscaler.js';
import { metadataFor, selectorFor } from './labels.js';
import type { ResourceSpec } from './security.js';

export const WEB_PORT = 8000;

export interface WebIngressProps {
  /** Unset: the cluster's default IngressClass. */
  readonly className?: string;
  /** Unset: plain HTTP. */
  readonly tlsSecretName?: string;
  readonly annotations: Record<string, string>;
}

export interface WebProps {
  readonly context: AppContext;
  readonly resources: ResourceSpec;
  /** Left out of the Deployment while an HPA owns it. */
  readonly replicas: number;
  /** gunicorn `--workers`. */
  readonly workers: number;
  /** gunicorn `--timeout`. */
  readonly timeoutSeconds: number;
  /** gunicorn `--graceful-timeout`. */
  readonly gracefulTimeoutSeconds: number;
  /** preStop sleep that lets endpoints and load balancers drop the pod before SIGTERM. */
  readonly preStopSleepSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** Unset: no HPA. */
  readonly autoscaling?: AutoscalingProps;
  /** Unset: no Ingress. */
  readonly ingress?: WebIngressProps;
}

/** gunicorn behind a Service, with a PDB, optional HPA and Ingress. */
export class Web extends Construct {
  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const ctx = props.context;
    const name = `${ctx.app}-web`;
    const command = [
      'gunicorn',
      `${ctx.module}.wsgi:application`,
      '--bind',
      `0.0.0.0:${WEB_PORT}`,
      '--workers',
      String(props.workers),
      '--worker-tmp-dir',
      '/tmp',
      '--access-logfile',
      '-',
      '--error-logfile',
      '-',
      '--graceful-timeout',
      String(props.gracefulTimeoutSeconds),
      '--timeout',
      String(props.timeoutSeconds),
    ];
    // Django's ALLOWED_HOSTS rejects the pod IP the kubelet would send, so probes carry the domain.
    const httpGet = (path: string): k8s.HttpGetAction => ({
      path,
      port: k8s.IntOrString.fromString('http'),
      scheme: 'HTTP',
      httpHeaders: [{ name: 'Host', value: ctx.domain }],
    });
    const web = appContainer(ctx, {
      name: 'web',
      command,
      resources: props.resources,
      ports: [{ name: 'http', containerPort: WEB_PORT, protocol: 'TCP' }],
      // Up to 5 minutes to boot; liveness only starts counting afterwards.
      startupProbe: { httpGet: httpGet('/healthz'), periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 },
      // Never touches the database: a slow DB must not restart healthy web pods.
      livenessProbe: { httpGet: httpGet('/healthz'), periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
      // The app bounds its own DB check below 5 s; three misses (about 30 s) before leaving the endpoints avoids flapping.
      readinessProbe: {
        httpGet: httpGet('/readiness'),
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 3,
        successThreshold: 1,
      },
      lifecycle: { preStop: { exec: { command: ['sleep', String(props.preStopSleepSeconds)] } } },
    });
    appDeployment(this, ctx, {
      component: 'web',
      container: web,
      resources: props.resources,
      replicas: props.autoscaling ? undefined : props.replicas,
      strategy: surgeOnlyStrategy(k8s.IntOrString.fromString('25%')),
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      spread: true,
    });
    new k8s.KubeService(this, 'service', {
      metadata: metadataFor(ctx, name, 'web'),
      spec: {
        type: 'ClusterIP',
        selector: selectorFor(ctx, 'web'),
        ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
    disruptionAndScaling(this, ctx, 'web', props.autoscaling);
    if (props.ingress) this.addIngress(ctx, name, props.ingress);
  }

  private addIngress(ctx: AppContext, name: string, ingress: WebIngressProps) {
    new k8s.KubeIngress(this, 'ingress', {
      metadata: metadataFor(ctx, name, 'web', ingress.annotations),
      spec: {
        ...(ingress.className ? { ingressClassName: ingress.className } : {}),
        ...(ingress.tlsSecretName ? { tls: [{ hosts: [ctx.domain], secretName: ingress.tlsSecretName }] } : {}),
        rules: [
          {
            host: ctx.domain,
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { name: 'http' } } } }],
            },
          },
        ],
      },
    });
  }
}
