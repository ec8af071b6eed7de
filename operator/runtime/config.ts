// The operator's whole configuration, read once from the environment and validated,
// so a typo in the Deployment fails at start with a message naming the variable.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

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
const dnsLabel: Parser<string> = (raw) => (DNS_LABEL.test(raw) ? raw : { problem: 'must be a DNS-1123 label (lowercase letters, digits, "-")' });
const nonEmpty: Parser<string> = (raw) => raw;
const int = (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> => (raw) => {
  const n = Number(raw);
  return /^-?\d+$/.test(raw.trim()) && n >= min && n <= max ? n : { problem: `must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}` };
};
const bool: Parser<boolean> = (raw) => (['true', '1'].includes(raw) ? true : ['false', '0'].includes(raw) ? false : { problem: 'must be true or false' });
const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw) =>
  (values as string[]).includes(raw) ? (raw as T) : { problem: `must be one of ${values.join(', ')}` };

/**
 * Every setting once: its field, its environment variable, its parser and its default (a raw
 * string, parsed like any other value). The OperatorConfig type is derived from this table.
 */
const SETTINGS = {
  /** Namespace the operator runs in; holds its Lease. Default: the SA token mount's, else `ponyexpress-system`. */
  namespace: { env: 'POD_NAMESPACE', parse: dnsLabel, fallback: defaultNamespace },
  /** This replica's identity in the Lease. */
  identity: { env: 'POD_NAME', parse: nonEmpty, fallback: () => `${hostname()}-${process.pid}` },
  /** Namespaces whose Promotions are watched (staging/production follow from their specs); empty = all (needs a ClusterRole). */
  watchNamespaces: { env: 'PONYEXPRESS_WATCH_NAMESPACES', parse: list('a namespace name', (n) => DNS_LABEL.test(n)), fallback: () => '' },
  leaderElection: { env: 'PONYEXPRESS_LEADER_ELECTION', parse: bool, fallback: () => 'true' },
  leaseName: { env: 'PONYEXPRESS_LEASE_NAME', parse: dnsLabel, fallback: () => 'ponyexpress-operator' },
  /** How long a Lease stays valid without renewal. */
  leaseDurationSeconds: { env: 'PONYEXPRESS_LEASE_DURATION_SECONDS', parse: int(2), fallback: () => '15' },
  /** How often the leader renews, and followers retry. */
  leaseRetrySeconds: { env: 'PONYEXPRESS_LEASE_RETRY_SECONDS', parse: int(1), fallback: () => '2' },
  /** Port of /healthz, /readyz and /metrics; 0 picks a free port. */
  metricsPort: { env: 'PONYEXPRESS_METRICS_PORT', parse: int(0, 65535), fallback: () => '8080' },
  metricsHost: { env: 'PONYEXPRESS_METRICS_HOST', parse: nonEmpty, fallback: () => '0.0.0.0' },
  logLevel: { env: 'PONYEXPRESS_LOG_LEVEL', parse: oneOf<LogLevel>('debug', 'info', 'warn', 'error'), fallback: () => 'info' },
  /** Every Promotion is re-queued this often even with no event (a safety net that writes nothing when nothing changed). */
  resyncSeconds: { env: 'PONYEXPRESS_RESYNC_SECONDS', parse: int(1), fallback: () => '300' },
  /** An informer with no event, bookmark or reconnect for this long is restarted. */
  informerWatchdogSeconds: { env: 'PONYEXPRESS_INFORMER_WATCHDOG_SECONDS', parse: int(5), fallback: () => '420' },
  /** The apiserver ends each watch after this long and the operator resumes it. */
  watchTimeoutSeconds: { env: 'PONYEXPRESS_WATCH_TIMEOUT_SECONDS', parse: int(1), fallback: () => '300' },
  /** /readyz fails when the Promotion caches have been disconnected, or the apiserver unreachable, this long. */
  staleAfterSeconds: { env: 'PONYEXPRESS_STALE_AFTER_SECONDS', parse: int(1), fallback: () => '30' },
  /** Deadline of each apiserver request, time waiting for a connection included. */
  requestTimeoutSeconds: { env: 'PONYEXPRESS_REQUEST_TIMEOUT_SECONDS', parse: int(1), fallback: () => '30' },
  /** Client-side rate limit of apiserver requests and watch opens (Lease traffic exempt), and its burst. */
  apiQps: { env: 'PONYEXPRESS_API_QPS', parse: int(1), fallback: () => '50' },
  apiBurst: { env: 'PONYEXPRESS_API_BURST', parse: int(1), fallback: () => '100' },
  /** Reconciles running at once. */
  concurrency: { env: 'PONYEXPRESS_CONCURRENCY', parse: int(1, 64), fallback: () => '4' },
  smokeTimeoutSeconds: { env: 'PONYEXPRESS_SMOKE_TIMEOUT_SECONDS', parse: int(1), fallback: () => '5' },
  /** Status changes with no action and no event are written at most this often per Promotion; 0 = always. */
  statusMinIntervalSeconds: { env: 'PONYEXPRESS_STATUS_MIN_INTERVAL_SECONDS', parse: int(0), fallback: () => '2' },
  /** Grace period for in-flight reconciles on SIGTERM. */
  shutdownGraceSeconds: { env: 'PONYEXPRESS_SHUTDOWN_GRACE_SECONDS', parse: int(0), fallback: () => '10' },
  /** Resolve a staging tag that pods report no digest for to its registry digest (anonymous pulls) before promoting. */
  resolveDigests: { env: 'PONYEXPRESS_RESOLVE_DIGESTS', parse: bool, fallback: () => 'false' },
  /** host[:port] of registries reached over plain HTTP (loopback always is). */
  insecureRegistries: { env: 'PONYEXPRESS_INSECURE_REGISTRIES', parse: list('host[:port]', (h) => REGISTRY_HOST.test(h)), fallback: () => '' },
  registryTimeoutSeconds: { env: 'PONYEXPRESS_REGISTRY_TIMEOUT_SECONDS', parse: int(1), fallback: () => '10' },
} as const satisfies Record<string, { env: string; parse: Parser<unknown>; fallback: () => string }>;

type Settings = typeof SETTINGS;
export type OperatorConfig = { readonly [K in keyof Settings]: Exclude<ReturnType<Settings[K]['parse']>, { problem: string }> };

export class ConfigError extends Error {}

/** Reads and validates the config; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [field, { env: name, parse, fallback }] of Object.entries(SETTINGS)) {
    const raw = env[name] === undefined || env[name] === '' ? fallback() : env[name]!;
    const result = (parse as Parser<unknown>)(raw);
    if (result !== null && typeof result === 'object' && 'problem' in result) problems.push(`${name}=${JSON.stringify(raw)}: ${(result as { problem: string }).problem}`);
    else parsed[field] = result;
  }
  const c = parsed as OperatorConfig;
  if (!problems.length && c.leaseRetrySeconds * 2 > c.leaseDurationSeconds) {
    problems.push('PONYEXPRESS_LEASE_RETRY_SECONDS must be at most half of PONYEXPRESS_LEASE_DURATION_SECONDS, or the leader loses its Lease between renewals');
  }
  if (!problems.length && c.informerWatchdogSeconds <= c.watchTimeoutSeconds) {
    problems.push('PONYEXPRESS_INFORMER_WATCHDOG_SECONDS must exceed PONYEXPRESS_WATCH_TIMEOUT_SECONDS, or quiet healthy watches get restarted');
  }
  if (problems.length) throw new ConfigError(`invalid operator configuration:\n  ${problems.join('\n  ')}`);
  return c;
}

const REGISTRY_HOST = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$/;

/** A comma-separated list, trimmed and de-duplicated; each entry must pass `valid`. */
function list(what: string, valid: (entry: string) => boolean): Parser<readonly string[]> {
  return (raw) => {
    const entries = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
    const bad = entries.filter((e) => !valid(e));
    return bad.length ? { problem: bad.map((e) => `"${e}" is not ${what}`).join('; ') } : entries;
  };
}
