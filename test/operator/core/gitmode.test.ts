// Git mode folded into a plan (core/gitmode.ts): one commit before any image moves, only after the flight's
// migration; no move while Git is unread or failing; a human's image in Git holds everything.
import { gitModePlan, type GitObserved } from '../../../operator/core/gitmode.js';
import type { Observed, Plan, PromotionObject, SetImages } from '../../../operator/core/types.js';

const REPO = 'registry.example/shop';
const A = `${REPO}@sha256:${'a'.repeat(64)}`;
const B = `${REPO}@sha256:${'b'.repeat(64)}`;
const H = `${REPO}:hotfix`;
const NOW = new Date('2026-12-01T12:00:00Z');

function promotion(git = true): PromotionObject {
  return {
    apiVersion: 'ponyexpress.dev/v1alpha1',
    kind: 'Promotion',
    metadata: { name: 'shop', namespace: 'shop-prod', generation: 3 },
    spec: {
      imageRepository: REPO,
      source: { namespace: 'shop-staging', selector: { matchLabels: { app: 'shop' } } },
      target: { namespace: 'shop-prod', selector: { matchLabels: { app: 'shop' } }, migrationJobTemplate: {} },
      ...(git
        ? {
            writeBack: {
              git: { url: 'https://git.example/fleet.git', path: 'prod', secretRef: { name: 'fleet-creds' } },
            },
          }
        : {}),
    },
    status: { production: { image: A } },
  } as unknown as PromotionObject;
}

const setImages = (wave: number, name: string): SetImages => ({
  type: 'SetImages',
  target: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop-prod', name },
  containers: [{ name: name.replace('shop-', ''), image: B }],
  initContainers: [],
  wave,
  purpose: 'Promotion',
});

function rollingOut(): Plan {
  return {
    actions: [setImages(0, 'shop-web'), setImages(0, 'shop-worker')],
    status: {
      production: { image: A },
      inFlight: {
        kind: 'Promotion',
        image: B,
        tag: '1.5.0',
        phase: 'RollingOut',
        startedAt: NOW.toISOString(),
        wave: 0,
        migrationJob: 'shop-migrate-0123456789',
      },
    },
    statusChanged: true,
    events: [{ type: 'Normal', reason: 'WaveStarted', message: 'wave 1' }],
  };
}

const observed = (p = promotion()): Observed => ({
  now: NOW,
  promotion: p,
  staging: { workloads: [], pods: [], migrationJobs: [] },
  production: { workloads: [], migrationJobs: [] },
});
const gitSays = (image: string, over: Partial<GitObserved> = {}): GitObserved => ({
  head: 'c0ffee'.padEnd(40, '0'),
  images: { web: image, worker: image, beat: image, migrate: image },
  ...over,
});

test('without spec.writeBack the plan is untouched', () => {
  const plan = rollingOut();
  expect(gitModePlan(observed(promotion(false)), plan, undefined).plan).toBe(plan);
});

test('the first wave of a migrated flight becomes one commit naming the image, its tag and the Job; no image moves yet', () => {
  const { plan, commit } = gitModePlan(observed(), rollingOut(), gitSays(A));
  expect(commit).toEqual({
    type: 'CommitToGit',
    image: B,
    tag: '1.5.0',
    purpose: 'Promotion',
    migratedBy: 'shop-migrate-0123456789',
  });
  expect(plan.actions).toEqual([]);
});

test('a plan that only runs the migration Job commits nothing (the commit comes after the Job succeeded)', () => {
  const migrating = { ...rollingOut(), actions: [{ type: 'CreateMigrationJob', job: {} } as never] };
  const { plan, commit } = gitModePlan(observed(), migrating, gitSays(A));
  expect(commit).toBeUndefined();
  expect(plan.actions.map((a) => a.type)).toEqual(['CreateMigrationJob']);
});

test('once Git says the image, the waves apply it and status and history carry the commit', () => {
  const sha = 'f'.repeat(40);
  const { plan, commit } = gitModePlan(observed(), rollingOut(), gitSays(B, { lastCommit: { sha, image: B } }));
  expect(commit).toBeUndefined();
  expect(plan.actions.map((a) => a.type)).toEqual(['SetImages', 'SetImages']);
  expect(plan.status.inFlight?.commit).toBe(sha);
  expect(plan.status.git).toEqual({ commit: sha, image: B });
});

test('unread or failing Git: nothing moves; a credential failure names the Secret', () => {
  expect(gitModePlan(observed(), rollingOut(), undefined).plan.actions).toEqual([]);
  const { plan } = gitModePlan(
    observed(),
    rollingOut(),
    gitSays(A, { error: { failure: 'auth', message: 'HTTP 401' } }),
  );
  expect(plan.actions).toEqual([]);
  const degraded = plan.status.conditions?.find((c) => c.type === 'Degraded');
  expect(degraded).toMatchObject({ status: 'True', reason: 'GitWriteFailed' });
  expect(degraded?.message).toContain('check the credentials in Secret shop-prod/fleet-creds');
  expect(plan.events.map((e) => e.reason)).toContain('GitWriteFailed');
});

test("a human's image in Git is drift: no action, GitDrift with one Event, and it never commits over it", () => {
  const first = gitModePlan(observed(), rollingOut(), gitSays(A, { images: { web: H, worker: A, beat: A } }));
  expect(first.commit).toBeUndefined();
  expect(first.plan.actions).toEqual([]);
  expect(first.plan.status.git?.drift).toEqual({ component: 'web', found: H, commit: 'c0ffee'.padEnd(40, '0') });
  expect(first.plan.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
    status: 'False',
    reason: 'GitDrift',
  });
  expect(first.plan.events.filter((e) => e.reason === 'GitDrift')).toHaveLength(1);
  // Next reconcile with that status: still held, no second Event.
  const held = promotion();
  held.status = first.plan.status;
  const second = gitModePlan(observed(held), rollingOut(), gitSays(A, { images: { web: H, worker: A, beat: A } }));
  expect(second.plan.actions).toEqual([]);
  expect(second.plan.events.filter((e) => e.reason === 'GitDrift')).toHaveLength(0);
  // Git set back by the human: the drift record goes, the commit is planned again.
  const resolved = gitModePlan(observed(held), rollingOut(), gitSays(A));
  expect(resolved.plan.status.git?.drift).toBeUndefined();
  expect(resolved.commit?.image).toBe(B);
});

test('a rollback becomes a commit too, without a migration', () => {
  const plan = rollingOut();
  plan.actions = plan.actions.map((a) => ({ ...(a as SetImages), purpose: 'Rollback' as const }));
  plan.status.inFlight = { ...plan.status.inFlight!, kind: 'Rollback', phase: 'RollingBack' };
  delete plan.status.inFlight.migrationJob;
  expect(gitModePlan(observed(), plan, gitSays(A)).commit).toEqual({
    type: 'CommitToGit',
    image: B,
    tag: '1.5.0',
    purpose: 'Rollback',
  });
});
