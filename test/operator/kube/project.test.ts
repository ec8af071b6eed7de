// The cache transforms: each kind keeps exactly the fields the core's *Like types declare, so the
// core plans the same from a cached object as from the full one the apiserver sent.
import { projectJob, projectPod, projectWorkload } from '../../../operator/kube/project.js';
import type { JobLike, PodLike, WorkloadLike } from '../../../operator/core/types.js';

const container = (name: string, image: string) => ({
  name,
  image,
  command: ['gunicorn'],
  env: [{ name: 'DJANGO_SETTINGS_MODULE', value: 'app.settings' }],
  resources: { requests: { cpu: '100m', memory: '128Mi' } },
  readinessProbe: { httpGet: { path: '/healthz', port: 8000 } },
  securityContext: { runAsNonRoot: true },
  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
});

const fullMeta = {
  name: 'web',
  namespace: 'shop-staging',
  uid: 'u1',
  resourceVersion: '42',
  generation: 3,
  labels: { 'app.kubernetes.io/component': 'web' },
  annotations: {
    'ponyexpress.dev/image': 'r/app:b2',
    'kubectl.kubernetes.io/last-applied-configuration': '{"huge":"json"}',
  },
  creationTimestamp: '2026-12-01T10:00:00Z',
  managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }],
  ownerReferences: [{ kind: 'ReplicaSet', name: 'web-1' }],
  finalizers: ['x'],
};
const keptMeta = {
  name: 'web',
  namespace: 'shop-staging',
  uid: 'u1',
  resourceVersion: '42',
  generation: 3,
  labels: { 'app.kubernetes.io/component': 'web' },
  annotations: { 'ponyexpress.dev/image': 'r/app:b2' },
  creationTimestamp: '2026-12-01T10:00:00Z',
};
const condition = { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'ok' };

describe('cache projections', () => {
  it('keeps of a Deployment its identity, template images, strategy and rollout status', () => {
    const full = {
      metadata: fullMeta,
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
        progressDeadlineSeconds: 600,
        template: {
          metadata: { labels: { app: 'web' }, annotations: { a: 'b' } },
          spec: {
            containers: [container('web', 'r/app:b2')],
            initContainers: [container('wait', 'r/app:b2')],
            volumes: [{ name: 'tmp', emptyDir: {} }],
            serviceAccountName: 'sa',
          },
        },
      },
      status: {
        observedGeneration: 3,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        unavailableReplicas: 0,
        collisionCount: 0,
        conditions: [condition],
      },
    } as unknown as Omit<WorkloadLike, 'kind'>;
    expect(projectWorkload(full)).toEqual({
      metadata: keptMeta,
      spec: {
        replicas: 2,
        strategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: { app: 'web' }, annotations: { a: 'b' } },
          spec: {
            containers: [{ name: 'web', image: 'r/app:b2' }],
            initContainers: [{ name: 'wait', image: 'r/app:b2' }],
          },
        },
      },
      status: {
        observedGeneration: 3,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        conditions: [condition],
      },
    });
  });

  it("keeps a StatefulSet's update strategy and revisions", () => {
    const sts = {
      metadata: { name: 'beat' },
      spec: {
        replicas: 1,
        serviceName: 'beat',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        template: { spec: { containers: [container('beat', 'r/app:a1')] } },
      },
      status: { currentRevision: 'beat-1', updateRevision: 'beat-2', replicas: 1, currentReplicas: 1 },
    } as unknown as Omit<WorkloadLike, 'kind'>;
    expect(projectWorkload(sts)).toEqual({
      metadata: { name: 'beat' },
      spec: {
        replicas: 1,
        updateStrategy: { type: 'RollingUpdate' },
        template: { spec: { containers: [{ name: 'beat', image: 'r/app:a1' }] } },
      },
      status: { currentRevision: 'beat-1', updateRevision: 'beat-2', replicas: 1 },
    });
  });

  it('keeps of a Pod its images, phase, conditions and container statuses (digest, restarts, last exit)', () => {
    const status = (name: string) => ({
      name,
      image: 'r/app:b2',
      imageID: 'r/app@sha256:abc',
      ready: true,
      restartCount: 1,
      started: true,
      containerID: 'containerd://1',
      state: { running: { startedAt: '2026-12-01T10:01:00Z' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-12-01T10:00:30Z' } },
    });
    const full = {
      metadata: { ...fullMeta, deletionTimestamp: '2026-12-01T10:05:00Z' },
      spec: {
        nodeName: 'n1',
        containers: [container('web', 'r/app:b2')],
        initContainers: [container('wait', 'r/app:b2')],
        tolerations: [{ key: 'k' }],
      },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        hostIP: '10.0.0.2',
        startTime: '2026-12-01T10:00:00Z',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [status('web')],
        initContainerStatuses: [status('wait')],
      },
    } as unknown as PodLike;
    const kept = {
      name: 'web',
      image: 'r/app:b2',
      imageID: 'r/app@sha256:abc',
      ready: true,
      restartCount: 1,
      lastState: { terminated: { finishedAt: '2026-12-01T10:00:30Z' } },
    };
    expect(projectPod(full)).toEqual({
      metadata: { ...keptMeta, deletionTimestamp: '2026-12-01T10:05:00Z' },
      spec: { containers: [{ name: 'web', image: 'r/app:b2' }], initContainers: [{ name: 'wait', image: 'r/app:b2' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [kept],
        initContainerStatuses: [{ ...kept, name: 'wait' }],
      },
    });
  });

  it("keeps of a Job its template's labels and images and its completion status", () => {
    const full = {
      metadata: fullMeta,
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: 86400,
        selector: { matchLabels: { 'controller-uid': 'u' } },
        template: {
          metadata: { labels: { component: 'migrate' } },
          spec: { restartPolicy: 'Never', containers: [container('migrate', 'r/app:b2')] },
        },
      },
      status: {
        active: 0,
        succeeded: 1,
        failed: 0,
        ready: 0,
        startTime: '2026-12-01T10:00:00Z',
        completionTime: '2026-12-01T10:00:05Z',
        uncountedTerminatedPods: {},
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    } as unknown as JobLike;
    expect(projectJob(full)).toEqual({
      metadata: keptMeta,
      spec: {
        template: {
          metadata: { labels: { component: 'migrate' } },
          spec: { containers: [{ name: 'migrate', image: 'r/app:b2' }] },
        },
      },
      status: {
        active: 0,
        succeeded: 1,
        failed: 0,
        completionTime: '2026-12-01T10:00:05Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    });
  });

  it('keeps of a condition what the core reads: no probe or update times', () => {
    const pod = {
      metadata: { name: 'p' },
      status: {
        phase: 'Running',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: '2026-12-01T10:00:03Z',
          },
        ],
      },
    } as unknown as PodLike;
    const deployment = {
      metadata: { name: 'd' },
      status: {
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "web-1" has timed out progressing.',
            lastUpdateTime: '2026-12-01T10:10:00Z',
            lastTransitionTime: '2026-12-01T10:10:00Z',
          },
        ],
      },
    } as unknown as WorkloadLike;
    expect(projectPod(pod).status?.conditions).toEqual([
      { type: 'Ready', status: 'True', lastTransitionTime: '2026-12-01T10:00:03Z' },
    ]);
    expect(projectWorkload(deployment).status?.conditions).toEqual([
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "web-1" has timed out progressing.',
        lastTransitionTime: '2026-12-01T10:10:00Z',
      },
    ]);
  });

  it('leaves absent parts absent (a Job not yet started has no status)', () => {
    expect(projectJob({ metadata: { name: 'j' } })).toEqual({ metadata: { name: 'j' } });
    expect(projectPod({ metadata: { name: 'p' } })).toEqual({ metadata: { name: 'p' } });
  });
});
