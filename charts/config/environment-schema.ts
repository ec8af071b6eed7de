import { z } from 'zod';
import {
  autoscaling,
  dnsLabel,
  dnsSubdomain,
  egress,
  networkPeer,
  imageDigest,
  imageRepository,
  imageTag,
  integer,
  memoryBytes,
  replicaCount,
  resources,
  seconds,
  secretKeyRef,
} from './common-schema.js';
import { promotionConfigSchema } from './promotion-schema.js';
import { followConfigSchema } from './follow-schema.js';
import { databaseSchema } from './database-schema.js';
import { envMap, envVarName } from './app-env-schema.js';
import { envProblems } from './env-problems.js';
import { beatLiveness, webProbes, workerLiveness } from './probe-schema.js';

const pythonModule = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'a Python module path');
const CELERY_APP = 'a Celery app path: a module, optionally with ":<attribute>", e.g. "config.celery_app"';
const celeryApp = z
  .string(CELERY_APP)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(:[A-Za-z_][A-Za-z0-9_.]*)?$/, CELERY_APP);
const ARGV = 'a list of non-empty strings, e.g. ["gunicorn", "config.asgi:application"]';
const argv = z.array(z.string(ARGV).min(1, ARGV), ARGV);

/** Per-component command overrides and extra variables. */
const processFields = {
  /** Replaces the charts' whole command (the image's ENTRYPOINT too). @default the charts' command for the component */
  command: argv.min(1, ARGV).optional(),
  /** Appended to the command (Kubernetes `args`), e.g. extra flags. @default none */
  args: argv.optional(),
  /** Variables for this component only; they win over the environment-wide `env`. @default {} */
  env: envMap,
};

const image = z.strictObject({
  repository: imageRepository,
  /** Never `latest`. At least one of tag and digest. */
  tag: imageTag.optional(),
  /** `sha256:<64 hex>`; wins over the tag for what runs. */
  digest: imageDigest.optional(),
});

const INGRESS_FROM =
  "the ingress controller's pods as NetworkPolicy peers, e.g. [{namespaceSelector: " +
  '{kubernetes.io/metadata.name: ingress-nginx}, podSelector: {app.kubernetes.io/name: ingress-nginx}}]';

const web = z.strictObject({
  /** Ignored while autoscaling is enabled (the HPA owns replicas). @default 2 */
  replicas: replicaCount.default(2),
  /** gunicorn (WSGI), gunicorn with uvicorn workers (ASGI), or uvicorn alone (ASGI). @default gunicorn */
  server: z.enum(['gunicorn', 'gunicorn-uvicorn', 'uvicorn']).default('gunicorn'),
  /** The WSGI/ASGI callable. @default <django.module>.wsgi:application (gunicorn), <django.module>.asgi:application (the others) */
  application: celeryApp.optional(),
  /** gunicorn/uvicorn `--workers`. @default 2 */
  workers: integer(1, 64).default(2),
  /** gunicorn `--timeout` (uvicorn has none). @default 30 */
  timeoutSeconds: seconds.default(30),
  /** gunicorn `--graceful-timeout`, uvicorn `--timeout-graceful-shutdown`. @default 25 */
  gracefulTimeoutSeconds: seconds.default(25),
  probes: webProbes,
  ...processFields,
  /** Sleep before SIGTERM so endpoints and load balancers stop sending traffic. @default 5 */
  preStopSleepSeconds: integer(0, 120).default(5),
  /** Must cover preStop + graceful timeout. @default 45 */
  terminationGracePeriodSeconds: seconds.default(45),
  resources,
  autoscaling: autoscaling.optional(),
  /** @default no Ingress */
  ingress: z
    .strictObject({
      className: z.string().optional(),
      /** TLS Secret for the domain, e.g. from cert-manager. @default plain HTTP */
      tlsSecretName: dnsSubdomain.optional(),
      annotations: z.record(z.string(), z.string()).default({}),
      /** The ingress controller's pods: the web NetworkPolicy admits only these (and the operator's smoke check). */
      from: z.array(networkPeer, INGRESS_FROM).min(1, INGRESS_FROM),
    })
    .optional(),
});

const worker = z.strictObject({
  /** Ignored while autoscaling is enabled. @default 2 */
  replicas: replicaCount.default(2),
  /** celery `--concurrency`. @default 2 */
  concurrency: integer(1, 256).default(2),
  /** Warm shutdown budget for running tasks. @default 120 */
  terminationGracePeriodSeconds: seconds.default(120),
  /** heartbeat (needs the app's heartbeat step), inspect-ping (no app code, costlier) or none. @default heartbeat */
  liveness: workerLiveness.default('heartbeat'),
  /** Liveness fails when the heartbeat file is older than this. @default 60 */
  heartbeatMaxAgeSeconds: integer(10, 3600).default(60),
  resources,
  autoscaling: autoscaling.optional(),
  ...processFields,
});

/** Beat is always exactly one pod; `replicas` is accepted only as 1, to say so loudly. */
const beat = z.strictObject({
  /** @default 1 (the only allowed value) */
  replicas: z.number().optional(),
  /** @default 60 */
  terminationGracePeriodSeconds: seconds.default(60),
  /** tick (`python -m ponyexpress_django.check beat`, needs the helper's beat hook) or none. @default tick */
  liveness: beatLiveness.default('tick'),
  /** Liveness fails when beat is this much later than the next tick it announced. @default 60 */
  tickMaxAgeSeconds: integer(10, 3600).default(60),
  resources,
  ...processFields,
});

const migrations = z.strictObject({
  /** @default 900 */
  activeDeadlineSeconds: integer(60, 86_400).default(900),
  /** At most 2: a failing migration should stop the release, not hammer the database. @default 1 */
  backoffLimit: integer(0, 2).default(1),
  /** Long enough for the operator to read staging's result; `null` keeps finished Jobs. @default 604800 (7 days) */
  ttlSecondsAfterFinished: integer(3600, 31_536_000).nullable().default(604_800),
  resources,
  /** Variables for the migration Job only (they are part of its spec, so changing them makes a new Job). @default {} */
  env: envMap,
});

const argocd = z.strictObject({
  enabled: z.boolean(),
  repoURL: z.string().min(1, 'a Git repository URL').optional(),
  /** @default HEAD */
  targetRevision: z.string().default('HEAD'),
  /** @default dist/<environment> */
  path: z.string().optional(),
  /** @default default */
  project: z.string().default('default'),
  /** Namespace Argo CD runs in. @default argocd */
  namespace: dnsLabel.default('argocd'),
  /** Automated sync with prune and self-heal. @default true */
  automated: z.boolean().default(true),
});

export const environmentSchema = z.strictObject({
  /** App name: prefixes every object and fills `app.kubernetes.io/name`. */
  app: dnsLabel,
  namespace: dnsLabel,
  /** Public host name; always in DJANGO_ALLOWED_HOSTS and sent as the probes' Host header. */
  domain: dnsSubdomain,
  image,
  django: z
    .strictObject({
      /** Project package: `<module>.wsgi`, `<module>.settings`, `celery --app <module>`. */
      module: pythonModule,
      /** @default <module>.settings */
      settingsModule: pythonModule.optional(),
      /** Extra hosts besides the domain. @default [] */
      allowedHosts: z.array(z.string().min(1)).default([]),
      secretKey: secretKeyRef,
    })
    .transform((d) => ({ ...d, settingsModule: d.settingsModule ?? `${d.module}.settings` })),
  /** Non-secret settings, delivered through the ConfigMap. @default {} */
  settings: z.record(envVarName, z.string()).default({}),
  /** Variables for every app container (literal, secretKeyRef or configMapKeyRef), before each component's own. @default {} */
  env: envMap,
  celery: z
    .strictObject({
      /** `celery --app` for worker and beat, e.g. `config.celery_app`. @default django.module */
      app: celeryApp.optional(),
    })
    .prefault({}),
  broker: z.strictObject({
    /** Secret key holding the Redis URL (CELERY_BROKER_URL). */
    url: secretKeyRef,
    /** More names for the same Secret key, e.g. [REDIS_URL, CELERY_RESULT_BACKEND]. @default [] */
    aliases: z.array(envVarName).default([]),
    /** @default any destination on port 6379 */
    egress: egress.default({ port: 6379, to: [] }),
  }),
  database: databaseSchema,
  web,
  worker,
  beat,
  migrations,
  /** Makes this environment the target of a pipeline: the operator promotes `from`'s verified image here. @default none */
  promotion: promotionConfigSchema.optional(),
  /** This environment follows its image registry (the operator moves it to the newest allowed tag). @default off */
  follow: followConfigSchema,
  features: z
    .strictObject({
      /** Deny-by-default NetworkPolicies. @default true */
      networkPolicies: z.boolean().default(true),
      /** Argo CD Application, written to dist/<env>/argocd/. @default off */
      argocd: argocd.optional(),
    })
    .prefault({}),
});

export type EnvironmentConfig = z.infer<typeof environmentSchema>;

export interface Problem {
  path: (string | number)[];
  expected: string;
}

/** Contradictions a per-field schema cannot see. */
export function crossFieldProblems(c: EnvironmentConfig): Problem[] {
  const out: Problem[] = [];
  // `<app>-migrate-<10 hex>` must stay a 63-character label (the Job controller copies it into a pod label).
  if (c.app.length > 35)
    out.push({ path: ['app'], expected: 'at most 35 characters, so <app>-migrate-<hash> fits in 63' });
  if (!c.image.tag && !c.image.digest)
    out.push({ path: ['image', 'tag'], expected: 'a tag or image.digest (the image must be pinned)' });
  for (const component of ['web', 'worker', 'beat', 'migrations'] as const) {
    const r = c[component].resources;
    if (memoryBytes(r.limits.memory) < memoryBytes(r.requests.memory)) {
      out.push({
        path: [component, 'resources', 'limits', 'memory'],
        expected: `at least requests.memory (${r.requests.memory})`,
      });
    }
  }
  for (const component of ['web', 'worker'] as const) {
    const a = c[component].autoscaling;
    if (a && a.minReplicas > a.maxReplicas) {
      out.push({ path: [component, 'autoscaling', 'minReplicas'], expected: `at most maxReplicas (${a.maxReplicas})` });
    }
  }
  if (c.beat.replicas !== undefined && c.beat.replicas !== 1) {
    out.push({
      path: ['beat', 'replicas'],
      expected: '1 (beat is a singleton: two schedulers would send every task twice)',
    });
  }
  const drain = c.web.preStopSleepSeconds + c.web.gracefulTimeoutSeconds;
  if (c.web.terminationGracePeriodSeconds < drain) {
    out.push({
      path: ['web', 'terminationGracePeriodSeconds'],
      expected: `at least preStopSleepSeconds + gracefulTimeoutSeconds (${drain})`,
    });
  }
  if ((c.database.sslMode === 'verify-ca' || c.database.sslMode === 'verify-full') && !c.database.caSecret) {
    out.push({
      path: ['database', 'caSecret'],
      expected: `a CA Secret reference, because sslMode is ${c.database.sslMode}`,
    });
  }
  out.push(...envProblems(c));
  if (c.web.probes.liveness.path === c.web.probes.readiness.path) {
    out.push({
      path: ['web', 'probes', 'readiness', 'path'],
      expected: `a path other than the liveness path (${c.web.probes.liveness.path}): the helper answers each with a different check`,
    });
  }
  const argo = c.features.argocd;
  if (argo?.enabled && !argo.repoURL)
    out.push({
      path: ['features', 'argocd', 'repoURL'],
      expected: 'a Git repository URL, because argocd.enabled is true',
    });
  return out;
}
