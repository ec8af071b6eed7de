// Leader election on a fake clock over an in-memory Lease API (compare-and-swap on
// resourceVersion, like the apiserver): leadership ends at the renew deadline even while a
// renewal hangs, and a follower waits a whole lease duration before taking over.
import { KubeError } from '../../../operator/kube/client.js';
import { LeaderElector } from '../../../operator/kube/leader.js';
import { silentLogger } from '../../../operator/telemetry.js';
import { FakeClock } from '../support/fake-clock.js';

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: { holderIdentity?: string; renewTime?: string };
}

class FakeLeaseApi {
  lease?: Lease;
  hang = false;
  private rv = 0;
  constructor(private readonly clock: FakeClock) {}

  async request<T>(method: string, _path: string, opts: { body?: unknown; timeoutMs?: number } = {}): Promise<T> {
    if (this.hang) {
      // The real transport fails a request at its deadline; so does this one.
      await new Promise<void>((_, reject) =>
        this.clock.setTimeout(() => reject(new Error('deadline')), opts.timeoutMs ?? 30_000),
      );
    }
    const body = structuredClone(opts.body) as Lease;
    if (method === 'GET') {
      if (!this.lease) throw new KubeError(404, 'NotFound', 'no lease');
      return structuredClone(this.lease) as T;
    }
    if (method === 'POST' && this.lease) throw new KubeError(409, 'AlreadyExists', 'exists');
    if (method === 'PUT' && body.metadata.resourceVersion !== this.lease?.metadata.resourceVersion)
      throw new KubeError(409, 'Conflict', 'stale');
    this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease) as T;
  }
}

function elector(api: FakeLeaseApi, clock: FakeClock, identity: string) {
  const changes: boolean[] = [];
  const e = new LeaderElector(api, {
    namespace: 'ops',
    name: 'lease',
    identity,
    leaseDurationSeconds: 15,
    retrySeconds: 2,
    log: silentLogger,
    clock,
  });
  e.onChange((leading) => changes.push(leading));
  return { e, changes };
}

describe('LeaderElector', () => {
  it('acquires a free Lease and keeps renewing it', async () => {
    const clock = new FakeClock();
    const api = new FakeLeaseApi(clock);
    const { e, changes } = elector(api, clock, 'a');
    e.start();
    await clock.advance(0);
    expect(changes).toEqual([true]);
    await clock.advance(30_000);
    expect(e.isLeader()).toBe(true);
    expect(api.lease?.spec?.holderIdentity).toBe('a');
    await e.stop();
  });

  it('stops leading at the renew deadline while a renewal hangs', async () => {
    const clock = new FakeClock();
    const api = new FakeLeaseApi(clock);
    const { e, changes } = elector(api, clock, 'a');
    e.start();
    await clock.advance(0);
    api.hang = true;
    await clock.advance(9_000);
    expect(e.isLeader()).toBe(true); // renew deadline is 2/3 of 15 s
    await clock.advance(1_100);
    expect(e.isLeader()).toBe(false);
    expect(changes).toEqual([true, false]);
    api.hang = false;
    await clock.advance(20_000);
    expect(changes).toEqual([true, false, true]);
    await e.stop();
  });

  it('lets a follower take over only after the Lease went unrenewed for a whole lease duration', async () => {
    const clock = new FakeClock();
    const api = new FakeLeaseApi(clock);
    // Held by "a", which crashed (no release): nobody renews it any more.
    api.lease = {
      metadata: { name: 'lease', namespace: 'ops', resourceVersion: '1' },
      spec: { holderIdentity: 'a', renewTime: '2026-01-01T00:00:00.000000Z' },
    };
    const b = elector(api, clock, 'b');
    b.e.start();
    await clock.advance(14_000);
    expect(b.changes).toEqual([]);
    expect(api.lease.spec?.holderIdentity).toBe('a');
    await clock.advance(2_000);
    expect(b.changes).toEqual([true]);
    expect(api.lease?.spec?.holderIdentity).toBe('b');
    await b.e.stop();
  });
});
