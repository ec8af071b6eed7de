// A minimal environment file: only the required fields. Every default documented in docs/charts.md and in
// the constructs' @default tags shows up in the output.
import { byKind, find, render } from './support.js';

const resources = { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } };
const minimal = {
  app: 'shop',
  namespace: 'shop-dev',
  domain: 'dev.shop.example',
  image: { repository: 'registry.example/shop', digest: `sha256:${'c'.repeat(64)}` },
  django: { module: 'shop', secretKey: { name: 'shop-django', key: 'key' } },
  broker: { url: { name: 'shop-redis', key: 'url' } },
  database: { provider: 'cloudnative-pg', cluster: 'shop-db' },
  web: { resources },
  worker: { resources },
  beat: { resources },
  migrations: { resources },
};
const r = render(minimal, 'dev');
const container = (name: string) => find(r.objects, 'Deployment', `shop-${name}`).spec.template.spec;

test('web defaults: 2 replicas, 2 gunicorn workers, 30/25 s timeouts, 5 s preStop, 45 s grace, no Ingress, no HPA', () => {
  expect(find(r.objects, 'Deployment', 'shop-web').spec.replicas).toBe(2);
  const pod = container('web');
  expect(pod.containers[0].command.join(' ')).toContain(
    '--workers 2 --worker-tmp-dir /tmp --access-logfile - --error-logfile - --graceful-timeout 25 --timeout 30',
  );
  expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
  expect(pod.terminationGracePeriodSeconds).toBe(45);
  expect(byKind(r.objects, 'Ingress')).toEqual([]);
  expect(byKind(r.objects, 'HorizontalPodAutoscaler')).toEqual([]);
});

test('worker, beat and migration defaults', () => {
  expect(find(r.objects, 'Deployment', 'shop-worker').spec.replicas).toBe(2);
  expect(container('worker').containers[0].command.slice(-2)).toEqual(['--concurrency', '2']);
  expect(container('worker').terminationGracePeriodSeconds).toBe(120);
  expect(container('worker').containers[0].livenessProbe.exec.command[2]).toContain('< 60 else 1');
  expect(container('beat').terminationGracePeriodSeconds).toBe(60);
  const job = byKind(r.objects, 'Job')[0];
  expect(job.spec).toMatchObject({ activeDeadlineSeconds: 900, backoffLimit: 1, ttlSecondsAfterFinished: 604800 });
});

test('settings and features defaults: derived settings only, NetworkPolicies on, no Argo CD Application', () => {
  expect(find(r.objects, 'ConfigMap', 'shop-config').data).toEqual({
    CELERY_WORKER_HEARTBEAT_FILE: '/tmp/celery-worker-heartbeat',
    DJANGO_ALLOWED_HOSTS: 'dev.shop.example',
    DJANGO_SETTINGS_MODULE: 'shop.settings',
    PONYEXPRESS_BEAT_TICK_FILE: '/tmp/celery-beat-ticks',
    PONYEXPRESS_LIVENESS_PATH: '/healthz',
    PONYEXPRESS_READINESS_PATH: '/readiness',
  });
  // Default deny and egress to DNS, database and broker; no Ingress, so no policy admits anyone to web.
  expect(
    byKind(r.objects, 'NetworkPolicy')
      .map((p) => p.metadata.name)
      .sort(),
  ).toEqual(['shop-default-deny', 'shop-egress-broker', 'shop-egress-database', 'shop-egress-dns']);
  expect(byKind(r.objects, 'Application')).toEqual([]);
  expect(container('web').containers[0].image).toBe(`registry.example/shop@sha256:${'c'.repeat(64)}`);
  expect(container('web').containers[0].env.map((e: any) => e.name)).not.toContain('PGSSLMODE');
});
