// Wires "staging follows the registry" into the process: one ImageFollow informer per follow namespace,
// its own work queue (a slow registry never delays a promotion), the controller with the direct-apply
// mover, and the webhook. Returned as runnables for the manager; the leader alone reconciles.
import { readFileSync } from 'node:fs';
import type { ImageFollowObject } from '../core/follow-types.js';
import type { StagingMover } from '../core/staging-mover.js';
import type { KubeClient } from '../kube/client.js';
import { FollowController, followPath } from '../kube/follow-controller.js';
import { DirectApplyMover } from '../kube/follow-apply.js';
import { GitStagingMover } from '../kube/follow-git.js';
import type { EventSink } from '../kube/events.js';
import { secretReader } from '../kube/gitops.js';
import { ResilientInformer } from '../kube/informer.js';
import type { Leadership } from '../kube/leader.js';
import { WorkQueue } from '../kube/queue.js';
import { registryEndpoint } from '../io/registry-protocol.js';
import type { Push } from '../io/webhook-payload.js';
import type { Logger } from '../telemetry.js';
import type { OperatorConfig } from './config.js';
import type { Runnable } from './manager.js';
import { loadWebhookTls, startWebhookServer, webhookTlsReloader, type WebhookServer } from './webhook-server.js';

export interface FollowWiring {
  runnables: Runnable[];
  queueDepth(): number;
}

export function wireFollow(
  config: OperatorConfig,
  client: KubeClient,
  leadership: Leadership,
  events: EventSink,
  log: Logger,
  mover: StagingMover = new DirectApplyMover(client),
  gitMover: StagingMover = new GitStagingMover({ client, secrets: secretReader(client) }),
): FollowWiring | undefined {
  if (config.followNamespaces.length === 0) {
    if (config.webhookPort !== undefined)
      log.warn('webhook port set but no follow namespaces: the webhook is not started');
    return undefined;
  }
  const keyOf = (f: ImageFollowObject) => `${f.metadata.namespace}/${f.metadata.name}`;
  // Only new objects and spec changes enqueue: the follower's own status writes would otherwise each cost a poll.
  const seenGeneration = new Map<string, string>();
  let queue: WorkQueue | undefined = undefined;
  const informers = config.followNamespaces.map(
    (ns) =>
      new ResilientInformer<ImageFollowObject>(client, followPath(ns), {
        watchTimeoutMs: config.watchTimeoutSeconds * 1000,
        watchdogMs: config.informerWatchdogSeconds * 1000,
        onEvent: (f) => {
          const key = keyOf(f);
          // uid too: a follow deleted and created again starts at generation 1 again.
          const seen = `${f.metadata.uid ?? ''}/${f.metadata.generation ?? ''}`;
          if (seenGeneration.get(key) === seen) return;
          seenGeneration.set(key, seen);
          queue?.add(key);
        },
        onRestart: () => {},
        log,
      }),
  );
  const lookup = (key: string) => {
    const [ns, name] = key.split('/');
    return informers[config.followNamespaces.indexOf(ns)]?.get(name, ns);
  };
  const controller = new FollowController({
    client,
    lookup,
    mover,
    gitMover,
    registry: { insecureRegistries: config.insecureRegistries, timeoutMs: config.registryTimeoutSeconds * 1000 },
    isLeader: () => leadership.isLeader(),
    events,
    log,
    onMoved: (key, t) =>
      log.info('staging moved', { follow: key, image: t.image, tag: t.tag, mode: t.git ? gitMover.mode : mover.mode }),
  });
  const followQueue = new WorkQueue({
    concurrency: 4,
    handler: (key) => controller.reconcile(key),
    onError: (key, err, retryInMs) => log.warn('follow reconcile failed; will retry', { follow: key, retryInMs, err }),
  });
  queue = followQueue;
  const all = () => informers.flatMap((i) => i.list());
  leadership.onChange((leading) => {
    if (!leading) return followQueue.pause();
    followQueue.start();
    all().forEach((f) => followQueue.add(keyOf(f)));
  });

  const onPushes = (pushes: Push[], source: string): number => {
    const names = new Set(pushes.map((p) => p.name));
    const hit = all().filter((f) => names.has(registryEndpoint(f.spec.repository, config.insecureRegistries).name));
    hit.forEach((f) => followQueue.add(keyOf(f)));
    log.info('webhook', {
      source,
      pushes: pushes.map((p) => `${p.name}:${p.tag ?? p.digest ?? ''}`),
      enqueued: hit.length,
    });
    return hit.length;
  };

  let webhook: WebhookServer | undefined;
  let reloader: { stop(): void } | undefined;
  const runnables: Runnable[] = [
    {
      name: 'follow-cache',
      start: () => void Promise.all(informers.map((i) => i.start())),
      stop: async () => void (await Promise.all(informers.map((i) => i.stop()))),
    },
    {
      name: 'follow-queue',
      start: () => {}, // leadership starts it
      stop: async () => void (await followQueue.shutdown(config.shutdownGraceSeconds * 1000)),
    },
  ];
  if (config.webhookPort !== undefined) {
    const secret = readFileSync(config.webhookSecretFile!, 'utf8').trim();
    if (secret.length < 16)
      throw new Error(
        `${config.webhookSecretFile}: the webhook secret must be at least 16 characters (it is ${secret.length})`,
      );
    // Read and checked now, so a bad mount fails the start, not each handshake.
    const tls = config.webhookTlsCertFile
      ? loadWebhookTls(config.webhookTlsCertFile, config.webhookTlsKeyFile!)
      : undefined;
    runnables.push({
      name: 'follow-webhook',
      start: async () => {
        webhook = await startWebhookServer({
          host: config.webhookHost,
          port: config.webhookPort!,
          secret,
          maxBodyBytes: config.webhookMaxBodyBytes,
          ratePerSecond: config.webhookRatePerSecond,
          burst: config.webhookBurst,
          onPushes,
          onRefused: (status, why) => log.warn('webhook refused', { status, why }),
          ...(tls ? { tls } : {}),
        });
        log.info('webhook listening', { port: webhook.port, scheme: tls ? 'https' : 'http' });
        if (tls)
          reloader = webhookTlsReloader(
            config.webhookTlsCertFile!,
            config.webhookTlsKeyFile!,
            tls,
            webhook,
            (level, msg) => log[level](msg),
          );
      },
      stop: () => {
        reloader?.stop();
        return webhook?.close();
      },
    });
  }
  return {
    runnables,
    queueDepth: () => followQueue.depth,
  };
}
