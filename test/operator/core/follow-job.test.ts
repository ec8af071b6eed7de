import { stagingMigrationJob } from '../../../operator/core/follow-job.js';
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
