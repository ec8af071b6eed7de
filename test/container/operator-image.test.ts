/**
 * The operator image under `docker run`, as dist/operator's Deployment specifies its container (UID 65532,
 * read-only root, no capabilities, /tmp emptyDir, its env): without a cluster it must stop with a message
 * naming why; against the test control plane, with its own ServiceAccount token mounted as the kubelet
 * would, it must pass its readiness and liveness probes and take the leader Lease. `--help` exits 0 listing
 * every environment variable.
 */
import { jest } from '@jest/globals';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPERATOR_ENV } from '../../contract/index.js';
import type { Workload } from '../contract/kube/manifests.js';
import { probeOnce, runStartupProbe } from '../contract/kube/prober.js';
import type { KubeObject, Probe } from '../contract/kube/types.js';
import { waitFor } from '../contract/services/managed-process.js';
import { applyObjects } from '../cluster/harness/apply.js';
import { ensureBinaries } from '../cluster/harness/binaries.js';
import { startControlPlane, stopControlPlane } from '../cluster/harness/control-plane.js';
import type { LocalClusterState } from '../cluster/harness/state.js';
import { mintServiceAccountToken } from '../cluster/harness/token.js';
import { DockerPod } from './docker-pod.js';
import { synthesiseAll } from './images.js';

jest.setTimeout(300_000);

let dist: ReturnType<typeof synthesiseAll>;
let operatorObjects: KubeObject[];
let cluster: LocalClusterState | undefined;
const dirs: string[] = [];

beforeAll(() => {
  dist = synthesiseAll();
  operatorObjects = dist.objects('operator');
});

afterAll(async () => {
  if (cluster) await stopControlPlane(cluster);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dist?.cleanup();
});

const operatorWorkload = (): Workload => {
  const deployment = operatorObjects.find((o) => o.kind === 'Deployment');
  if (!deployment) throw new Error('dist/operator has no Deployment');
  return {
    object: deployment,
    pod: deployment.spec.template.spec,
    podLabels: deployment.spec.template.metadata?.labels ?? {},
    podAnnotations: {},
  };
};
const containerName = () => operatorWorkload().pod.containers[0].name;

test('--help lists its environment variables and exits 0, without a cluster', async () => {
  const pod = new DockerPod({
    name: 'ponyexpress-operator-help',
    workload: operatorWorkload(),
    objects: operatorObjects,
    secrets: {},
  });
  try {
    const r = await pod.run(containerName(), 60_000, ['--help']);
    expect({ code: r.code, timedOut: r.timedOut }).toEqual({ code: 0, timedOut: false });
    expect(r.output).toContain('Usage: ponyexpress-operator [--help]');
    for (const name of Object.values(OPERATOR_ENV)) expect(r.output).toContain(`  ${name}  (default `);
    // An unknown argument is refused by name, with exit 2.
    const bad = await pod.run(containerName(), 60_000, ['--namespace=x']);
    expect({ code: bad.code, output: bad.output }).toMatchObject({
      code: 2,
      output: expect.stringContaining('unknown argument "--namespace=x"'),
    });
  } finally {
    pod.destroy();
  }
});

test('without a cluster it exits 1 and says that no kubeconfig and no in-cluster service account were found', async () => {
  const pod = new DockerPod({
    name: 'ponyexpress-operator-nocluster',
    workload: operatorWorkload(),
    objects: operatorObjects,
    secrets: {},
  });
  try {
    const r = await pod.run(containerName(), 60_000);
    expect({ code: r.code, output: r.output }).toMatchObject({
      code: 1,
      output: expect.stringContaining(
        'no kubeconfig found and not running in a cluster (KUBERNETES_SERVICE_HOST unset)',
      ),
    });
  } finally {
    pod.destroy();
  }
});

test('against the test control plane, with its own ServiceAccount token, it becomes ready and healthy, takes the Lease and stops on SIGTERM', async () => {
  cluster = await startControlPlane({ binaries: ensureBinaries() });
  const admin = new KubeConfig();
  admin.loadFromFile(cluster.kubeconfig);
  // The operator chart (CRD, ServiceAccount, RBAC) plus the namespaces its Roles live in.
  const namespaces = ['staging', 'production'].flatMap((env) =>
    dist.objects(env).filter((o) => o.kind === 'Namespace'),
  );
  await applyObjects(admin, [...namespaces, ...operatorObjects.filter((o) => o.kind !== 'Deployment')]);

  const workload = operatorWorkload();
  const namespace = workload.object.metadata.namespace!;
  const sa = workload.pod.serviceAccountName!;
  const saDir = mkdtempSync(join(tmpdir(), 'ponyexpress-sa-'));
  dirs.push(saDir);
  writeFileSync(join(saDir, 'token'), await mintServiceAccountToken(admin, namespace, sa));
  const caFile = admin.getCurrentCluster()!.caFile;
  writeFileSync(
    join(saDir, 'ca.crt'),
    caFile ? readFileSync(caFile) : Buffer.from(admin.getCurrentCluster()!.caData!, 'base64'),
  );
  writeFileSync(join(saDir, 'namespace'), namespace);
  // The kubelet's projected token volume: world-readable files (defaultMode 0644) in a readable directory.
  chmodSync(saDir, 0o755);
  for (const f of ['token', 'ca.crt', 'namespace']) chmodSync(join(saDir, f), 0o644);
  const url = new URL(cluster.apiserverUrl);

  const podName = 'ponyexpress-operator-0';
  // Host network: the test apiserver listens on loopback only; the metrics port (the manifest's) binds on the host.
  const pod = new DockerPod({
    name: podName,
    workload,
    objects: operatorObjects,
    secrets: {},
    network: 'host',
    kubernetes: { host: url.hostname, port: Number(url.port), serviceAccountDir: saDir },
  });
  try {
    const c = pod.start(containerName());
    const spec = pod.spec(containerName());
    const target = await pod.probeTarget(containerName(), c);
    // No startup probe in the chart: readiness every periodSeconds until it passes, as the kubelet would mark Ready.
    const readiness: Probe = { ...spec.readinessProbe!, failureThreshold: 30 };
    const ready = await runStartupProbe(readiness, target, () => !c.running);
    const readyAfterMs = Date.now() - c.startedAt;
    if (!ready.result.ok)
      throw new Error(`readiness never passed (${ready.result.detail}); operator output:\n${c.output().slice(-3000)}`);
    expect(ready.result).toMatchObject({ ok: true, status: 200 });
    expect(await probeOnce(spec.livenessProbe!, target)).toMatchObject({ ok: true, status: 200 });
    process.stderr.write(`[container] operator: docker run -> /readyz passed in ${readyAfterMs} ms\n`);

    const leaseName = pod.resolve(containerName()).env.PONYEXPRESS_LEASE_NAME;
    const holder = await waitFor(
      'the operator to hold its Lease',
      async () => {
        const lease = await admin
          .makeApiClient(CoordinationV1Api)
          .readNamespacedLease({ name: leaseName, namespace })
          .catch(() => undefined);
        return lease?.spec?.holderIdentity;
      },
      60_000,
      500,
    );
    expect(holder).toBe(podName);

    c.signal('SIGTERM');
    const exit = await c.waitForExit((workload.pod.terminationGracePeriodSeconds ?? 30) * 1000);
    expect({ exit, log: exit?.code === 0 ? '' : c.output().slice(-3000) }).toMatchObject({ exit: { code: 0 } });
  } finally {
    pod.destroy();
  }
});
