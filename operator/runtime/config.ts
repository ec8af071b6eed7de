// The operator's whole configuration, read once from the environment and validated,
// so a typo in the Deployment fails at start with a message naming the variable.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { OPERATOR_ENV } from '../../contract/index.js';
import type { WatchScope } from '../kube/cache.js';
import { DEFAULT_RATE_LIMIT } from '../kube/transport.js';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const WATCH_SCOPES = ['namespaces', 'cluster'] as const satisfies readonly WatchScope[];
export type LogLevel = (typeof LOG_LEVELS)[number];

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function defaultNamespace(): string {
  try {
    return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim();
  } catch {
    return 'ponyexpress-system';
  }
}

// Plain parsers, not zod: zod alone adds ~20 MiB of RSS to a process budgeted at 60.
type Parser<T> = (raw: string) => T | { problem: string };
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsLabel: Parser<string> = (raw) =>
  DNS_LABEL.test(raw) ? raw : { problem: 'must be a DNS-1123 label (lowercase letters, digits, "-")' };
const nonEmpty: Parser<string> = (raw) => raw;
const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (raw) => {
    const n = Number(raw);
    return /^-?\d+$/.test(raw.trim()) && n >= min && n <= max
      ? n
      : { problem: `must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}` };
  };
const bool: Parser<boolean> = (raw) =>
  ['true', '1'].includes(raw) ? true : ['false', '0'].includes(raw) ? false : { problem: 'must be true or false' };
const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw) =>
    (values as string[]).includes(raw) ? (raw as T) : { problem: `must be one of ${values.join(', ')}` };

/**
 * Every setting once: its field, its environment variable, its parser and its default (a raw
 * string, parsed like any other value). The OperatorConfig type is derived from this table.
 */
const SETTINGS = {
  namespace: {
    help: 'Namespace the operator runs in; holds its Lease.',
    shownDefault: "the ServiceAccount token mount's namespace, else ponyexpress-system",
    env: OPERATOR_ENV.namespace,
    parse: dnsLabel,
    fallback: defaultNamespace,
  },
  identity: {
    help: "This replica's identity in the Lease (the chart sets the pod name).",
    shownDefault: '<hostname>-<pid>',
    env: OPERATOR_ENV.identity,
    parse: nonEmpty,
    fallback: () => `${hostname()}-${process.pid}`,
  },
  watchNamespaces: {
    help: 'Namespaces whose Promotions are watched (staging/production follow from their specs); empty = all (needs a ClusterRole).',
    env: OPERATOR_ENV.watchNamespaces,
    parse: list('a namespace name', (n) => DNS_LABEL.test(n)),
    fallback: () => '',
  },
  watchScope: {
    help: 'How workloads, pods and Jobs are watched: namespaces = one watch per kind per namespace (Roles only); cluster = one per kind for all namespaces (a read-only ClusterRole; for large fleets).',
    env: OPERATOR_ENV.watchScope,
    parse: oneOf<WatchScope>(...WATCH_SCOPES),
    values: WATCH_SCOPES,
    fallback: () => 'namespaces',
  },
  leaderElection: {
    help: 'Elect one leader through a Lease; false runs every replica as leader (one replica only).',
    env: OPERATOR_ENV.leaderElection,
    parse: bool,
    fallback: () => 'true',
  },
  leaseName: {
    help: 'Name of the Lease in the operator namespace.',
    env: OPERATOR_ENV.leaseName,
    parse: dnsLabel,
    fallback: () => 'ponyexpress-operator',
  },
  leaseDurationSeconds: {
    help: 'How long a Lease stays valid without renewal.',
    env: OPERATOR_ENV.leaseDurationSeconds,
    parse: int(2),
    fallback: () => '15',
  },
  leaseRetrySeconds: {
    help: 'How often the leader renews, and followers retry.',
    env: OPERATOR_ENV.leaseRetrySeconds,
    parse: int(1),
    fallback: () => '2',
  },
  metricsPort: {
    help: 'Port of /healthz, /readyz and /metrics; 0 picks a free port.',
    env: OPERATOR_ENV.metricsPort,
    parse: int(0, 65535),
    fallback: () => '8080',
  },
  metricsHost: {
    help: 'Address the probe and metrics server listens on.',
    env: OPERATOR_ENV.metricsHost,
    parse: nonEmpty,
    fallback: () => '0.0.0.0',
  },
  logLevel: {
    help: 'Least severe level logged (JSON lines on stdout).',
    env: OPERATOR_ENV.logLevel,
    parse: oneOf<LogLevel>(...LOG_LEVELS),
    values: LOG_LEVELS,
    fallback: () => 'info',
  },
  resyncSeconds: {
    help: 'Every Promotion is re-queued this often even with no event (a safety net that writes nothing when nothing changed).',
    env: OPERATOR_ENV.resyncSeconds,
    parse: int(1),
    fallback: () => '300',
  },
  informerWatchdogSeconds: {
    help: 'An informer with no event, bookmark or reconnect for this long is restarted.',
    env: OPERATOR_ENV.informerWatchdogSeconds,
    parse: int(5),
    fallback: () => '420',
  },
  watchTimeoutSeconds: {
    help: 'The apiserver ends each watch after this long and the operator resumes it.',
    env: OPERATOR_ENV.watchTimeoutSeconds,
    parse: int(1),
    fallback: () => '300',
  },
  staleAfterSeconds: {
    help: '/readyz fails when the Promotion caches have been disconnected, or the apiserver unreachable, this long.',
    env: OPERATOR_ENV.staleAfterSeconds,
    parse: int(1),
    fallback: () => '30',
  },
  requestTimeoutSeconds: {
    help: 'Deadline of each apiserver request, time waiting for a connection included.',
    env: OPERATOR_ENV.requestTimeoutSeconds,
    parse: int(1),
    fallback: () => '30',
  },
  apiQps: {
    help: 'Client-side rate limit of apiserver requests and watch opens, per second (Lease traffic exempt; Events have their own).',
    env: OPERATOR_ENV.apiQps,
    parse: int(1),
    fallback: () => String(DEFAULT_RATE_LIMIT.qps),
  },
  apiBurst: {
    help: 'Burst of the client-side rate limit above.',
    env: OPERATOR_ENV.apiBurst,
    parse: int(1),
    fallback: () => String(DEFAULT_RATE_LIMIT.burst),
  },
  concurrency: {
    help: 'Reconciles running at once (different Promotions). Reconciles mostly wait on the apiserver, so this is I/O parallelism; the client rate limit still bounds the requests.',
    env: OPERATOR_ENV.concurrency,
    parse: int(1, 1024),
    // Keys waited in the queue while 500 promotions moved at once (bench): up to 30 s at 16, 5 s at 64
    // when staging verified in a tight burst (2026-12-03, run T), 25-100 ms at 256 (runs U, V).
    fallback: () => '256',
  },
  smokeTimeoutSeconds: {
    help: 'Deadline of one smoke-URL check against staging.',
    env: OPERATOR_ENV.smokeTimeoutSeconds,
    parse: int(1),
    fallback: () => '5',
  },
  statusMinIntervalSeconds: {
    help: 'Status changes with no action and no event are written once status has been behind this long; 0 = always.',
    env: OPERATOR_ENV.statusMinIntervalSeconds,
    parse: int(0),
    fallback: () => '30',
  },
  shutdownGraceSeconds: {
    help: 'Grace period for in-flight reconciles on SIGTERM.',
    env: OPERATOR_ENV.shutdownGraceSeconds,
    parse: int(0),
    fallback: () => '10',
  },
  resolveDigests: {
    help: 'Resolve a staging tag that pods report no digest for to its registry digest (anonymous pulls) before promoting.',
    env: OPERATOR_ENV.resolveDigests,
    parse: bool,
    fallback: () => 'false',
  },
  insecureRegistries: {
    help: 'host[:port] of registries reached over plain HTTP (loopback always is).',
    env: OPERATOR_ENV.insecureRegistries,
    parse: list('host[:port]', (h) => REGISTRY_HOST.test(h)),
    fallback: () => '',
  },
  registryTimeoutSeconds: {
    help: 'Deadline of one registry request while resolving a digest.',
    env: OPERATOR_ENV.registryTimeoutSeconds,
    parse: int(1),
    fallback: () => '10',
  },
  followNamespaces: {
    help: 'Staging namespaces whose ImageFollows are served (docs/registry-follow.md); empty = following is off.',
    env: OPERATOR_ENV.followNamespaces,
    parse: list('a namespace name', (n) => DNS_LABEL.test(n)),
    fallback: () => '',
  },
  webhookPort: {
    help: 'Port of the follow webhook; empty = no webhook, 0 = a free port (logged).',
    env: OPERATOR_ENV.webhookPort,
    parse: optional(int(0, 65535)),
    fallback: () => '',
  },
  webhookHost: {
    help: 'Address the follow webhook listens on.',
    env: OPERATOR_ENV.webhookHost,
    parse: nonEmpty,
    fallback: () => '0.0.0.0',
  },
  webhookSecretFile: {
    help: "File holding the webhook's shared secret (the chart mounts the Secret there); required with a port.",
    env: OPERATOR_ENV.webhookSecretFile,
    parse: optional(nonEmpty),
    fallback: () => '',
  },
  webhookTlsCertFile: {
    help: 'PEM certificate (chain) the webhook serves HTTPS with (the chart mounts tls.crt of a kubernetes.io/tls Secret); empty = plain HTTP.',
    env: OPERATOR_ENV.webhookTlsCertFile,
    parse: optional(nonEmpty),
    fallback: () => '',
  },
  webhookTlsKeyFile: {
    help: "PEM private key of that certificate (the Secret's tls.key); set with the certificate or not at all.",
    env: OPERATOR_ENV.webhookTlsKeyFile,
    parse: optional(nonEmpty),
    fallback: () => '',
  },
  webhookRatePerSecond: {
    help: 'Webhook requests accepted per second (a token bucket).',
    env: OPERATOR_ENV.webhookRatePerSecond,
    parse: int(1),
    fallback: () => '5',
  },
  webhookBurst: {
    help: 'Burst of the webhook rate limit above.',
    env: OPERATOR_ENV.webhookBurst,
    parse: int(1),
    fallback: () => '20',
  },
  webhookMaxBodyBytes: {
    help: 'Largest webhook request body accepted, in bytes.',
    env: OPERATOR_ENV.webhookMaxBodyBytes,
    parse: int(1024, 16 * 1024 * 1024),
    fallback: () => '262144',
  },
} as const satisfies Record<
  string,
  {
    env: string;
    parse: Parser<unknown>;
    fallback: () => string;
    /** One line for --help. */
    help: string;
    /** --help's default when fallback() depends on the machine. */
    shownDefault?: string;
    values?: readonly string[];
  }
>;

type Settings = typeof SETTINGS;
export type OperatorConfig = {
  readonly [K in keyof Settings]: Exclude<ReturnType<Settings[K]['parse']>, { problem: string }>;
};

export class ConfigError extends Error {}

/** Reads and validates the config; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [field, { env: name, parse, fallback }] of Object.entries(SETTINGS)) {
    const raw = env[name] === undefined || env[name] === '' ? fallback() : env[name];
    const result = (parse as Parser<unknown>)(raw);
    if (result !== null && typeof result === 'object' && 'problem' in result)
      problems.push(`${name}=${JSON.stringify(raw)}: ${(result as { problem: string }).problem}`);
    else parsed[field] = result;
  }
  const c = parsed as OperatorConfig;
  if (!problems.length && c.leaseRetrySeconds * 2 > c.leaseDurationSeconds) {
    problems.push(
      `${OPERATOR_ENV.leaseRetrySeconds} must be at most half of ${OPERATOR_ENV.leaseDurationSeconds}, or the leader loses its Lease between renewals`,
    );
  }
  if (!problems.length && c.informerWatchdogSeconds <= c.watchTimeoutSeconds) {
    problems.push(
      `${OPERATOR_ENV.informerWatchdogSeconds} must exceed ${OPERATOR_ENV.watchTimeoutSeconds}, or quiet healthy watches get restarted`,
    );
  }
  if (!problems.length && c.webhookPort !== undefined && !c.webhookSecretFile) {
    problems.push(
      `${OPERATOR_ENV.webhookPort} is set but ${OPERATOR_ENV.webhookSecretFile} is not: the webhook never runs without its shared secret`,
    );
  }
  const [cert, key] = [OPERATOR_ENV.webhookTlsCertFile, OPERATOR_ENV.webhookTlsKeyFile];
  if (!problems.length && !c.webhookTlsCertFile !== !c.webhookTlsKeyFile) {
    const [set, unset] = c.webhookTlsCertFile ? [cert, key] : [key, cert];
    problems.push(`${set} is set but ${unset} is not: HTTPS needs both`);
  }
  if (problems.length) throw new ConfigError(`invalid operator configuration:\n  ${problems.join('\n  ')}`);
  return c;
}

/** `ponyexpress-operator --help`: the settings table as text (every variable, its default, what it does). */
export function configHelp(): string {
  const rows = Object.values(SETTINGS).map((setting) => {
    const s = setting as {
      env: string;
      fallback: () => string;
      help: string;
      shownDefault?: string;
      values?: readonly string[];
    };
    const fallback = s.shownDefault ?? (s.fallback() === '' ? 'empty' : s.fallback());
    const values = s.values ? `; one of ${s.values.join(', ')}` : '';
    return `  ${s.env}  (default ${fallback}${values})\n      ${s.help}`;
  });
  return [
    'ponyexpress-operator: promotes the image staging has proven to production (see docs/operator.md).',
    '',
    'Usage: ponyexpress-operator [--help]',
    '  Runs in-cluster with its ServiceAccount token, or out of cluster with the current kubeconfig context.',
    '  --help, -h  print this and exit 0',
    '',
    'Configured by environment variables only:',
    ...rows,
    '',
  ].join('\n');
}

/** The operator takes no arguments but --help/-h: anything else is named and refused (exit 2). */
export function readCommandLine(args: readonly string[]): { help: boolean } | { problem: string } {
  const unknown = args.find((a) => a !== '--help' && a !== '-h');
  if (unknown !== undefined)
    return {
      problem: `unknown argument ${JSON.stringify(unknown)}: the operator takes no arguments but --help; it is configured by environment variables (see --help)`,
    };
  return { help: args.length > 0 };
}

/** The empty string is "not set". */
function optional<T>(parse: Parser<T>): Parser<T | undefined> {
  return (raw) => (raw === '' ? undefined : parse(raw));
}

const REGISTRY_HOST = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$/;

/** A comma-separated list, trimmed and de-duplicated; each entry must pass `valid`. */
function list(what: string, valid: (entry: string) => boolean): Parser<readonly string[]> {
  return (raw) => {
    const entries = [
      ...new Set(
        raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];
    const bad = entries.filter((e) => !valid(e));
    return bad.length ? { problem: bad.map((e) => `"${e}" is not ${what}`).join('; ') } : entries;
  };
}
