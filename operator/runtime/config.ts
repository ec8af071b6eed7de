// The operator's whole configuration, read once from the environment and validated,
// so a typo in the Deployment fails at start with a message naming the variable.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { OPERATOR_ENV } from '../../contract/index.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

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
  /** Namespace the operator runs in; holds its Lease. Default: the SA token mount's, else `ponyexpress-system`. */
  namespace: { env: OPERATOR_ENV.namespace, parse: dnsLabel, fallback: defaultNamespace },
  /** This replica's identity in the Lease. */
  identity: { env: OPERATOR_ENV.identity, parse: nonEmpty, fallback: () => `${hostname()}-${process.pid}` },
  /** Namespaces whose Promotions are watched (staging/production follow from their specs); empty = all (needs a ClusterRole). */
  watchNamespaces: {
    env: OPERATOR_ENV.watchNamespaces,
    parse: list('a namespace name', (n) => DNS_LABEL.test(n)),
    fallback: () => '',
  },
  leaderElection: { env: OPERATOR_ENV.leaderElection, parse: bool, fallback: () => 'true' },
  leaseName: { env: OPERATOR_ENV.leaseName, parse: dnsLabel, fallback: () => 'ponyexpress-operator' },
  /** How long a Lease stays valid without renewal. */
  leaseDurationSeconds: { env: OPERATOR_ENV.leaseDurationSeconds, parse: int(2), fallback: () => '15' },
  /** How often the leader renews, and followers retry. */
  leaseRetrySeconds: { env: OPERATOR_ENV.leaseRetrySeconds, parse: int(1), fallback: () => '2' },
  /** Port of /healthz, /readyz and /metrics; 0 picks a free port. */
  metricsPort: { env: OPERATOR_ENV.metricsPort, parse: int(0, 65535), fallback: () => '8080' },
  metricsHost: { env: OPERATOR_ENV.metricsHost, parse: nonEmpty, fallback: () => '0.0.0.0' },
  logLevel: {
    env: OPERATOR_ENV.logLevel,
    parse: oneOf<LogLevel>('debug', 'info', 'warn', 'error'),
    fallback: () => 'info',
  },
  /** Every Promotion is re-queued this often even with no event (a safety net that writes nothing when nothing changed). */
  resyncSeconds: { env: OPERATOR_ENV.resyncSeconds, parse: int(1), fallback: () => '300' },
  /** An informer with no event, bookmark or reconnect for this long is restarted. */
  informerWatchdogSeconds: { env: OPERATOR_ENV.informerWatchdogSeconds, parse: int(5), fallback: () => '420' },
  /** The apiserver ends each watch after this long and the operator resumes it. */
  watchTimeoutSeconds: { env: OPERATOR_ENV.watchTimeoutSeconds, parse: int(1), fallback: () => '300' },
  /** /readyz fails when the Promotion caches have been disconnected, or the apiserver unreachable, this long. */
  staleAfterSeconds: { env: OPERATOR_ENV.staleAfterSeconds, parse: int(1), fallback: () => '30' },
  /** Deadline of each apiserver request, time waiting for a connection included. */
  requestTimeoutSeconds: { env: OPERATOR_ENV.requestTimeoutSeconds, parse: int(1), fallback: () => '30' },
  /** Client-side rate limit of apiserver requests and watch opens (Lease traffic exempt), and its burst. */
  apiQps: { env: OPERATOR_ENV.apiQps, parse: int(1), fallback: () => '50' },
  apiBurst: { env: OPERATOR_ENV.apiBurst, parse: int(1), fallback: () => '100' },
  /** Reconciles running at once (different Promotions). Reconciles mostly wait on the apiserver, so this is I/O parallelism. */
  concurrency: { env: OPERATOR_ENV.concurrency, parse: int(1, 64), fallback: () => '16' },
  smokeTimeoutSeconds: { env: OPERATOR_ENV.smokeTimeoutSeconds, parse: int(1), fallback: () => '5' },
  /** Status changes with no action and no event are written at most this often per Promotion; 0 = always. */
  statusMinIntervalSeconds: { env: OPERATOR_ENV.statusMinIntervalSeconds, parse: int(0), fallback: () => '30' },
  /** Grace period for in-flight reconciles on SIGTERM. */
  shutdownGraceSeconds: { env: OPERATOR_ENV.shutdownGraceSeconds, parse: int(0), fallback: () => '10' },
  /** Resolve a staging tag that pods report no digest for to its registry digest (anonymous pulls) before promoting. */
  resolveDigests: { env: OPERATOR_ENV.resolveDigests, parse: bool, fallback: () => 'false' },
  /** host[:port] of registries reached over plain HTTP (loopback always is). */
  insecureRegistries: {
    env: OPERATOR_ENV.insecureRegistries,
    parse: list('host[:port]', (h) => REGISTRY_HOST.test(h)),
    fallback: () => '',
  },
  registryTimeoutSeconds: { env: OPERATOR_ENV.registryTimeoutSeconds, parse: int(1), fallback: () => '10' },
} as const satisfies Record<string, { env: string; parse: Parser<unknown>; fallback: () => string }>;

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
  if (problems.length) throw new ConfigError(`invalid operator configuration:\n  ${problems.join('\n  ')}`);
  return c;
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
