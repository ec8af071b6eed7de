// Kubernetes Events (core/v1, which `kubectl describe` shows and the chart's RBAC grants), sent off the
// reconcile's path as client-go's recorder does: a reconcile records its Events and ends, so a slow or
// refusing Events API never holds a promotion's next step. Best effort: a lost Event must never fail or
// repeat a step, and status holds the state. Bounded: past `capacity` waiting, new Events are dropped and
// counted (client-go drops too), and stop() sends what waits before the process exits.
import { randomBytes } from 'node:crypto';
import type { PlanEvent } from '../core/types.js';
import { FIELD_MANAGER } from '../core/types.js';
import type { Logger } from '../telemetry.js';
import type { KubeClient } from './client.js';
import type { Priority } from './transport.js';

/** The object an Event is about: a Promotion or an ImageFollow. */
export interface InvolvedObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; uid?: string };
}

export function eventBody(
  o: InvolvedObject,
  e: PlanEvent,
  instance: string,
  now = new Date(),
): Record<string, unknown> {
  const time = now.toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${o.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: o.metadata.namespace },
    involvedObject: {
      apiVersion: o.apiVersion ?? 'ponyexpress.dev/v1alpha1',
      kind: o.kind ?? 'Promotion',
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
    },
    type: e.type,
    reason: e.reason,
    message: e.message.slice(0, 1024),
    source: { component: FIELD_MANAGER },
    reportingComponent: FIELD_MANAGER,
    reportingInstance: instance,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}

/** Where reconciles record Events: they return at once. */
export interface EventSink {
  record(o: InvolvedObject, e: PlanEvent, opts?: Priority): void;
}

export interface EventRecorderOptions {
  client: Pick<KubeClient, 'create'>;
  /** The reporting instance (this replica's identity). */
  identity: string;
  log: Logger;
  /** Events waiting to be sent; more are dropped. @default 1000 (client-go's) */
  capacity?: number;
  /** Creates in flight at once (they share the Events' own rate-limit bucket). @default 16 */
  concurrency?: number;
  /** How long stop() waits for the Events still waiting. @default 5000 ms */
  stopTimeoutMs?: number;
  /** Called for every Event dropped because `capacity` were waiting (a metric). */
  onDrop?: () => void;
  now?: () => Date;
}

interface Waiting {
  path: string;
  body: Record<string, unknown>;
  opts: Priority;
}

export class EventRecorder implements EventSink {
  readonly name = 'events';
  private readonly waiting: Waiting[] = [];
  private sending = 0;
  private dropped = 0;
  private readonly idle = new Set<() => void>();
  private readonly capacity: number;
  private readonly concurrency: number;

  constructor(private readonly o: EventRecorderOptions) {
    this.capacity = o.capacity ?? 1000;
    this.concurrency = o.concurrency ?? 16;
  }

  /** Events recorded and not yet answered. */
  get pending(): number {
    return this.waiting.length + this.sending;
  }

  record(obj: InvolvedObject, e: PlanEvent, opts: Priority = {}): void {
    if (this.waiting.length >= this.capacity) {
      // One line per episode, not one per Event: the line that ends it gives the count.
      if (this.dropped++ === 0)
        this.o.log.warn('events dropped: too many waiting for the Events API', { capacity: this.capacity });
      this.o.onDrop?.();
      return;
    }
    // Built now, so the Event's time is when it happened, not when it was sent.
    const body = eventBody(obj, e, this.o.identity, this.o.now?.());
    this.waiting.push({ path: `/api/v1/namespaces/${obj.metadata.namespace}/events`, body, opts });
    this.pump();
  }

  start(): void {}

  /** At shutdown: sends what waits, for up to `stopTimeoutMs`. */
  async stop(): Promise<void> {
    if (!(await this.drain(this.o.stopTimeoutMs ?? 5000)))
      this.o.log.warn('events not sent before shutdown', { pending: this.pending });
  }

  /** Waits until every recorded Event was answered, or `timeoutMs`; false if some still wait. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return true;
    let done!: () => void;
    const drained = new Promise<void>((resolve) => this.idle.add((done = resolve)));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ok = await Promise.race([drained.then(() => true), timedOut]);
    clearTimeout(timer);
    this.idle.delete(done);
    return ok;
  }

  private pump(): void {
    while (this.sending < this.concurrency && this.waiting.length) {
      const next = this.waiting.shift()!;
      this.sending++;
      void this.send(next).finally(() => {
        this.sending--;
        this.pump();
        this.settle();
      });
    }
  }

  private async send({ path, body, opts }: Waiting): Promise<void> {
    try {
      await this.o.client.create(path, body, { ...opts, event: true });
    } catch (err) {
      const { reason, involvedObject } = body as { reason: string; involvedObject: { kind: string; name: string } };
      this.o.log.warn('could not record event', {
        reason,
        object: `${involvedObject.kind}/${(body.metadata as { namespace: string }).namespace}/${involvedObject.name}`,
        err,
      });
    }
  }

  private settle(): void {
    if (this.pending > 0) return;
    if (this.dropped > 0) {
      this.o.log.warn('events sent again; some were dropped', { dropped: this.dropped });
      this.dropped = 0;
    }
    for (const done of this.idle) done();
  }
}
