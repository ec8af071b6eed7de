import { migrationGate, stagingMigrationJob } from '../../../operator/core/follow-job.js';
import { MIN_JOB_TTL_SECONDS } from '../../../operator/core/migration.js';
import type { JobLike } from '../../../operator/core/types.js';

const REPO = 'registry.example/ponyexpress/ponyshop';
const IMAGE = `${REPO}:b2`;

const template = (ttl?: number): JobLike => ({
  metadata: { name: 'ponyshop-migrate-old', namespace: 'ponyshop-staging', labels: { 'job-name': 'x', app: 'p' } },
  spec: {
    ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }),
    template: { spec: { containers: [{ name: 'migrate', image: `${REPO}:b1` }] } },
  },
});

const opts = { app: 'ponyshop', image: IMAGE, repository: REPO, namespace: 'ponyshop-staging', follow: 'f' };
const ttlOf = (job: { spec: unknown }) => (job.spec as { ttlSecondsAfterFinished?: number }).ttlSecondsAfterFinished;

test('a template TTL shorter than the minimum is raised, so the finished Job stays observable', () => {
  expect(ttlOf(stagingMigrationJob(template(600), opts))).toBe(MIN_JOB_TTL_SECONDS);
});

test('a longer TTL, or none, is kept as the template says', () => {
  expect(ttlOf(stagingMigrationJob(template(7200), opts))).toBe(7200);
  expect(ttlOf(stagingMigrationJob(template(), opts))).toBeUndefined();
});

test('the template itself is not modified', () => {
  const t = template(600);
  stagingMigrationJob(t, opts);
  expect(t.spec).toHaveProperty('ttlSecondsAfterFinished', 600);
});

describe('migrationGate (both staging movers)', () => {
  const job = (conditions: { type: string; status: string; reason?: string; message?: string }[]) =>
    ({ metadata: { name: 'shop-migrate-1' }, status: { conditions } }) as JobLike;

  test('no Job yet: created, in progress, with the mover note', () => {
    const r = migrationGate(undefined, 'shop-migrate-1', { created: '; Git next' });
    expect(r).toMatchObject({
      state: 'InProgress',
      reason: 'Migrating',
      message: 'migration Job shop-migrate-1 created; Git next',
    });
  });

  test('running: in progress', () => {
    expect(migrationGate(job([]), 'shop-migrate-1')).toMatchObject({ state: 'InProgress', reason: 'Migrating' });
  });

  test('failed: permanent, with the Job reason and the mover note', () => {
    const r = migrationGate(
      job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'too many' }]),
      'shop-migrate-1',
      { failed: '; nothing was committed' },
    );
    expect(r).toEqual({
      state: 'Failed',
      reason: 'MigrationFailed',
      message: 'migration Job shop-migrate-1 failed: BackoffLimitExceeded: too many; nothing was committed',
      permanent: true,
    });
  });

  test('succeeded: the gate is open (undefined)', () => {
    expect(migrationGate(job([{ type: 'Complete', status: 'True' }]), 'shop-migrate-1')).toBeUndefined();
  });
});
