// The environment variables the operator reads (operator/runtime/config.ts) and its chart sets
// (charts/operator/workload.ts).
export const OPERATOR_ENV = {
  namespace: 'POD_NAMESPACE',
  identity: 'POD_NAME',
  watchNamespaces: 'PONYEXPRESS_WATCH_NAMESPACES',
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
  smokeTimeoutSeconds: 'PONYEXPRESS_SMOKE_TIMEOUT_SECONDS',
  statusMinIntervalSeconds: 'PONYEXPRESS_STATUS_MIN_INTERVAL_SECONDS',
  shutdownGraceSeconds: 'PONYEXPRESS_SHUTDOWN_GRACE_SECONDS',
  resolveDigests: 'PONYEXPRESS_RESOLVE_DIGESTS',
  insecureRegistries: 'PONYEXPRESS_INSECURE_REGISTRIES',
  registryTimeoutSeconds: 'PONYEXPRESS_REGISTRY_TIMEOUT_SECONDS',
} as const;
