// The operator's entrypoint: config -> informers -> leader election -> work queue -> probes.
// Only the leader reconciles; every replica keeps warm caches, so a new leader starts at once.
import { KubeClient } from '../kube/client.js';
import { PromotionController } from '../kube/controller.js';
import { LostLeadership } from '../kube/execute.js';
import { InformerSet } from '../kube/informers.js';
import { LeaderElector } from '../kube/leader.js';
import { loadClusterAccess, Transport } from '../kube/transport.js';
import { promotionsAffectedBy } from '../kube/observe.js';
import { WorkQueue } from '../kube/queue.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { OperatorMetrics } from './metrics.js';
import { startProbeServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, { identity: config.identity });
  const transport = new Transport(await loadClusterAccess());

  let queue: WorkQueue | undefined;
  const metrics = new OperatorMetrics(() => queue?.depth ?? 0);
  const client = new KubeClient(transport, (verb, resource) => {
    metrics.apiRequests.inc({ verb });
    if (verb !== 'get' && verb !== 'watch') metrics.apiWrites.inc({ verb, resource });
  });

  const enqueueAll = () => informers.listPromotions().forEach((p) => queue!.add(`${p.metadata.namespace}/${p.metadata.name}`));
  const informers = new InformerSet(client, {
    watchNamespaces: config.watchNamespaces,
    watchTimeoutMs: config.watchTimeoutSeconds * 1000,
    watchdogMs: config.informerWatchdogSeconds * 1000,
    onPromotionEvent: (p) => queue!.add(`${p.metadata.namespace}/${p.metadata.name}`),
    onObjectEvent: (_r, obj) => {
      const ns = obj.metadata?.namespace;
      if (ns) promotionsAffectedBy(informers.listPromotions(), ns, obj.metadata?.labels).forEach((k) => queue!.add(k));
    },
    onRestart: (resource, why) => metrics.informerRestarts.inc({ resource, why }),
    log,
  });

  let leader: LeaderElector | undefined;
  const isLeader = () => (leader ? leader.isLeader() : true);
  const controller = new PromotionController(
    informers,
    {
      client, isLeader, identity: config.identity, smokeTimeoutMs: config.smokeTimeoutSeconds * 1000, log,
      registry: { insecureRegistries: config.insecureRegistries, timeoutMs: config.registryTimeoutSeconds * 1000 },
    },
    metrics,
    log,
    config.statusMinIntervalSeconds * 1000,
    config.resolveDigests,
  );
  queue = new WorkQueue({
    concurrency: 2,
    handler: (key) => controller.reconcileKey(key),
    onError: (key, err, retryInMs) => {
      if (err instanceof LostLeadership) return;
      log.warn('reconcile failed; will retry', { promotion: key, retryInMs, err });
    },
  });

  const server = await startProbeServer(config.metricsHost, config.metricsPort, {
    healthy: () => informers.stuckReason(),
    notReadyReason: () => informers.notSyncedReason(),
    metrics: () => metrics.render(),
  });
  log.info('operator starting', { metricsPort: server.port, watchNamespaces: config.watchNamespaces, leaderElection: config.leaderElection });

  // Not awaited: the Promotion informer's first list enqueues every Promotion anyway, and
  // SIGTERM must work even while the apiserver is unreachable.
  void informers.start();
  const resync = setInterval(enqueueAll, config.resyncSeconds * 1000);
  resync.unref();

  const lead = () => {
    metrics.isLeader.set(1);
    queue!.start();
    enqueueAll();
  };
  if (config.leaderElection) {
    leader = new LeaderElector(client, {
      namespace: config.namespace,
      name: config.leaseName,
      identity: config.identity,
      leaseDurationSeconds: config.leaseDurationSeconds,
      retrySeconds: config.leaseRetrySeconds,
      onStartedLeading: lead,
      // Keys stay queued; in-flight reconciles stop at their next write (the fence).
      onStoppedLeading: () => {
        metrics.isLeader.set(0);
        queue!.pause();
      },
      log,
    });
    leader.start();
  } else {
    lead();
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    clearInterval(resync);
    const drained = await queue!.shutdown(config.shutdownGraceSeconds * 1000);
    if (!drained) log.warn('reconciles still running at the end of the grace period');
    await leader?.stop();
    await informers.stop();
    await server.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'operator crashed', err: String(err?.stack ?? err) })}\n`);
  process.exit(1);
});
