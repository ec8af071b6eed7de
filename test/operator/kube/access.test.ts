import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClusterAccess } from '../../../operator/kube/access.js';

const dir = mkdtempSync(join(tmpdir(), 'transport-test-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('loadClusterAccess', () => {
  it('reads a YAML kubeconfig with inline CA and client certificate', async () => {
    const kc = file(
      'a.yaml',
      `
apiVersion: v1
kind: Config
current-context: dev
contexts: [{name: dev, context: {cluster: c1, user: u1}}, {name: other, context: {cluster: c2, user: u1}}]
clusters:
- {name: c1, cluster: {server: "https://10.0.0.1:6443/", certificate-authority-data: ${Buffer.from('CA').toString('base64')}}}
- {name: c2, cluster: {server: "https://elsewhere"}}
users:
- {name: u1, user: {client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')}}}
`,
    );
    const access = await loadClusterAccess({ KUBECONFIG: kc });
    expect(access.server).toBe('https://10.0.0.1:6443');
    expect(access.ca?.toString()).toBe('CA');
    expect(access.cert?.toString()).toBe('CERT');
    expect(access.key?.toString()).toBe('KEY');
    expect(access.token).toBeUndefined();
  });

  it('reads a JSON kubeconfig with a token and a CA file', async () => {
    const ca = file('ca.crt', 'CAFILE');
    const kc = file(
      'b.json',
      JSON.stringify({
        'current-context': 'x',
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1234', 'certificate-authority': ca } }],
        users: [{ name: 'u', user: { token: 'secret-token' } }],
      }),
    );
    const access = await loadClusterAccess({ KUBECONFIG: `${kc}:/ignored` });
    expect(access).toMatchObject({ server: 'https://127.0.0.1:1234', token: 'secret-token' });
    expect(access.ca?.toString()).toBe('CAFILE');
  });

  it('refuses exec plugins with a clear message', async () => {
    const kc = file(
      'c.json',
      JSON.stringify({
        'current-context': 'x',
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        clusters: [{ name: 'c', cluster: { server: 'https://k' } }],
        users: [{ name: 'u', user: { exec: { command: 'aws' } } }],
      }),
    );
    await expect(loadClusterAccess({ KUBECONFIG: kc })).rejects.toThrow(/exec\/auth-provider plugin/);
  });

  it('names a missing context', async () => {
    const kc = file('d.json', JSON.stringify({ 'current-context': 'nope', contexts: [], clusters: [], users: [] }));
    await expect(loadClusterAccess({ KUBECONFIG: kc })).rejects.toThrow(/context "nope" not found/);
  });

  it('fails clearly outside a cluster with no kubeconfig', async () => {
    await expect(loadClusterAccess({ HOME: dir })).rejects.toThrow(/not running in a cluster/);
    await expect(loadClusterAccess({ KUBECONFIG: join(dir, 'missing') })).rejects.toThrow(/cannot read/);
  });
});
