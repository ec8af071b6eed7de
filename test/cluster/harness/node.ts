// The single fake Node (kwok plays its kubelet) and start-up checks that need the API.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KWOK_NODE_LABEL } from './components.js';
import { waitUntil } from './readiness.js';

function core(kubeconfigPath: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc.makeApiClient(CoreV1Api);
}

/** Creates the Node object kwok manages (kwok only manages Nodes, it does not register them). */
export async function registerNode(kubeconfigPath: string, name: string): Promise<void> {
  await core(kubeconfigPath).createNode({
    body: {
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          [KWOK_NODE_LABEL.split('=')[0]]: KWOK_NODE_LABEL.split('=')[1],
        },
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      },
      spec: {},
    },
  });
}

/** Ready, and the not-ready taints the node-lifecycle controller adds at registration are gone. */
export function waitForNodeReady(
  kubeconfigPath: string,
  name: string,
  timeoutMs: number,
  failIf?: () => string | null,
): Promise<void> {
  const api = core(kubeconfigPath);
  return waitUntil(
    async () => {
      const node = await api.readNode({ name });
      const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const blocking = (node.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
      return Boolean(ready) && !blocking;
    },
    { what: `node ${name} Ready and untainted (kwok)`, timeoutMs, failIf, intervalMs: 200 },
  );
}

/** The ServiceAccount controller (in kube-controller-manager) has created `default` in the namespace. */
export function waitForDefaultServiceAccount(
  kubeconfigPath: string,
  namespace: string,
  timeoutMs: number,
  failIf?: () => string | null,
): Promise<void> {
  const api = core(kubeconfigPath);
  return waitUntil(
    async () => {
      await api.readNamespacedServiceAccount({ name: 'default', namespace });
      return true;
    },
    { what: `ServiceAccount ${namespace}/default`, timeoutMs, failIf, intervalMs: 200 },
  );
}
