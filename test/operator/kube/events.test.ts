// The Event recorder: reconciles record and go on; Events are sent in the background, in the Events'
// own rate-limit bucket, bounded, and drained at shutdown.
import { EventRecorder } from '../../../operator/kube/events.js';
import { KubeError } from '../../../operator/kube/client.js';
import type { Priority } from '../../../operator/kube/transport.js';
import { createLogger } from '../../../operator/runtime/log.js';

const PROMOTION = { metadata: { name: 'ponyshop', namespace: 'ponyshop-production', uid: 'u-1' } };
const event = (reason: string) => ({ type: 'Normal' as const, reason, message: `${reason} happened` });

/** An Events API that answers when told to, and refuses reasons listed in `refuse`. */
class HeldEventsApi {
  readonly sent: { path: string; reason: string; opts: Priority; at: string }[] = [];
  readonly refuse = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;
  private answers: (() => void)[] = [];

  async create<T>(path: string, body: unknown, opts: Priority = {}): Promise<T> {
    const b = body as { reason: string; firstTimestamp: string };
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((resolve) => this.answers.push(resolve));
    this.inFlight--;
    if (this.refuse.has(b.reason)) throw new KubeError(403, 'Forbidden', 'events is forbidden');
    this.sent.push({ path, reason: b.reason, opts, at: b.firstTimestamp });
    return body as T;
  }

  /** Answers every create waiting now, and lets their continuations run. */
  async answerAll(): Promise<void> {
    this.answers.splice(0).forEach((answer) => answer());
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function setUp(o: { capacity?: number; concurrency?: number; stopTimeoutMs?: number } = {}) {
  const api = new HeldEventsApi();
  const lines: Record<string, unknown>[] = [];
  let dropped = 0;
  let time = Date.parse('2026-12-04T10:00:00Z');
  const recorder = new EventRecorder({
    client: api,
    identity: 'op-0',
    log: createLogger('info', {}, (line) => lines.push(JSON.parse(line))),
    onDrop: () => dropped++,
    now: () => new Date((time += 1000)),
    ...o,
  });
  return { api, lines, recorder, dropped: () => dropped };
}

describe('EventRecorder', () => {
  it('returns at once; sends in the Events bucket, with the time it was recorded and the priority given', async () => {
    const { api, recorder } = setUp();
    recorder.record(PROMOTION, event('MigrationJobCreated'), { ahead: true });
    recorder.record(PROMOTION, event('Promoted'));
    expect(recorder.pending).toBe(2);
    expect(api.sent).toEqual([]);
    await api.answerAll();
    expect(api.sent).toEqual([
      {
        path: '/api/v1/namespaces/ponyshop-production/events',
        reason: 'MigrationJobCreated',
        opts: { ahead: true, event: true },
        at: '2026-12-04T10:00:01.000Z',
      },
      {
        path: '/api/v1/namespaces/ponyshop-production/events',
        reason: 'Promoted',
        opts: { event: true },
        at: '2026-12-04T10:00:02.000Z',
      },
    ]);
    expect(recorder.pending).toBe(0);
  });

  it('sends at most `concurrency` at once, the rest in order as answers come', async () => {
    const { api, recorder } = setUp({ concurrency: 2 });
    for (const r of ['a', 'b', 'c', 'd', 'e']) recorder.record(PROMOTION, event(r));
    expect(api.inFlight).toBe(2);
    while (recorder.pending) await api.answerAll();
    expect(api.sent.map((s) => s.reason)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(api.maxInFlight).toBe(2);
  });

  it('a refused Event is logged with its object and reason, and the others still go', async () => {
    const { api, lines, recorder } = setUp();
    api.refuse.add('Denied');
    recorder.record(PROMOTION, event('Denied'));
    recorder.record(PROMOTION, event('Promoted'));
    await api.answerAll();
    expect(api.sent.map((s) => s.reason)).toEqual(['Promoted']);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'could not record event',
        reason: 'Denied',
        object: 'Promotion/ponyshop-production/ponyshop',
        err: expect.objectContaining({ code: 403, message: 'events is forbidden' }),
      }),
    ]);
  });

  it('past `capacity` waiting, drops and counts new Events, with one line when it starts and one when it ends', async () => {
    const { api, lines, recorder, dropped } = setUp({ capacity: 2, concurrency: 1 });
    for (const r of ['a', 'b', 'c', 'd', 'e', 'f']) recorder.record(PROMOTION, event(r));
    // 'a' is being sent, 'b' and 'c' wait: the other three are dropped.
    expect(dropped()).toBe(3);
    expect(lines.map((l) => l.msg)).toEqual(['events dropped: too many waiting for the Events API']);
    while (recorder.pending) await api.answerAll();
    expect(api.sent.map((s) => s.reason)).toEqual(['a', 'b', 'c']);
    expect(lines.map((l) => [l.msg, l.dropped])).toEqual([
      ['events dropped: too many waiting for the Events API', undefined],
      ['events sent again; some were dropped', 3],
    ]);
    recorder.record(PROMOTION, event('g'));
    await api.answerAll();
    expect(api.sent.map((s) => s.reason)).toEqual(['a', 'b', 'c', 'g']);
    expect(dropped()).toBe(3);
  });

  it('stop() sends what waits before the process exits', async () => {
    const { api, recorder } = setUp({ concurrency: 1 });
    recorder.record(PROMOTION, event('a'));
    recorder.record(PROMOTION, event('b'));
    const stopped = recorder.stop();
    const answering = setInterval(() => void api.answerAll(), 1);
    await stopped;
    clearInterval(answering);
    expect(api.sent.map((s) => s.reason)).toEqual(['a', 'b']);
  });

  it('stop() gives up after its timeout, and says how many were not sent', async () => {
    const { lines, recorder } = setUp({ stopTimeoutMs: 20 });
    recorder.record(PROMOTION, event('a'));
    await recorder.stop();
    expect(lines).toEqual([expect.objectContaining({ msg: 'events not sent before shutdown', pending: 1 })]);
  });
});
