// The environment variables the operator reads (operator/runtime/config.ts) and its chart sets
// (charts/operator/workload.ts).
export const OPERATOR_ENV = {
  namespace: 'POD_NAMESPACE',
  identity: 'POD_NAME',
  watchNamespaces: 'PONYEXPRESS_WATCH_NAMESPACES',
  watchScope: 'PONYEXPRESS_WATCH_SCOPE',
  leaderElection: 'PONYEXPRESS_LEADER_ELECTION',
  leaseName: 'PONYEXPRESS_LEASE_NAME',
  leaseDurationSeconds: 'PONYEXPRESS_LEASE_DURATION_SECONDS',
  leaseRetrySeconds: 'PONYEXPRESS_LEASE_RETRY_SECONDS',
  metricsPort: 'PONYEXPRESS_METRICS_PORT',
  metricsHost: 'PONYEXPRESS_METRICS_HOST',
  logLevel: 'PONYEXPRESS_LOG_LEVEL',
  resyncSeconds: 'PONYEXPRESS_RESYNC_SECONDS',
  informerWatchdogSeconds: 'PONYEXPRESS_INFORMER_WATCHDOG_SECONDS',
  watchTimeoutSeconds: 'PONYEXPRESS_WATCH_TIMEOUT_SECONDS',
  staleAfterSeconds: 'PONYEXPRESS_STALE_AFTER_SECONDS',
  requestTimeoutSeconds: 'PONYEXPRESS_REQUEST_TIMEOUT_SECONDS',
  apiQps: 'PONYEXPRESS_API_QPS',
  apiBurst: 'PONYEXPRESS_API_BURST',
  concurrency: 'PONYEXPRESS_CONCURRENCY',
  smokeTimeoutSeconds: 'PONYEXPRESS_SMOKE_TIMEOUT_SECONDS',
  statusMinIntervalSeconds: 'PONYEXPRESS_STATUS_MIN_INTERVAL_SECONDS',
  shutdownGraceSeconds: 'PONYEXPRESS_SHUTDOWN_GRACE_SECONDS',
  resolveDigests: 'PONYEXPRESS_RESOLVE_DIGESTS',
  insecureRegistries: 'PONYEXPRESS_INSECURE_REGISTRIES',
  registryTimeoutSeconds: 'PONYEXPRESS_REGISTRY_TIMEOUT_SECONDS',
  followNamespaces: 'PONYEXPRESS_FOLLOW_NAMESPACES',
  webhookPort: 'PONYEXPRESS_WEBHOOK_PORT',
  webhookHost: 'PONYEXPRESS_WEBHOOK_HOST',
  webhookSecretFile: 'PONYEXPRESS_WEBHOOK_SECRET_FILE',
  webhookTlsCertFile: 'PONYEXPRESS_WEBHOOK_TLS_CERT_FILE',
  webhookTlsKeyFile: 'PONYEXPRESS_WEBHOOK_TLS_KEY_FILE',
  webhookRatePerSecond: 'PONYEXPRESS_WEBHOOK_RATE_PER_SECOND',
  webhookBurst: 'PONYEXPRESS_WEBHOOK_BURST',
  webhookMaxBodyBytes: 'PONYEXPRESS_WEBHOOK_MAX_BODY_BYTES',
} as const;

/** V8's old-generation cap for the operator, MiB (`--max-old-space-size` below). */
export const OPERATOR_HEAP_MIB = 160;
/**
 * The least memory limit the operator's chart accepts, MiB: the heap's cap and what lives beside it (the node
 * binary's pages, stacks, malloc, the young generation: 68 MiB at 500 pipelines), with room.
 */
export const OPERATOR_MEMORY_LIMIT_FLOOR_MIB = OPERATOR_HEAP_MIB + 96;

/**
 * How the operator's Node process runs: set by its chart, and the benchmark's default, so it measures what
 * ships. V8's old generation is held inside the container's memory limit (pressure shows as GC, not an OOM
 * kill) and its young generation capped at 2 MiB (docs/operator-bench.md).
 * `--v8-pool-size=1`: one V8 helper thread, not four. On a node's shared cores, full collections' pauses
 * waited for descheduled helpers (up to 125 ms at 500 pipelines; 60-67 ms with one: docs/operator-bench.md).
 */
export const OPERATOR_PROCESS_ENV: Readonly<Record<string, string>> = {
  NODE_OPTIONS: `--max-old-space-size=${OPERATOR_HEAP_MIB} --max-semi-space-size=2 --v8-pool-size=1`,
};

/** The compiled entry point, as operator/Dockerfile builds it. */
export const OPERATOR_ENTRY = 'build/operator/runtime/main.js';

/**
 * V8 flags Node refuses in NODE_OPTIONS, so they go on the command line: the chart's `command`, the
 * benchmark's and the cluster tests' operator process. A young collection (2 MiB) runs on the main thread
 * alone: on a busy node V8's helper threads get descheduled and the main thread waited for them, up to
 * 105 ms for parallel scavenging and 114 ms for array-buffer sweeping at 500 pipelines (docs/operator-bench.md).
 * `--optimize-for-size`: V8 grows the heap less while busy and runs its own memory reducer (incremental)
 * once quiet, which it never does in Node otherwise. At 500 pipelines: peak RSS 117-121 MiB instead of 136-140,
 * and no forced collection at rest (that was a 120-140 ms block).
 */
export const OPERATOR_NODE_FLAGS: readonly string[] = [
  '--no-parallel-scavenge',
  '--no-concurrent-array-buffer-sweeping',
  '--optimize-for-size',
];

/** The operator container's command (node, its flags, the entry point). */
export const OPERATOR_COMMAND: readonly string[] = ['node', ...OPERATOR_NODE_FLAGS, OPERATOR_ENTRY];
