import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { AppContext } from './app-context.js';
import { appDeployment, disruptionAndScaling, surgeOnlyStrategy } from './app-deployment.js';
import { appContainer } from './app-pod.js';
import type { AutoscalingProps } from './autoscaler.js';
import { metadataFor, selectorFor } from './labels.js';
import type { ResourceSpec } from './security.js';
import type { EnvMap } from './config/app-env-schema.js';
import type { WebProbesConfig } from './config/probe-schema.js';
import { webProbes } from './probes.js';

export const WEB_PORT = 8000;

export interface WebIngressProps {
  /** Unset: the cluster's default IngressClass. */
  readonly className?: string;
  /** Unset: plain HTTP. */
  readonly tlsSecretName?: string;
  readonly annotations: Record<string, string>;
}

export type WebServer = 'gunicorn' | 'gunicorn-uvicorn' | 'uvicorn';

export interface WebServerProps {
  /** gunicorn (WSGI), gunicorn with uvicorn workers (ASGI), or uvicorn alone (ASGI). @default gunicorn */
  readonly server?: WebServer;
  /** The WSGI/ASGI callable. @default `<module>.wsgi:application` for gunicorn, `<module>.asgi:application` otherwise */
  readonly application?: string;
  /** `--workers`. */
  readonly workers: number;
  /** gunicorn `--timeout` (uvicorn has no such option). */
  readonly timeoutSeconds: number;
  /** gunicorn `--graceful-timeout`, uvicorn `--timeout-graceful-shutdown`. */
  readonly gracefulTimeoutSeconds: number;
}

/** The server command for `web.server`, listening on every address at WEB_PORT, logging to stdout/stderr. */
export function webCommand(module: string, props: WebServerProps): string[] {
  const server = props.server ?? 'gunicorn';
  const application = props.application ?? `${module}.${server === 'gunicorn' ? 'wsgi' : 'asgi'}:application`;
  if (server === 'uvicorn') {
    return [
      'uvicorn',
      application,
      '--host',
      '0.0.0.0',
      '--port',
      String(WEB_PORT),
      '--workers',
      String(props.workers),
      '--timeout-graceful-shutdown',
      String(props.gracefulTimeoutSeconds),
    ];
  }
  return [
    'gunicorn',
    application,
    '--bind',
    `0.0.0.0:${WEB_PORT}`,
    '--workers',
    String(props.workers),
    ...(server === 'gunicorn-uvicorn' ? ['--worker-class', 'uvicorn.workers.UvicornWorker'] : []),
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
}

export interface WebProps extends WebServerProps {
  readonly context: AppContext;
  readonly resources: ResourceSpec;
  /** Left out of the Deployment while an HPA owns it. */
  readonly replicas: number;
  /** preStop sleep that lets endpoints and load balancers drop the pod before SIGTERM. */
  readonly preStopSleepSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** Paths, ports and timings of the startup, liveness and readiness probes. */
  readonly probes: WebProbesConfig;
  /** Replaces the server command entirely. @default webCommand(...) */
  readonly command?: string[];
  /** Appended to the command, e.g. extra server flags. @default none */
  readonly args?: string[];
  /** web's own variables. @default {} */
  readonly env?: EnvMap;
  /** Unset: no HPA. */
  readonly autoscaling?: AutoscalingProps;
  /** Unset: no Ingress. */
  readonly ingress?: WebIngressProps;
}

/** A WSGI or ASGI server behind a Service, with a PDB, optional HPA and Ingress. */
export class Web extends Construct {
  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const ctx = props.context;
    const name = `${ctx.app}-web`;
    const web = appContainer(ctx, {
      name: 'web',
      command: props.command ?? webCommand(ctx.module, props),
      args: props.args,
      env: props.env,
      resources: props.resources,
      ports: [{ name: 'http', containerPort: WEB_PORT, protocol: 'TCP' }],
      ...webProbes(ctx.domain, props.probes),
      lifecycle: { preStop: { exec: { command: ['sleep', String(props.preStopSleepSeconds)] } } },
    });
    appDeployment(this, ctx, {
      component: 'web',
      container: web,
      env: props.env,
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
