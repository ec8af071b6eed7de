// Where the apiserver is and how to authenticate to it: a kubeconfig (token or client
// certificate, CA) or the in-cluster ServiceAccount. Deliberately not client-node's KubeConfig,
// which loads its whole generated API (see docs/operator-runtime.md, "Why not client-node").
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

export interface ClusterAccess {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Re-read on every request batch: projected ServiceAccount tokens rotate. */
  tokenFile?: string;
  insecureSkipTlsVerify?: boolean;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** KUBECONFIG (first file) or ~/.kube/config when present, else the in-cluster ServiceAccount. */
export async function loadClusterAccess(env: NodeJS.ProcessEnv = process.env): Promise<ClusterAccess> {
  const file = env.KUBECONFIG?.split(':')[0] || `${env.HOME ?? homedir()}/.kube/config`;
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    if (env.KUBECONFIG) throw new Error(`KUBECONFIG=${env.KUBECONFIG}: cannot read ${file}`);
  }
  if (text !== undefined) return fromKubeconfig(text, file);
  if (!env.KUBERNETES_SERVICE_HOST)
    throw new Error('no kubeconfig found and not running in a cluster (KUBERNETES_SERVICE_HOST unset)');
  const host = env.KUBERNETES_SERVICE_HOST.includes(':')
    ? `[${env.KUBERNETES_SERVICE_HOST}]`
    : env.KUBERNETES_SERVICE_HOST;
  return {
    server: `https://${host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`,
    ca: readFileSync(`${SA_DIR}/ca.crt`),
    tokenFile: `${SA_DIR}/token`,
  };
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

async function fromKubeconfig(text: string, file: string): Promise<ClusterAccess> {
  // Kubeconfigs written as JSON (valid YAML) skip loading a YAML parser.
  const doc = (text.trimStart().startsWith('{') ? JSON.parse(text) : (await import('yaml')).parse(text)) as Record<
    string,
    unknown
  >;
  const pick = <T>(list: unknown, name: string | undefined, what: string): T => {
    const found = (list as Named<T>[] | undefined)?.find((x) => x.name === name);
    if (!found) throw new Error(`${file}: ${what} "${name}" not found`);
    return (found.cluster ?? found.user ?? found.context) as T;
  };
  const ctx = pick<{ cluster: string; user: string }>(doc.contexts, doc['current-context'] as string, 'context');
  const cluster = pick<Record<string, string | boolean>>(doc.clusters, ctx.cluster, 'cluster');
  const user = pick<Record<string, unknown>>(doc.users, ctx.user, 'user');
  if (user.exec || user['auth-provider'])
    throw new Error(
      `${file}: user "${ctx.user}" uses an exec/auth-provider plugin; the operator supports tokens and client certificates`,
    );
  const bytes = (data: unknown, path: unknown) =>
    typeof data === 'string' ? Buffer.from(data, 'base64') : typeof path === 'string' ? readFileSync(path) : undefined;
  return {
    server: String(cluster.server).replace(/\/$/, ''),
    ca: bytes(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: bytes(user['client-certificate-data'], user['client-certificate']),
    key: bytes(user['client-key-data'], user['client-key']),
    token: typeof user.token === 'string' ? user.token : undefined,
    tokenFile: typeof user.tokenFile === 'string' ? user.tokenFile : undefined,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
  };
}
