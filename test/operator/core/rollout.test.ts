import { applyConfiguration } from '../../../operator/core/actions.js';
import { rolloutState, singletonProblem } from '../../../operator/core/rollout.js';
import type { WorkloadLike } from '../../../operator/core/types.js';
import { deployment, PRODUCTION, REPO } from './fixtures.js';

const image = `${REPO}:A`;

function statefulBeat(o: { currentRevision?: string; updateRevision?: string; replicas?: number } = {}): WorkloadLike {
  const base = deployment(PRODUCTION, 'beat', image, { replicas: o.replicas ?? 1 });
  return {
    ...base,
    kind: 'StatefulSet',
    spec: { ...base.spec!, strategy: undefined, updateStrategy: { type: 'RollingUpdate' } },
    status: { ...base.status, currentRevision: o.currentRevision ?? 'r1', updateRevision: o.updateRevision ?? 'r1' },
  };
}

describe('rolloutState', () => {
  test('complete when the generation is observed and every count equals the desired replicas', () => {
    expect(rolloutState(deployment(PRODUCTION, 'web', image))).toMatchObject({ complete: true });
  });

  test('not complete while the controller has not observed the new generation, whatever the counts say', () => {
    const w = deployment(PRODUCTION, 'web', image, { generation: 2 });
    w.status!.observedGeneration = 1;
    expect(rolloutState(w)).toMatchObject({ complete: false, message: expect.stringContaining('generation 2') });
  });

  test('not complete while old pods remain (total above desired)', () => {
    const w = deployment(PRODUCTION, 'web', image);
    w.status!.replicas = 3;
    expect(rolloutState(w).complete).toBe(false);
  });

  test('a stale ProgressDeadlineExceeded from an unobserved generation does not count as stalled', () => {
    const w = deployment(PRODUCTION, 'web', image, { generation: 3, rollout: 'stalled' });
    expect(rolloutState(w).stalled).toBeUndefined();
    w.status!.observedGeneration = 3;
    expect(rolloutState(w).stalled).toContain('ProgressDeadlineExceeded');
  });

  test('a StatefulSet is complete only once its update revision is current', () => {
    expect(rolloutState(statefulBeat({ updateRevision: 'r2' })).complete).toBe(false);
    expect(rolloutState(statefulBeat()).complete).toBe(true);
  });
});

describe('singletonProblem (beat must never run twice)', () => {
  test('a Recreate Deployment or a StatefulSet with one replica is safe', () => {
    expect(singletonProblem(deployment(PRODUCTION, 'beat', image))).toBeUndefined();
    expect(singletonProblem(statefulBeat())).toBeUndefined();
  });

  test('RollingUpdate or more than one replica is not', () => {
    expect(singletonProblem(deployment(PRODUCTION, 'beat', image, { strategy: 'RollingUpdate' }))).toContain(
      'needs Recreate',
    );
    expect(singletonProblem(statefulBeat({ replicas: 2 }))).toContain('at most 1');
  });
});

test('applyConfiguration owns nothing but the images and the image annotation', () => {
  expect(
    applyConfiguration({
      type: 'SetImages',
      target: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name: 'shop-web' },
      containers: [{ name: 'web', image: 'r@sha256:1' }],
      initContainers: [{ name: 'wait-for-migrations', image: 'r@sha256:1' }],
      wave: 0,
      purpose: 'Promotion',
    }),
  ).toEqual({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'shop-web', namespace: 'prod' },
    spec: {
      template: {
        metadata: { annotations: { 'ponyexpress.dev/image': 'r@sha256:1' } },
        spec: {
          containers: [{ name: 'web', image: 'r@sha256:1' }],
          initContainers: [{ name: 'wait-for-migrations', image: 'r@sha256:1' }],
        },
      },
    },
  });
});
