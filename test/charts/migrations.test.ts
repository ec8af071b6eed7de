import { execFileSync } from 'node:child_process';
import { migrationJobName } from '../../contract/index.js';
import { allContainers, byKind, exampleConfig, render } from './support.js';

const jobOf = (r: ReturnType<typeof render>) => {
  const jobs = byKind(r.objects, 'Job');
  expect(jobs).toHaveLength(1);
  return jobs[0];
};
const base = () => exampleConfig('staging');
const nameWith = (mutate: (c: Record<string, any>) => void) => {
  const c = base();
  mutate(c);
  return jobOf(render(c)).metadata.name;
};

test('is named <app>-migrate-<10 hex> from image and spec, and exposes the image', () => {
  const job = jobOf(render(base()));
  expect(job.metadata.name).toMatch(/^ponyshop-migrate-[0-9a-f]{10}$/);
  expect(job.metadata.name).toBe(migrationJobName('ponyshop', 'ghcr.io/ponyexpress/ponyshop:1.5.0', job.spec));
  expect(job.metadata.annotations['ponyexpress.dev/image']).toBe('ghcr.io/ponyexpress/ponyshop:1.5.0');
  expect(job.spec.template.metadata.annotations['ponyexpress.dev/image']).toBe('ghcr.io/ponyexpress/ponyshop:1.5.0');
});

test('the hash changes with the image and the Job config, and only then', () => {
  const original = nameWith(() => {});
  expect(
    nameWith((c) => {
      c.image.tag = '1.5.1';
    }),
  ).not.toBe(original);
  expect(
    nameWith((c) => {
      c.image.digest = `sha256:${'a'.repeat(64)}`;
    }),
  ).not.toBe(original);
  expect(
    nameWith((c) => {
      c.migrations.activeDeadlineSeconds = 1200;
    }),
  ).not.toBe(original);
  expect(
    nameWith((c) => {
      c.migrations.resources.limits.memory = '512Mi';
    }),
  ).not.toBe(original);
  // Unrelated changes keep the name, so no spurious migration runs.
  expect(
    nameWith((c) => {
      c.web.replicas = 7;
    }),
  ).toBe(original);
  expect(
    nameWith((c) => {
      c.worker.concurrency = 8;
    }),
  ).toBe(original);
  expect(
    nameWith((c) => {
      c.settings.DJANGO_DEBUG = 'true';
    }),
  ).toBe(original);
  expect(
    nameWith((c) => {
      c.domain = 'other.example.com';
    }),
  ).toBe(original);
  expect(nameWith(() => {})).toBe(original);
});

test('fails fast and is bounded: backoffLimit <= 2, a deadline, Never restart, a generous TTL', () => {
  const job = jobOf(render(base()));
  expect(job.spec.backoffLimit).toBeLessThanOrEqual(2);
  expect(job.spec.activeDeadlineSeconds).toBe(900);
  expect(job.spec.template.spec.restartPolicy).toBe('Never');
  expect(job.spec.ttlSecondsAfterFinished).toBe(7 * 24 * 3600);
  const keep = base();
  keep.migrations.ttlSecondsAfterFinished = null;
  expect(jobOf(render(keep)).spec.ttlSecondsAfterFinished).toBeUndefined();
});

test('runs migrate --noinput through call_command inside a Postgres advisory lock', () => {
  const [container] = jobOf(render(base())).spec.template.spec.containers;
  expect(container.name).toBe('migrate');
  expect(container.command.slice(0, 2)).toEqual(['python', '-c']);
  const script: string = container.command[2];
  const lock = script.indexOf('pg_advisory_lock');
  const migrate = script.indexOf('call_command("migrate", "--noinput")');
  const unlock = script.indexOf('pg_advisory_unlock');
  expect(lock).toBeGreaterThan(0);
  expect(migrate).toBeGreaterThan(lock);
  expect(unlock).toBeGreaterThan(migrate);
  // The script must at least be valid Python.
  execFileSync('python3', ['-c', `import ast, sys; ast.parse(sys.stdin.read())`], { input: script });
});

test('comes before every workload under Argo CD (sync wave) and every app pod waits for it', () => {
  const r = render(base());
  const job = jobOf(r);
  expect(job.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
  for (const d of byKind(r.objects, 'Deployment')) {
    expect(d.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBeUndefined();
    const init = d.spec.template.spec.initContainers;
    expect(init.map((c: any) => c.name)).toEqual(['wait-for-migrations']);
    expect(init[0].command).toEqual([
      'sh',
      '-c',
      'until python manage.py migrate --check >/dev/null; do sleep 2; done',
    ]);
    expect(init[0].image).toBe(d.spec.template.spec.containers[0].image);
  }
  // The Job's prerequisites are in an earlier wave, so it never waits on a missing ServiceAccount or ConfigMap.
  for (const kind of ['Namespace', 'ServiceAccount', 'ConfigMap', 'NetworkPolicy']) {
    for (const o of byKind(r.objects, kind)) expect(o.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-2');
  }
  expect(allContainers(job.spec.template.spec).map((c: any) => c.name)).toEqual(['migrate']);
});
