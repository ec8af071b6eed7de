// Runs the `ponyexpress` CLI the way users do: its npm bin shim in a child process, with a
// kubeconfig file that authenticates with a bearer token.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { writeKubeconfig } from '../harness/index.js';

const SHIM = fileURLToPath(new URL('../../../operator/cli/ponyexpress.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A kubeconfig file for the admin's cluster that authenticates only with `token` (alone in a temp dir: remove it after). */
export function writeTokenKubeconfig(admin: KubeConfig, token: string): string {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('admin KubeConfig has no current cluster');
  const dir = mkdtempSync(join(tmpdir(), 'ponyexpress-cli-test-'));
  let caFile = cluster.caFile;
  if (!caFile) {
    if (!cluster.caData) throw new Error(`cluster ${cluster.name} has no CA to trust`);
    caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, Buffer.from(cluster.caData, 'base64'));
  }
  return writeKubeconfig(join(dir, 'config'), { server: cluster.server, caFile, user: { token } });
}

/** Runs the CLI with this Node (24) and `KUBECONFIG=kubeconfig`; resolves when it exits. */
export function runCli(args: readonly string[], kubeconfig: string): Promise<CliRun> {
  return run(process.execPath, [SHIM, ...args], kubeconfig);
}

/** True when a kubectl binary is on PATH (the plugin test needs one; the CLI itself does not). */
export function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs `kubectl <args>` with the CLI installed as the plugin `kubectl-ponyexpress` (a symlink to
 * the npm bin shim, as `npm i -g` makes) on PATH.
 */
export function runKubectl(args: readonly string[], kubeconfig: string): Promise<CliRun> {
  const bin = mkdtempSync(join(tmpdir(), 'ponyexpress-plugin-'));
  symlinkSync(SHIM, join(bin, 'kubectl-ponyexpress'));
  return run('kubectl', args, kubeconfig, { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` }).finally(() =>
    rmSync(bin, { recursive: true, force: true }),
  );
}

function run(
  command: string,
  args: readonly string[],
  kubeconfig: string,
  extraEnv: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // NODE_OPTIONS of the jest run (--experimental-vm-modules) is not the user's environment.
    const env = { ...process.env, KUBECONFIG: kubeconfig, NODE_OPTIONS: '', ...extraEnv };
    const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
