// Leader election on a coordination.k8s.io/v1 Lease (client-node has none). Same rules as
// client-go's leaderelection: a follower takes the Lease only after it has seen the record
// unchanged for a whole lease duration (by its own clock, so clock skew does not matter); the
// leader renews every retry period and considers itself leader only until lastRenew +
// renewDeadline (< lease duration), so it stops acting before anyone else can take over.
// Lease traffic has its own connection (transport lane 'lease') and every Lease request a
// deadline, and a timer ends leadership at the renew deadline even while a renewal hangs.
import type { Logger } from '../telemetry.js';
import { KubeError, type KubeClient } from './client.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** MicroTime: RFC 3339 with microseconds, as the Lease schema wants. */
const microTime = () => new Date().toISOString().replace(/Z$/, '000Z');
const errorCode = (err: unknown) => (err instanceof KubeError ? err.code : undefined);

export interface LeaderElectorOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  retrySeconds: number;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  log: Logger;
  /** @default the real clock */
  clock?: Clock;
}

/** Who may write: the Lease-based elector, or a single replica that always may. */
export interface Leadership {
  isLeader(): boolean;
  /** Called with true when this replica starts leading, false when it stops. */
  onChange(handler: (leading: boolean) => void): void;
  start(): void;
  stop(): Promise<void>;
}

/** Leader election disabled (one replica, development): leads from start() to stop(). */
export class AlwaysLeader implements Leadership {
  private leading = false;
  private readonly handlers: ((leading: boolean) => void)[] = [];
  isLeader(): boolean {
    return this.leading;
  }
  onChange(handler: (leading: boolean) => void): void {
    this.handlers.push(handler);
  }
  start(): void {
    this.leading = true;
    this.handlers.forEach((h) => h(true));
  }
  async stop(): Promise<void> {
    this.leading = false;
    this.handlers.forEach((h) => h(false));
  }
}

export class LeaderElector implements Leadership {
  private readonly path: string;
  private timer?: TimerHandle;
  private deadline?: TimerHandle;
  private readonly clock: Clock;
  private leading = false;
  private lastRenewMs = 0;
  private observed?: { holder: string; renewTime: string; atMs: number };
  private stopped = false;
  private readonly handlers: ((leading: boolean) => void)[] = [];

  constructor(
    private readonly client: Pick<KubeClient, 'request'>,
    private readonly o: LeaderElectorOptions,
  ) {
    this.clock = o.clock ?? realClock;
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${o.namespace}/leases`;
  }

  /** True only while the last successful renewal is younger than the renew deadline. */
  isLeader(): boolean {
    return this.leading && this.clock.now() - this.lastRenewMs < this.renewDeadlineMs();
  }

  onChange(handler: (leading: boolean) => void): void {
    this.handlers.push(handler);
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  /** Stops electing; a leader releases the Lease so a follower takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.clock.clearTimeout(this.deadline);
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity !== this.o.identity) return;
      lease.spec.holderIdentity = undefined;
      lease.spec.leaseDurationSeconds = 1;
      lease.spec.renewTime = microTime();
      await this.replace(lease);
      this.o.log.info('released lease');
    } catch (err) {
      this.o.log.warn('could not release lease; followers wait for it to expire', { err });
    }
  }

  private renewDeadlineMs(): number {
    // Like client-go's default ratio (renewDeadline 10s of leaseDuration 15s).
    return (this.o.leaseDurationSeconds * 1000 * 2) / 3;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const ok = await this.tryAcquireOrRenew();
      // stop() ran meanwhile: it has released (or not held) the Lease; do not start leading now.
      if (this.stopped) return;
      if (ok) {
        this.lastRenewMs = this.clock.now();
        this.armDeadline();
        if (!this.leading) this.setLeading(true);
      } else if (this.leading) {
        this.setLeading(false);
      }
    } catch (err) {
      this.o.log.warn('lease request failed', { err: String(errorCode(err) ?? err) });
    }
    if (this.leading && !this.isLeader()) this.setLeading(false);
    if (!this.stopped) {
      this.timer = this.clock.setTimeout(() => void this.tick(), this.o.retrySeconds * 1000);
    }
  }

  /** Ends leadership at the renew deadline unless a renewal succeeds first. */
  private armDeadline(): void {
    this.clock.clearTimeout(this.deadline);
    this.deadline = this.clock.setTimeout(() => {
      if (this.leading && !this.isLeader()) {
        this.o.log.warn('lease not renewed before the renew deadline', { lease: this.o.name });
        this.setLeading(false);
      }
    }, this.renewDeadlineMs() + 1);
  }

  /**
   * Like client-go, a leader's renewal may take until the renew deadline (a busy apiserver is
   * slow, not gone); a follower's attempt at most one retry period.
   */
  private requestOptions(): { lane: 'lease'; timeoutMs: number } {
    const left = this.leading
      ? this.lastRenewMs + this.renewDeadlineMs() - this.clock.now()
      : this.o.retrySeconds * 1000;
    return { lane: 'lease', timeoutMs: Math.max(500, Math.ceil(left)) };
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.o.log.info(leading ? 'became leader' : 'lost leadership', { lease: this.o.name, identity: this.o.identity });
    if (leading) this.o.onStartedLeading?.();
    else this.o.onStoppedLeading?.();
    this.handlers.forEach((h) => h(leading));
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.client.request<Lease>('GET', `${this.path}/${this.o.name}`, this.requestOptions());
    } catch (err) {
      if (errorCode(err) === 404) return undefined;
      throw err;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = microTime();
    const lease = await this.read();
    if (!lease) {
      try {
        await this.client.request('POST', this.path, {
          ...this.requestOptions(),
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.o.name, namespace: this.o.namespace },
            spec: {
              holderIdentity: this.o.identity,
              leaseDurationSeconds: this.o.leaseDurationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
        });
        return true;
      } catch (err) {
        if (errorCode(err) === 409) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ?? '';
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, atMs: this.clock.now() };
    }
    const duration = (spec.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000;
    const heldByOther = holder !== '' && holder !== this.o.identity;
    if (heldByOther && this.clock.now() - this.observed.atMs < duration) return false;

    const taking = holder !== this.o.identity;
    lease.spec = {
      ...spec,
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.o.leaseDurationSeconds,
      renewTime: now,
      acquireTime: taking ? now : spec.acquireTime,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (taking ? 1 : 0),
    };
    try {
      await this.replace(lease);
      return true;
    } catch (err) {
      if (errorCode(err) === 409) return false;
      throw err;
    }
  }

  /** resourceVersion in the body makes this a compare-and-swap: 409 means someone else won. */
  private async replace(lease: Lease): Promise<void> {
    await this.client.request('PUT', `${this.path}/${this.o.name}`, {
      ...this.requestOptions(),
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...lease },
    });
  }
}
