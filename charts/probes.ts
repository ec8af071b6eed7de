// The kubelet's view of each component: web's HTTP probes, the worker's and beat's exec probes.
import { k8s } from 'cdk8s-plus-27';
import type { BeatLiveness, WebProbesConfig, WorkerLiveness } from './config/probe-schema.js';
import { APP_ENV } from '../contract/index.js';

/** Where the worker's heartbeat and beat's tick file live: the /tmp emptyDir, the only writable path. */
export const HEARTBEAT_FILE = '/tmp/celery-worker-heartbeat';
export const BEAT_TICK_FILE = '/tmp/celery-beat-ticks';

/**
 * Headers every web probe sends. `Host`: Django's ALLOWED_HOSTS rejects the pod IP the kubelet would send.
 * `X-Forwarded-Proto: https`: with `SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")` Django
 * takes the probe for HTTPS, so `SECURE_SSL_REDIRECT` cannot answer 301, which the kubelet would count as a
 * pass (a redirect to another host is a success for it). The helper's middleware answers before either.
 */
export function probeHeaders(domain: string): k8s.HttpHeader[] {
  return [
    { name: 'Host', value: domain },
    { name: 'X-Forwarded-Proto', value: 'https' },
  ];
}

export interface WebProbeSet {
  readonly startupProbe: k8s.Probe;
  readonly livenessProbe: k8s.Probe;
  readonly readinessProbe: k8s.Probe;
}

/** web.probes as Kubernetes probes; the startup probe checks the liveness path unless told otherwise. */
export function webProbes(domain: string, probes: WebProbesConfig): WebProbeSet {
  const http = (p: WebProbesConfig['startup'], fallbackPath: string): k8s.Probe => ({
    httpGet: {
      path: p.path ?? fallbackPath,
      port: p.port === undefined ? k8s.IntOrString.fromString('http') : k8s.IntOrString.fromNumber(p.port),
      scheme: 'HTTP',
      httpHeaders: probeHeaders(domain),
    },
    ...(p.initialDelaySeconds ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  });
  const liveness = probes.liveness.path!;
  return {
    startupProbe: http(probes.startup, liveness),
    livenessProbe: http(probes.liveness, liveness),
    readinessProbe: { ...http(probes.readiness, probes.readiness.path!), successThreshold: 1 },
  };
}

/**
 * Exec probe: fails when the heartbeat file the worker touches (app contract) is missing or older than `maxAge`.
 * Inline stdlib Python, so it works with a hand-written heartbeat step too (docs/bring-your-own-app.md).
 */
export function heartbeatCheck(maxAgeSeconds: number): string[] {
  return [
    'python',
    '-c',
    `import os, sys, time; p = os.environ["${APP_ENV.workerHeartbeatFile}"]; ` +
      `sys.exit(0 if os.path.exists(p) and time.time() - os.path.getmtime(p) < ${maxAgeSeconds} else 1)`,
  ];
}

/** Seconds `celery inspect ping` waits for the reply; the probe's timeout leaves room for Python's start. */
export const INSPECT_PING_TIMEOUT_SECONDS = 10;

/**
 * `celery inspect ping` to this pod's own worker only (its default node name is celery@<pod hostname>), so
 * one stuck worker never passes on another's reply. A shell expands $HOSTNAME: exec probes are not expanded.
 */
export function inspectPingCheck(celeryApp: string): string[] {
  return [
    'sh',
    '-c',
    `exec celery --app ${celeryApp} inspect ping --destination "celery@$HOSTNAME" --timeout ${INSPECT_PING_TIMEOUT_SECONDS}`,
  ];
}

export interface ExecProbePair {
  readonly startupProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
}

/** The worker's startup and liveness probes for the chosen method; none for `none`. */
export function workerProbes(method: WorkerLiveness, celeryApp: string, heartbeatMaxAgeSeconds: number): ExecProbePair {
  switch (method) {
    case 'none':
      return {};
    case 'heartbeat': {
      const command = heartbeatCheck(heartbeatMaxAgeSeconds);
      // The file appears once the consumer runs; allow 5 minutes for that.
      return {
        startupProbe: { exec: { command }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 },
        livenessProbe: { exec: { command }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
      };
    }
    case 'inspect-ping': {
      // Each run starts Celery and makes a broker round trip: a long period, and a timeout above the ping's.
      const command = inspectPingCheck(celeryApp);
      const timeoutSeconds = INSPECT_PING_TIMEOUT_SECONDS + 10;
      return {
        startupProbe: { exec: { command }, periodSeconds: 20, timeoutSeconds, failureThreshold: 15 },
        livenessProbe: { exec: { command }, periodSeconds: 60, timeoutSeconds, failureThreshold: 3 },
      };
    }
  }
}

/** `python -m ponyexpress_django.check beat`: fails when beat is `maxAge` late for the tick it announced. */
export function beatTickCheck(maxAgeSeconds: number): string[] {
  return ['python', '-m', 'ponyexpress_django.check', 'beat', '--max-age', String(maxAgeSeconds)];
}

/** Beat's probes: the tick file appears after the first tick, so startup allows 5 minutes. */
export function beatProbes(method: BeatLiveness, tickMaxAgeSeconds: number): ExecProbePair {
  if (method === 'none') return {};
  const command = beatTickCheck(tickMaxAgeSeconds);
  return {
    startupProbe: { exec: { command }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 },
    livenessProbe: { exec: { command }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
  };
}
