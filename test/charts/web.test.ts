import { exampleConfig, find, render } from './support.js';

const staging = render(exampleConfig('staging'));
const web = find(staging.objects, 'Deployment', 'ponyshop-web');
const pod = web.spec.template.spec;
const container = pod.containers.find((c: any) => c.name === 'web');

test('runs gunicorn exactly as the app contract says', () => {
  expect(container.command).toEqual([
    'gunicorn',
    'ponyshop.wsgi:application',
    '--bind',
    '0.0.0.0:8000',
    '--workers',
    '2',
    '--worker-tmp-dir',
    '/tmp',
    '--access-logfile',
    '-',
    '--error-logfile',
    '-',
    '--graceful-timeout',
    '25',
    '--timeout',
    '30',
  ]);
  expect(container.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
});

test('liveness never depends on the database, readiness does, and both send the domain as Host and HTTPS as the forwarded scheme', () => {
  const host = [
    { name: 'Host', value: 'staging.ponyshop.example.com' },
    { name: 'X-Forwarded-Proto', value: 'https' },
  ];
  expect(container.livenessProbe.httpGet).toEqual({
    path: '/healthz',
    port: 'http',
    scheme: 'HTTP',
    httpHeaders: host,
  });
  expect(container.readinessProbe.httpGet).toEqual({
    path: '/readiness',
    port: 'http',
    scheme: 'HTTP',
    httpHeaders: host,
  });
  expect(container.startupProbe.httpGet.path).toBe('/healthz');
  // A slow database must cost more than one probe before the pod leaves the endpoints.
  expect(container.readinessProbe.failureThreshold * container.readinessProbe.periodSeconds).toBeGreaterThanOrEqual(30);
  expect(container.readinessProbe.timeoutSeconds).toBeGreaterThanOrEqual(5);
  // The startup probe gives a slow boot minutes, so liveness never kills a starting pod.
  expect(container.startupProbe.failureThreshold * container.startupProbe.periodSeconds).toBeGreaterThanOrEqual(300);
});

test('drains: preStop sleep, grace period covering it plus gunicorn graceful timeout, maxUnavailable 0', () => {
  expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
  expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(5 + 25);
  expect(web.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } });
});

test('has a Service, a PDB, topology spread on nodes and zones, and an Ingress for the domain', () => {
  const svc = find(staging.objects, 'Service', 'ponyshop-web');
  expect(svc.spec.selector).toEqual(web.spec.selector.matchLabels);
  expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  expect(find(staging.objects, 'PodDisruptionBudget', 'ponyshop-web').spec.maxUnavailable).toBe(1);
  expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual([
    'kubernetes.io/hostname',
    'topology.kubernetes.io/zone',
  ]);
  const ingress = find(staging.objects, 'Ingress', 'ponyshop-web');
  expect(ingress.spec.rules[0].host).toBe('staging.ponyshop.example.com');
  expect(ingress.spec.tls).toEqual([{ hosts: ['staging.ponyshop.example.com'], secretName: 'ponyshop-staging-tls' }]);
});

test('an HPA replaces the fixed replica count; no HPA and no Ingress when not configured', () => {
  const production = render(exampleConfig('production'), 'production');
  const prodWeb = find(production.objects, 'Deployment', 'ponyshop-web');
  expect(prodWeb.spec.replicas).toBeUndefined();
  const hpa = find(production.objects, 'HorizontalPodAutoscaler', 'ponyshop-web');
  expect(hpa.spec).toMatchObject({
    minReplicas: 3,
    maxReplicas: 12,
    scaleTargetRef: { kind: 'Deployment', name: 'ponyshop-web' },
  });
  expect(staging.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  const plain = exampleConfig('staging');
  delete plain.web.ingress;
  expect(render(plain).objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
});

test('a settings change rolls the pods through the ConfigMap checksum', () => {
  const changed = exampleConfig('staging');
  changed.settings.DJANGO_DEBUG = 'true';
  const checksum = (r: ReturnType<typeof render>) =>
    find(r.objects, 'Deployment', 'ponyshop-web').spec.template.metadata.annotations['ponyexpress.dev/config-checksum'];
  expect(checksum(render(changed))).not.toBe(checksum(staging));
  expect(checksum(render(exampleConfig('staging')))).toBe(checksum(staging));
});
