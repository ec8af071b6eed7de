// One reconcile of one ImageFollow: read its credentials Secret (the one the spec names), poll the
// registry, ask the mover where staging is, decide (core/follow-plan.ts), move, then write the status only
// when it changed and emit the Events of its transitions. The answer is when to look again: the interval
// with jitter, a per-follow backoff after registry failures (never before Retry-After), or a short re-check
// while a migration Job runs. The webhook only makes that moment earlier.
import { chooseMove, followProblem, followStatus, type PollOutcome } from '../core/follow-plan.js';
import { nextPollDelayMs } from '../core/follow-select.js';
import {
  FOLLOW_API_VERSION,
  FOLLOW_BACKOFF_BASE_MS,
  FOLLOW_BACKOFF_MAX_MS,
  FOLLOW_DEFAULT_INTERVAL_SECONDS,
  FOLLOW_JITTER,
  FOLLOW_KIND,
  FOLLOW_PLURAL,
  type ImageFollowObject,
} from '../core/follow-types.js';
import { LABEL } from '../core/resource.js';
import type { MoveResult, StagingMover, StagingTarget } from '../core/staging-mover.js';
import { credentialsFor, type RegistryCredentials } from '../io/docker-config.js';
import { RegistryClient } from '../io/registry-client.js';
import { CreatedCache, pollRegistry } from '../io/registry-poll.js';
import type { Logger } from '../telemetry.js';
import { KubeError, type KubeClient } from './client.js';
import { realClock, type Clock } from './clock.js';
import type { EventSink } from './events.js';
import type { ReconcileOutcome } from './queue.js';

export const followPath = (namespace: string, name?: string) =>
  `/apis/ponyexpress.dev/v1alpha1/namespaces/${namespace}/${FOLLOW_PLURAL}${name ? `/${name}` : ''}`;

export interface FollowControllerOptions {
  client: Pick<KubeClient, 'request'>;
  /** The cached object for "namespace/name" (informer), undefined once deleted. */
  lookup: (key: string) => ImageFollowObject | undefined;
  mover: StagingMover;
  /** Moves follows with spec.writeBack.git (a commit, operator/kube/follow-git.ts). @default none: they are refused */
  gitMover?: StagingMover;
  registry: { insecureRegistries: readonly string[]; timeoutMs: number };
  isLeader: () => boolean;
  /** Where the Events of transitions go (events.ts's EventRecorder). */
  events: EventSink;
  log: Logger;
  clock?: Clock;
  /** [0, 1) for poll jitter. @default Math.random */
  random?: () => number;
  /** Called when a move completes, with the follow key and the target (metrics, measurements). */
  onMoved?: (key: string, target: StagingTarget) => void;
}

interface KeyState {
  failures: number;
  client?: { secretVersion: string; client: RegistryClient };
}

export class FollowController {
  private readonly state = new Map<string, KeyState>();
  private readonly created = new CreatedCache();
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly o: FollowControllerOptions) {
    this.clock = o.clock ?? realClock;
    this.random = o.random ?? Math.random;
  }

  async reconcile(key: string): Promise<ReconcileOutcome> {
    const follow = this.o.lookup(key);
    if (!follow) {
      this.state.delete(key);
      return {};
    }
    if (!this.o.isLeader()) return {};
    const st = this.state.get(key) ?? { failures: 0 };
    this.state.set(key, st);
    const now = new Date(this.clock.now());
    const intervalMs = (follow.spec.intervalSeconds ?? FOLLOW_DEFAULT_INTERVAL_SECONDS) * 1000;
    const git = follow.spec.writeBack?.git;
    const mover = git ? this.o.gitMover : this.o.mover;
    const mode = mover?.mode ?? 'Git';

    if (follow.spec.suspend) {
      await this.write(
        follow,
        followStatus(follow, now, {
          mode,
          blocked: { reason: 'Suspended', message: 'spec.suspend is true: nothing is polled or moved' },
        }),
      );
      return {};
    }
    const problem =
      followProblem(follow) ?? (mover ? undefined : 'spec.writeBack.git is set but this operator has no Git mover');
    if (problem) {
      await this.write(
        follow,
        followStatus(follow, now, { mode, blocked: { reason: 'InvalidSpec', message: problem } }),
      );
      return {};
    }

    const client = await this.registryClient(follow, st);
    const poll: PollOutcome =
      'failure' in client
        ? client.failure
        : await pollRegistry(client.client, follow.spec.repository, follow.spec.tags, this.created);
    const base = {
      follow: { namespace: follow.metadata.namespace, name: follow.metadata.name, uid: follow.metadata.uid },
      repository: follow.spec.repository,
      selector: follow.spec.selector,
      ...(git ? { git } : {}),
    };
    const staging = await mover!.current(base);
    const choice = chooseMove(follow, poll, staging);
    let move: MoveResult | undefined;
    let target: StagingTarget | undefined;
    if (choice.target) {
      target = {
        ...base,
        app: follow.metadata.labels?.[LABEL.name] ?? follow.metadata.name,
        tag: choice.target.tag,
        digest: choice.target.digest,
        image: `${follow.spec.repository}@${choice.target.digest}`,
        migrationJobSelector: follow.spec.migrationJobSelector,
        ...(follow.status?.current?.image ? { expected: follow.status.current.image } : {}),
      };
      move = await mover!.move(target);
      this.o.log.info('follow move', { follow: key, image: target.image, tag: target.tag, state: move.state, mode });
    }
    await this.write(follow, followStatus(follow, now, { poll, choice, move, mode, staging }));
    if (move?.state === 'Done' && target) this.o.onMoved?.(key, target);

    const failed = !poll.ok || (move?.state === 'Failed' && !move.permanent);
    st.failures = failed ? st.failures + 1 : 0;
    if (move?.state === 'InProgress') return { requeueAfterMs: move.retryAfterMs ?? 3000 };
    const requeueAfterMs = nextPollDelayMs({
      intervalMs,
      failures: st.failures,
      retryAfterMs: poll.ok ? undefined : poll.retryAfterMs,
      random: this.random(),
      jitter: FOLLOW_JITTER,
      baseMs: FOLLOW_BACKOFF_BASE_MS,
      capMs: FOLLOW_BACKOFF_MAX_MS,
    });
    if (failed)
      this.o.log.warn('follow: nothing moved; retrying later', {
        follow: key,
        retryInMs: requeueAfterMs,
        reason: poll.ok ? move?.state === 'Failed' && move.reason : poll.reason,
        message: poll.ok ? move?.state === 'Failed' && move.message : poll.message,
      });
    return { requeueAfterMs };
  }

  /** A registry client with the Secret's credentials (re-made when the Secret changes), or why not. */
  private async registryClient(
    follow: ImageFollowObject,
    st: KeyState,
  ): Promise<{ client: RegistryClient } | { failure: PollOutcome }> {
    const opts = this.o.registry;
    const secretName = follow.spec.credentials?.secretName;
    if (!secretName) {
      if (st.client?.secretVersion !== '') st.client = { secretVersion: '', client: new RegistryClient(opts) };
      return { client: st.client.client };
    }
    const ns = follow.metadata.namespace;
    let secret: { type?: string; metadata?: { resourceVersion?: string }; data?: Record<string, string> };
    try {
      secret = await this.o.client.request('GET', `/api/v1/namespaces/${ns}/secrets/${secretName}`);
    } catch (err) {
      const why = err instanceof KubeError ? `${err.reason} (${err.code})` : (err as Error).message;
      return {
        failure: {
          ok: false,
          reason: 'CredentialsUnavailable',
          message: `cannot read Secret ${ns}/${secretName} named in spec.credentials: ${why}; the operator may get only the Secret the chart grants by name`,
        },
      };
    }
    const host = new RegistryClient(opts).endpoint(follow.spec.repository).host;
    // The credentials are per registry host: a new repository host needs a new client even from the same Secret.
    const version = `${secret.metadata?.resourceVersion ?? '?'} ${host}`;
    if (st.client?.secretVersion === version) return { client: st.client.client };
    const raw = secret.data?.['.dockerconfigjson'];
    if (secret.type !== 'kubernetes.io/dockerconfigjson' || !raw) {
      return {
        failure: {
          ok: false,
          reason: 'CredentialsInvalid',
          message: `Secret ${ns}/${secretName} has type ${secret.type ?? '(none)'} without .dockerconfigjson; expected type kubernetes.io/dockerconfigjson (kubectl create secret docker-registry)`,
        },
      };
    }
    let credentials: RegistryCredentials | undefined;
    try {
      credentials = credentialsFor(Buffer.from(raw, 'base64').toString('utf8'), host, `${ns}/${secretName}`);
    } catch (err) {
      return { failure: { ok: false, reason: 'CredentialsInvalid', message: (err as Error).message } };
    }
    st.client = { secretVersion: version, client: new RegistryClient({ ...opts, credentials }) };
    return { client: st.client.client };
  }

  private async write(follow: ImageFollowObject, plan: ReturnType<typeof followStatus>): Promise<void> {
    if (!this.o.isLeader()) return;
    const { namespace, name } = follow.metadata;
    if (plan.statusChanged) {
      const body = {
        apiVersion: FOLLOW_API_VERSION,
        kind: FOLLOW_KIND,
        metadata: { name, namespace, resourceVersion: follow.metadata.resourceVersion },
        spec: follow.spec,
        status: plan.status,
      };
      const updated = await this.o.client.request<ImageFollowObject>('PUT', `${followPath(namespace, name)}/status`, {
        body,
      });
      // The informer will bring it too; until then later reconciles must not re-plan from the old status.
      follow.status = updated.status;
      follow.metadata.resourceVersion = updated.metadata.resourceVersion;
    }
    const involved = { apiVersion: FOLLOW_API_VERSION, kind: FOLLOW_KIND, metadata: follow.metadata };
    for (const e of plan.events) this.o.events.record(involved, e);
  }
}
