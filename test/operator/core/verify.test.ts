import { settingsOf } from '../../../operator/core/spec.js';
import { verifyStaging, type Verification } from '../../../operator/core/verify.js';
import { deployment, digestOf, iso, job, pod, REPO, STAGING } from './fixtures.js';
import { World } from './world.js';

const A = `${REPO}:A`;
const B = `${REPO}:B`;

/** Staging on B, Ready since t=0, migration done; `now` 1000 s later unless said otherwise. */
function stagingOnB(): World {
  const world = new World({ staging: 'B', production: 'A', stagingOptions: { readySince: 0 } });
  world.seconds = 1000;
  return world;
}

function verify(world: World): Verification {
  return verifyStaging(world.observe(), settingsOf(world.promotion));
}

test('a healthy, soaked, migrated staging is verified by digest', () => {
  const v = verify(stagingOnB());
  expect(v).toMatchObject({ verified: true, reason: 'Verified', healthySince: iso(0) });
  expect(v.candidate).toEqual({ tag: 'B', digest: digestOf('B'), image: `${REPO}@${digestOf('B')}` });
});

test('no digests reported: the tag identifies the candidate', () => {
  const world = new World({ staging: 'B', stagingOptions: { digests: false, readySince: 0 } });
  world.seconds = 1000;
  expect(verify(world)).toMatchObject({ verified: true, candidate: { tag: 'B', image: B } });
});

describe('no candidate', () => {
  test('when a component has no staging workload', () => {
    const world = stagingOnB();
    world.staging.workloads = world.staging.workloads.filter((w) => w.metadata.name !== 'ponyshop-beat');
    expect(verify(world)).toMatchObject({
      verified: false,
      reason: 'NoCandidate',
      message: expect.stringContaining('component=beat'),
    });
  });

  test('when web, worker and beat run different images', () => {
    const world = stagingOnB();
    world.staging.workloads[2] = deployment(STAGING, 'beat', A);
    expect(verify(world)).toMatchObject({
      reason: 'NoCandidate',
      message: expect.stringContaining('more than one image'),
    });
  });

  test('when a workload runs another repository', () => {
    const world = stagingOnB();
    world.staging.workloads[0] = deployment(STAGING, 'web', 'docker.io/library/nginx:1');
    expect(verify(world)).toMatchObject({
      reason: 'NoCandidate',
      message: expect.stringContaining('not ghcr.io/ponyexpress/ponyshop'),
    });
  });
});

describe('each unmet check is reported', () => {
  test('rollout not complete (generation not observed)', () => {
    const world = stagingOnB();
    world.staging.workloads[1] = deployment(STAGING, 'worker', B, { generation: 3, rollout: 'progressing' });
    expect(verify(world)).toMatchObject({ verified: false, reason: 'RolloutIncomplete', candidate: { tag: 'B' } });
  });

  test('rollout stalled', () => {
    const world = stagingOnB();
    world.staging.workloads[0] = deployment(STAGING, 'web', B, { generation: 2, rollout: 'stalled' });
    world.staging.workloads[0].status!.observedGeneration = 2;
    expect(verify(world)).toMatchObject({
      reason: 'RolloutStalled',
      message: expect.stringContaining('ProgressDeadlineExceeded'),
    });
  });

  test('a pod still runs the old digest', () => {
    const world = stagingOnB();
    world.staging.pods[0] = pod('web', B, { digest: digestOf('A') });
    expect(verify(world)).toMatchObject({
      reason: 'ImageMismatch',
      message: expect.stringContaining('different digests'),
    });
  });

  test('every pod reports one digest but one still runs the old tag', () => {
    const world = stagingOnB();
    world.staging.pods[2] = pod('worker', A, { digest: digestOf('B') });
    expect(verify(world)).toMatchObject({
      reason: 'ImageMismatch',
      message: expect.stringContaining('ponyshop-worker-0'),
    });
  });

  test('a pod runs the old tag (no digests)', () => {
    const world = new World({ staging: 'B', stagingOptions: { digests: false, readySince: 0 } });
    world.staging.pods[1] = pod('web', A, { index: 1 });
    expect(verify(world)).toMatchObject({ reason: 'ImageMismatch', message: expect.stringContaining(`runs ${A}`) });
  });

  test('terminating and finished pods do not count', () => {
    const world = stagingOnB();
    const old = pod('web', A, { digest: digestOf('A'), index: 9 });
    old.metadata.deletionTimestamp = iso(990);
    const done = pod('worker', A, { digest: digestOf('A'), index: 9 });
    done.status!.phase = 'Succeeded';
    world.staging.pods.push(old, done);
    expect(verify(world).verified).toBe(true);
  });

  test('a pod that is not Ready', () => {
    const world = stagingOnB();
    world.staging.pods[2] = pod('worker', B, { digest: digestOf('B'), ready: false });
    expect(verify(world)).toMatchObject({ reason: 'PodsNotReady' });
  });

  test('a candidate pod that crashed and is not Ready again is a problem, shown before the rollout it holds back', () => {
    const world = stagingOnB();
    world.staging.workloads[1] = deployment(STAGING, 'worker', B, { generation: 2, rollout: 'progressing' });
    world.staging.pods[2] = pod('worker', B, { digest: digestOf('B'), ready: false, restartedAt: 995 });
    expect(verify(world)).toMatchObject({
      verified: false,
      reason: 'PodsCrashing',
      message: expect.stringMatching(
        /pod ponyshop-worker-0: container worker restarted 1 time, last exit at .*, and is not Ready/,
      ),
    });
  });

  test("an old pod's crashes are not the candidate's; a crashed pod that is Ready again only restarts the soak", () => {
    const world = stagingOnB();
    const old = pod('worker', A, { digest: digestOf('A'), index: 7, ready: false, restartedAt: 995 });
    world.staging.pods.push(old);
    expect(verify(world).reason).not.toBe('PodsCrashing');
    const recovered = stagingOnB();
    recovered.staging.pods[2] = pod('worker', B, { digest: digestOf('B'), restartedAt: 995 });
    expect(verify(recovered)).toMatchObject({ verified: false, reason: 'Soaking' });
  });

  test('a failed staging migration is the reason shown, not the rollout it holds back', () => {
    const world = stagingOnB();
    world.staging.migrationJobs = [job('m', STAGING, B, 'Failed')];
    world.staging.workloads[0].status = { ...world.staging.workloads[0].status, updatedReplicas: 0 };
    expect(verify(world)).toMatchObject({ verified: false, reason: 'StagingMigrationFailed' });
  });

  test.each([
    ['StagingMigrationMissing', () => []],
    ['StagingMigrationPending', () => [job('m', STAGING, B, 'Running')]],
    ['StagingMigrationFailed', () => [job('m', STAGING, B, 'Failed')]],
    ['StagingMigrationMissing', () => [job('m', STAGING, A, 'Succeeded')]],
  ])('%s', (reason, jobs) => {
    const world = stagingOnB();
    world.staging.migrationJobs = jobs();
    expect(verify(world)).toMatchObject({ verified: false, reason });
  });

  test('a staging Job removed by its TTL does not un-verify the candidate status saw migrated', () => {
    const world = stagingOnB();
    world.reconcile();
    expect(world.promotion.status?.staging).toMatchObject({ tag: 'B', migrated: true });
    world.staging.migrationJobs = [];
    expect(verify(world)).toMatchObject({ verified: true, migrated: true });
    world.setStaging('C', { readySince: 0, migration: 'none' });
    expect(verify(world)).toMatchObject({ reason: 'StagingMigrationMissing' }); // evidence is per image
  });

  test('a failed earlier attempt does not matter once a retry succeeded', () => {
    const world = stagingOnB();
    world.staging.migrationJobs = [job('m1', STAGING, B, 'Failed'), job('m2', STAGING, B, 'Succeeded')];
    expect(verify(world).verified).toBe(true);
  });

  test('a restart restarts the soak', () => {
    const world = stagingOnB();
    world.staging.pods[3] = pod('beat', B, { digest: digestOf('B'), readySince: 0, restartedAt: 900 });
    expect(verify(world)).toMatchObject({
      reason: 'Soaking',
      healthySince: iso(900),
      message: `soaking until ${iso(1200)}`,
      requeueAfterSeconds: 200,
    });
  });

  test('the soak message does not change while the clock runs (steady status)', () => {
    const world = stagingOnB();
    world.seconds = 100;
    const first = verify(world);
    world.seconds = 200;
    expect(verify(world).message).toBe(first.message);
  });
});

describe('smoke URL', () => {
  function withSmoke(): World {
    const world = stagingOnB();
    world.promotion.spec.source.smokeUrl = 'https://staging.example/healthz';
    return world;
  }
  const image = `${REPO}@${digestOf('B')}`;

  test('asks for a check once soaked, and is verified only by a 2xx for this image', () => {
    const world = withSmoke();
    expect(verify(world)).toMatchObject({ verified: false, reason: 'SmokePending', smokeNeeded: true });
    world.smoke = { url: 'https://staging.example/healthz', image: `${REPO}:A`, statusCode: 200, checkedAt: iso(999) };
    expect(verify(world)).toMatchObject({ reason: 'SmokePending' });
    world.smoke = { ...world.smoke, image };
    expect(verify(world)).toMatchObject({ verified: true });
  });

  test('a failure is retried after a while', () => {
    const world = withSmoke();
    world.smoke = { url: 'https://staging.example/healthz', image, statusCode: 503, checkedAt: iso(990) };
    expect(verify(world)).toMatchObject({
      reason: 'SmokeFailed',
      message: expect.stringContaining('503'),
      requeueAfterSeconds: 20,
    });
    expect(verify(world).smokeNeeded).toBeUndefined();
    world.seconds = 1020;
    expect(verify(world)).toMatchObject({ reason: 'SmokeFailed', smokeNeeded: true });
  });

  test('the plan carries the CheckSmoke action', () => {
    const world = withSmoke();
    const plan = world.reconcile();
    expect(plan.actions).toEqual([{ type: 'CheckSmoke', url: 'https://staging.example/healthz', image }]);
    world.smoke = { url: 'https://staging.example/healthz', image, error: 'connection refused', checkedAt: world.now };
    expect(world.reconcile().actions).toEqual([]);
  });
});
