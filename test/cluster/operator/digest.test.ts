// Digest resolution end to end: kwok pods report no imageID, so with PONYEXPRESS_RESOLVE_DIGESTS the operator
// asks a real registry (Debian's docker-registry on loopback) for the tag's digest and production ends on
// repo@sha256:… of b2; a tag the registry does not have is not promoted by tag but reported.
import {
  pushImage,
  startRegistry,
  type PushedManifest,
  type RunningRegistry,
} from '../../operator/io/docker-registry.js';
import type { OperatorProcess } from './support/operator-process.js';
import { Pipeline } from './support/pipeline.js';
import { startOperator } from './support/scenario.js';

describe('operator: digest resolution against a real registry', () => {
  let registry: RunningRegistry;
  let b2: PushedManifest;
  let p: Pipeline;
  let op: OperatorProcess | undefined;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.baseUrl, 'ponyshop', 'a1', 'release a1');
    b2 = await pushImage(registry.baseUrl, 'ponyshop', 'b2', 'release b2');
    p = new Pipeline('op-digest', `${registry.host}/ponyshop`);
    await p.setUp('a1');
    op = await startOperator(p, 'op-digest-0', { PONYEXPRESS_RESOLVE_DIGESTS: 'true' });
  });

  afterAll(async () => {
    await op?.stop();
    await registry?.stop();
  });

  it('promotes staging b2 as repo@<registry digest of b2>', async () => {
    await p.waitForPromotion('production recorded as a1', (x) => x.status?.production?.tag === 'a1');
    await p.releaseToStaging('b2');
    const pinned = `${p.repo}@${b2.digest}`;
    const done = await p.waitForPromotion(
      'b2 promoted by digest',
      (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
      120_000,
    );
    expect(done.status?.production).toMatchObject({ tag: 'b2', digest: b2.digest, image: pinned });
    expect(done.status?.staging).toMatchObject({ tag: 'b2', digest: b2.digest, verified: true });
    const images = await p.prodImages();
    expect(Object.values(images)).toEqual([pinned, pinned, pinned]);
    expect(await p.prodMigrationJobs()).toHaveLength(1);
  });

  it('a tag missing from the registry is reported, not promoted by tag', async () => {
    await p.releaseToStaging('c3');
    const stuck = await p.waitForPromotion(
      'c3 unresolved',
      (x) =>
        x.status?.conditions?.some((c) => c.type === 'StagingVerified' && c.reason === 'DigestUnresolved') ?? false,
    );
    const condition = stuck.status?.conditions?.find((c) => c.type === 'StagingVerified');
    expect(condition?.message).toContain(
      `not promoting ${p.repo}:c3 by tag: resolving it to a digest failed: GET ${registry.baseUrl}/v2/ponyshop/manifests/c3 answered HTTP 404 (MANIFEST_UNKNOWN: manifest unknown), expected 200 with the manifest`,
    );
    await new Promise((r) => setTimeout(r, 3000));
    const later = await p.getPromotion();
    expect(later.status?.production).toMatchObject({ tag: 'b2', digest: b2.digest });
    expect(later.status?.inFlight).toBeUndefined();
    expect(await p.prodMigrationJobs()).toHaveLength(1);
  });
});
