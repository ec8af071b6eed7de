// Kubeconfig files for the components and for tests, and KubeConfig objects for client-node.
import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { readState } from './state.js';

export interface KubeconfigFileOptions {
  server: string;
  caFile: string;
  user: { clientCertificate: string; clientKey: string } | { token: string };
  /** @default 'ponyexpress-test' */
  name?: string;
}

/** Writes a single-context kubeconfig using file references (components read it too). */
export function writeKubeconfig(path: string, options: KubeconfigFileOptions): string {
  const name = options.name ?? 'ponyexpress-test';
  const user =
    'token' in options.user
      ? { token: options.user.token }
      : { 'client-certificate': options.user.clientCertificate, 'client-key': options.user.clientKey };
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server: options.server, 'certificate-authority': options.caFile } }],
      users: [{ name, user }],
      contexts: [{ name, context: { cluster: name, user: name } }],
      'current-context': name,
    }),
    { mode: 0o600 },
  );
  return path;
}

/** The admin KubeConfig of the cluster under test (local control plane or KUBECONFIG). */
export function adminKubeConfig(): KubeConfig {
  const state = readState();
  const kc = new KubeConfig();
  // KUBECONFIG may list several files; client-node merges them like kubectl does.
  if (state.mode === 'external') kc.loadFromDefault();
  else kc.loadFromFile(state.kubeconfig);
  return kc;
}
