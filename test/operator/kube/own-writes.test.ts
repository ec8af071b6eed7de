// Read-your-writes for the operator's image patches: an answer newer than the cache's copy stands in for
// it until the cache catches up, and is dropped once the cache has caught up or no longer lists the object.
import { OwnWrites } from '../../../operator/kube/own-writes.js';
import type { Objects, Source } from '../../../operator/kube/sources.js';

const KEY = 'ponyshop-production/ponyshop';
const PROD: Source<'deployments'> = { kind: 'deployments', namespace: 'ponyshop-production', selector: '' };
const STAGING: Source<'deployments'> = { kind: 'deployments', namespace: 'ponyshop-staging', selector: '' };
/** A cached Deployment (the cache keeps resourceVersion, which the core's type leaves out). */
const deployment = (name: string, resourceVersion: string, namespace = PROD.namespace) =>
  ({ metadata: { name, namespace, resourceVersion } }) as Objects['deployments'];

describe('OwnWrites', () => {
  it("uses our answer while the cache is older, then the cache's copy once it has caught up", () => {
    const own = new OwnWrites();
    own.note(KEY, 'deployments', deployment('web', '20'));
    expect(own.overlay(KEY, PROD, [deployment('web', '10'), deployment('worker', '11')])).toEqual([
      deployment('web', '20'),
      deployment('worker', '11'),
    ]);
    expect(own.overlay(KEY, PROD, [deployment('web', '21')])).toEqual([deployment('web', '21')]);
    expect(own.size).toBe(0);
  });

  it('drops the answer for a workload the cache no longer lists, and never brings it back', () => {
    const own = new OwnWrites();
    own.note(KEY, 'deployments', deployment('web', '20'));
    own.note(KEY, 'deployments', deployment('beat', '21'));
    // beat was deleted after our patch; web's patch is not in the cache yet.
    expect(own.overlay(KEY, PROD, [deployment('web', '10')])).toEqual([deployment('web', '20')]);
    expect(own.size).toBe(1);
    expect(own.overlay(KEY, PROD, [deployment('web', '10')])).toEqual([deployment('web', '20')]);
  });

  it("another namespace's list leaves this one's answers alone", () => {
    const own = new OwnWrites();
    own.note(KEY, 'deployments', deployment('web', '20'));
    expect(own.overlay(KEY, STAGING, [deployment('web', '5', STAGING.namespace)])).toEqual([
      deployment('web', '5', STAGING.namespace),
    ]);
    expect(own.size).toBe(1);
  });
});
