// The operator's entrypoint: builds the parts bottom-up (transport, client, cache, leadership,
// controller, queue), connects them through handlers, and hands them to the manager, which
// starts them in order and stops them in reverse on SIGTERM. Only the leader reconciles; every
// replica keeps warm caches, so a new leader starts at once.
import { loadClusterAccess } from '../kube/access.js';
import { Cache, listsAtOnceFor } from '../kube/cache.js';
import { EventRecorder } from '../kube/events.js';
import { KubeClient } from '../kube/client.js';
import { PromotionController } from '../kube/controller.js';
import { AlwaysLeader, LeaderElector, type Leadership } from '../kube/leader.js';
import { WorkQueue } from '../kube/queue.js';
import { Transport } from '../kube/transport.js';
import { ConfigError, configHelp, loadConfig, readCommandLine, type OperatorConfig } from './config.js';
import { createLogger } from './log.js';
import { Manager } from './manager.js';
import { OperatorMetrics } from './metrics.js';
import { startProbeServer, type ProbeServer } from './server.js';
import { GitWriteBack, secretReader } from '../kube/gitops.js';
import { wireFollow } from './follow-wiring.js';

function configOrExit(): OperatorConfig {
  const command = readCommandLine(process.argv.slice(2));
  if ('problem' in command) {
    process.stderr.write(`${command.problem}\n`);
    process.exit(2);
  }
  if (command.help) {
    process.stdout.write(configHelp());
    process.exit(0);
  }
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel, { identity: config.identity });
  // Before the metrics, whose CPU-burst clock then measures the operator at work: a kubeconfig
  // file loads the YAML parser here (38-41 ms of CPU once, before anything connects or is served).
  const access = await loadClusterAccess();
  const metrics = new OperatorMetrics();
  const transport = new Transport(access, {
    qps: config.apiQps,
    burst: config.apiBurst,
    onWait: (lane, seconds) => metrics.apiWait.observe(seconds, { lane }),
  });
  const client = new KubeClient(
    transport,
    (verb, resource) => {
      metrics.apiRequests.inc({ verb, resource });
      if (verb !== 'get' && verb !== 'watch') metrics.apiWrites.inc({ verb, resource });
      return (seconds) => metrics.apiDuration.observe(seconds, { verb });
    },
    config.requestTimeoutSeconds * 1000,
  );

  const cache = new Cache(client, {
    watchNamespaces: config.watchNamespaces,
    scope: config.watchScope,
    watchTimeoutMs: config.watchTimeoutSeconds * 1000,
    watchdogMs: config.informerWatchdogSeconds * 1000,
    onRestart: (resource, why) => metrics.informerRestarts.inc({ resource, why }),
    onLag: (resource, seconds) => metrics.watchLag.observe(seconds, { resource }),
    listsAtOnce: listsAtOnceFor(config.watchScope, config.apiQps),
    log,
  });
  const leadership: Leadership = config.leaderElection
    ? new LeaderElector(client, {
        namespace: config.namespace,
        name: config.leaseName,
        identity: config.identity,
        leaseDurationSeconds: config.leaseDurationSeconds,
        retrySeconds: config.leaseRetrySeconds,
        log,
      })
    : new AlwaysLeader();
  const recorder = new EventRecorder({
    client,
    identity: config.identity,
    log,
    onDrop: () => metrics.eventsDropped.inc(),
  });
  const controller = new PromotionController({
    cache,
    exec: {
      client,
      isLeader: () => leadership.isLeader(),
      events: recorder,
      smokeTimeoutMs: config.smokeTimeoutSeconds * 1000,
      log,
      registry: { insecureRegistries: config.insecureRegistries, timeoutMs: config.registryTimeoutSeconds * 1000 },
    },
    metrics,
    log,
    statusMinIntervalMs: config.statusMinIntervalSeconds * 1000,
    resolveDigests: config.resolveDigests,
    gitWriteBack: new GitWriteBack({ secrets: secretReader(client), log }),
  });
  const queue = new WorkQueue({
    concurrency: config.concurrency,
    handler: (key) => controller.reconcile(key),
    observe: {
      waited: (ms) => metrics.queueWait.observe(ms / 1000),
      took: (ms) => metrics.reconcileDuration.observe(ms / 1000),
    },
    onError: (key, err, retryInMs) => log.warn('reconcile failed; will retry', { promotion: key, retryInMs, err }),
  });

  // Wiring: cache events feed the queue; leadership starts and pauses it.
  const keyOf = (p: { metadata: { namespace: string; name: string } }) => `${p.metadata.namespace}/${p.metadata.name}`;
  const enqueueAll = () => cache.listPromotions().forEach((p) => queue.add(keyOf(p)));
  cache.addHandler((key) => queue.add(key));
  leadership.onChange((leading) => {
    if (!leading) return queue.pause(); // keys stay queued; in-flight reconciles stop at their next write (the fence)
    queue.start();
    enqueueAll();
  });
  metrics.bind({
    queueDepth: () => queue.depth,
    isLeader: () => leadership.isLeader(),
    connections: () => transport.connections(),
    informers: () => cache.size,
  });

  const follow = wireFollow(config, client, leadership, recorder, log);
  const staleMs = config.staleAfterSeconds * 1000;
  let server: ProbeServer | undefined;
  let resync: NodeJS.Timeout | undefined;
  const manager = new Manager(log)
    .add({
      name: 'probes',
      start: async () => {
        server = await startProbeServer(config.metricsHost, config.metricsPort, {
          healthy: () => cache.stuckReason(),
          notReadyReason: () => transport.unreachableReason(staleMs) ?? cache.notReadyReason(staleMs),
          metrics: () => metrics.render(),
        });
      },
      stop: () => server?.close(),
    })
    // Stopped after the queues have drained: it sends the Events their last reconciles recorded.
    .add(recorder)
    // Not awaited: the Promotion informers' first list enqueues every Promotion anyway, and
    // SIGTERM must work even while the apiserver is unreachable.
    .add({ name: 'cache', start: () => void cache.start(), stop: () => cache.stop() });
  follow?.runnables.forEach((r) => manager.add(r));
  manager
    .add({ name: 'leader-election', start: () => leadership.start(), stop: () => leadership.stop() })
    .add({
      name: 'resync',
      start: () => void (resync = setInterval(enqueueAll, config.resyncSeconds * 1000).unref()),
      stop: () => clearInterval(resync),
    })
    .add({
      name: 'queue',
      start: () => {}, // leadership starts it
      stop: async () => {
        if (!(await queue.shutdown(config.shutdownGraceSeconds * 1000)))
          log.warn('reconciles still running at the end of the grace period');
      },
    });
  await manager.start();
  log.info('operator starting', {
    metricsPort: server!.port,
    watchNamespaces: config.watchNamespaces,
    leaderElection: config.leaderElection,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await manager.stop();
    transport.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'operator crashed', err: String((err as Error)?.stack ?? err) })}\n`,
  );
  process.exit(1);
});
