// The operator's whole configuration, read once from the environment and validated,
// so a typo in the Deployment fails at start with a message naming the variable.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { OPERATOR_ENV } from '../../contract/index.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface OperatorConfig {
  /** Namespace the operator runs in; holds its Lease. @default from the SA token mount, else `ponyexpress-system` */
  readonly namespace: string;
  /** This replica's identity in the Lease. @default `$POD_NAME`, else `<hostname>-<pid>` */
  readonly identity: string;
  /**
   * Namespaces whose Promotions are watched. Staging and production namespaces are then
   * discovered from the Promotions' specs. Empty means all namespaces (needs a ClusterRole).
   * @default [] (all namespaces)
   */
  readonly watchNamespaces: readonly string[];
  /** @default true */
  readonly leaderElection: boolean;
  /** @default `ponyexpress-operator` */
  readonly leaseName: string;
  /** How long a Lease stays valid without renewal. @default 15 */
  readonly leaseDurationSeconds: number;
  /** How often the leader renews, and followers retry. @default 2 */
  readonly leaseRetrySeconds: number;
  /** Port of /healthz, /readyz and /metrics. 0 picks a free port. @default 8080 */
  readonly metricsPort: number;
  /** @default `0.0.0.0` */
  readonly metricsHost: string;
  /** @default `info` */
  readonly logLevel: LogLevel;
  /** Every Promotion is re-queued this often even with no event (a safety net; makes no write when nothing changed). @default 300 */
  readonly resyncSeconds: number;
  /** An informer with no event, bookmark or reconnect for this long is restarted. @default 420 */
  readonly informerWatchdogSeconds: number;
  /** The apiserver ends each watch after this long and the operator resumes it (bookmarks keep it cheap). @default 300 */
  readonly watchTimeoutSeconds: number;
  /** Timeout of the smoke-URL GET. @default 5 */
  readonly smokeTimeoutSeconds: number;
  /**
   * Status changes that come with no action and no event (staging observations, rollout progress)
   * are written at most this often per Promotion; steps and transitions are written at once. 0 = always.
   * @default 2
   */
  readonly statusMinIntervalSeconds: number;
  /** Grace period for in-flight reconciles on SIGTERM. @default 10 */
  readonly shutdownGraceSeconds: number;
  /** Resolve a staging tag that pods report no digest for to its registry digest (anonymous pulls) before promoting. @default false */
  readonly resolveDigests: boolean;
  /** host[:port] of registries reached over plain HTTP (loopback always is). @default [] */
  readonly insecureRegistries: readonly string[];
  /** Timeout of each registry request. @default 10 */
  readonly registryTimeoutSeconds: number;
}

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
const seconds = (min: number) => int(min);
const bool: Parser<boolean> = (raw) => (['true', '1'].includes(raw) ? true : ['false', '0'].includes(raw) ? false : { problem: 'must be true or false' });
const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw) =>
  (values as string[]).includes(raw) ? (raw as T) : { problem: `must be one of ${values.join(', ')}` };

/** Each env variable, its parser and its default. */
const VARIABLES = {
  [OPERATOR_ENV.namespace]: [dnsLabel, defaultNamespace],
  [OPERATOR_ENV.identity]: [nonEmpty, () => `${hostname()}-${process.pid}`],
  [OPERATOR_ENV.watchNamespaces]: [nonEmpty, () => ''],
  [OPERATOR_ENV.leaderElection]: [bool, () => 'true'],
  [OPERATOR_ENV.leaseName]: [dnsLabel, () => 'ponyexpress-operator'],
  [OPERATOR_ENV.leaseDurationSeconds]: [seconds(2), () => '15'],
  [OPERATOR_ENV.leaseRetrySeconds]: [seconds(1), () => '2'],
  [OPERATOR_ENV.metricsPort]: [int(0, 65535), () => '8080'],
  [OPERATOR_ENV.metricsHost]: [nonEmpty, () => '0.0.0.0'],
  [OPERATOR_ENV.logLevel]: [oneOf<LogLevel>('debug', 'info', 'warn', 'error'), () => 'info'],
  [OPERATOR_ENV.resyncSeconds]: [seconds(1), () => '300'],
  [OPERATOR_ENV.informerWatchdogSeconds]: [seconds(5), () => '420'],
  [OPERATOR_ENV.watchTimeoutSeconds]: [seconds(1), () => '300'],
  [OPERATOR_ENV.smokeTimeoutSeconds]: [seconds(1), () => '5'],
  [OPERATOR_ENV.statusMinIntervalSeconds]: [seconds(0), () => '2'],
  [OPERATOR_ENV.shutdownGraceSeconds]: [seconds(0), () => '10'],
  [OPERATOR_ENV.resolveDigests]: [bool, () => 'false'],
  [OPERATOR_ENV.insecureRegistries]: [nonEmpty, () => ''],
  [OPERATOR_ENV.registryTimeoutSeconds]: [seconds(1), () => '10'],
} as const satisfies Record<string, readonly [Parser<unknown>, () => string]>;

type Parsed = { [K in keyof typeof VARIABLES]: Exclude<ReturnType<(typeof VARIABLES)[K][0]>, { problem: string }> };

export class ConfigError extends Error {}

/** Reads and validates the config; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, [schema, fallback]] of Object.entries(VARIABLES)) {
    const raw = env[name] === undefined || env[name] === '' ? fallback() : env[name]!;
    const result = (schema as Parser<unknown>)(raw);
    if (result !== null && typeof result === 'object' && 'problem' in result) problems.push(`${name}=${JSON.stringify(raw)}: ${result.problem}`);
    else parsed[name] = result;
  }
  const v = parsed as Parsed;
  const watchNamespaces = problems.length ? [] : splitList(v.PONYEXPRESS_WATCH_NAMESPACES, problems);
  const insecureRegistries = problems.length ? [] : registryHosts(v.PONYEXPRESS_INSECURE_REGISTRIES, problems);
  if (!problems.length && v.PONYEXPRESS_LEASE_RETRY_SECONDS * 2 > v.PONYEXPRESS_LEASE_DURATION_SECONDS) {
    problems.push('PONYEXPRESS_LEASE_RETRY_SECONDS must be at most half of PONYEXPRESS_LEASE_DURATION_SECONDS, or the leader loses its Lease between renewals');
  }
  if (!problems.length && v.PONYEXPRESS_INFORMER_WATCHDOG_SECONDS <= v.PONYEXPRESS_WATCH_TIMEOUT_SECONDS) {
    problems.push('PONYEXPRESS_INFORMER_WATCHDOG_SECONDS must exceed PONYEXPRESS_WATCH_TIMEOUT_SECONDS, or quiet healthy watches get restarted');
  }
  if (problems.length) throw new ConfigError(`invalid operator configuration:\n  ${problems.join('\n  ')}`);
  return {
    namespace: v.POD_NAMESPACE,
    identity: v.POD_NAME,
    watchNamespaces,
    leaderElection: v.PONYEXPRESS_LEADER_ELECTION,
    leaseName: v.PONYEXPRESS_LEASE_NAME,
    leaseDurationSeconds: v.PONYEXPRESS_LEASE_DURATION_SECONDS,
    leaseRetrySeconds: v.PONYEXPRESS_LEASE_RETRY_SECONDS,
    metricsPort: v.PONYEXPRESS_METRICS_PORT,
    metricsHost: v.PONYEXPRESS_METRICS_HOST,
    logLevel: v.PONYEXPRESS_LOG_LEVEL,
    resyncSeconds: v.PONYEXPRESS_RESYNC_SECONDS,
    informerWatchdogSeconds: v.PONYEXPRESS_INFORMER_WATCHDOG_SECONDS,
    watchTimeoutSeconds: v.PONYEXPRESS_WATCH_TIMEOUT_SECONDS,
    smokeTimeoutSeconds: v.PONYEXPRESS_SMOKE_TIMEOUT_SECONDS,
    statusMinIntervalSeconds: v.PONYEXPRESS_STATUS_MIN_INTERVAL_SECONDS,
    shutdownGraceSeconds: v.PONYEXPRESS_SHUTDOWN_GRACE_SECONDS,
    resolveDigests: v.PONYEXPRESS_RESOLVE_DIGESTS,
    insecureRegistries,
    registryTimeoutSeconds: v.PONYEXPRESS_REGISTRY_TIMEOUT_SECONDS,
  };
}

function splitList(raw: string, problems: string[]): string[] {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!DNS_LABEL.test(name)) problems.push(`PONYEXPRESS_WATCH_NAMESPACES: "${name}" is not a namespace name`);
  }
  return [...new Set(names)];
}

const REGISTRY_HOST = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$/;

/** `host[:port]` entries, as written in image references (no scheme, no path). */
function registryHosts(raw: string, problems: string[]): string[] {
  const hosts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const host of hosts) {
    if (!REGISTRY_HOST.test(host)) problems.push(`PONYEXPRESS_INSECURE_REGISTRIES: "${host}" is not host[:port]`);
  }
  return [...new Set(hosts)];
}
