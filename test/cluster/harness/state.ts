// The cluster state file: written by globalSetup, read by test files (in jest workers)
// and by globalTeardown. Its path travels in PONYEXPRESS_CLUSTER_STATE.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

export const STATE_ENV = 'PONYEXPRESS_CLUSTER_STATE';

export interface ComponentState {
  /** Guard PID = process-group id (see processes.ts). */
  pid: number;
  bin: string;
  args: string[];
  logFile: string;
}

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

export interface LocalClusterState {
  mode: 'local';
  kubeconfig: string;
  apiserverUrl: string;
  /** The jest process that owns the components; they stop when it dies. */
  ownerPid: number;
  workDir: string;
  logDir: string;
  nodeName: string;
  ports: Record<'etcd' | 'etcdPeer' | 'apiserver' | 'controllerManager' | 'scheduler' | 'kwok', number>;
  components: Record<ComponentName, ComponentState>;
  versions: Record<'kubernetes' | 'etcd' | 'kwok', string>;
  /** Milliseconds from "start" to every component ready (build time excluded). */
  startMs: number;
  /** Milliseconds from "start" to the end of each start-up phase. */
  startPhasesMs: Record<string, number>;
}

export interface ExternalClusterState {
  mode: 'external';
  kubeconfig: string;
}

export type ClusterState = LocalClusterState | ExternalClusterState;

export function statePath(): string {
  const path = process.env[STATE_ENV];
  if (!path) {
    throw new Error(
      `${STATE_ENV} is not set: cluster tests must run in the jest "cluster" project ` +
        '(npm run test:cluster), whose globalSetup starts or finds the cluster.',
    );
  }
  return path;
}

export function readState(path = statePath()): ClusterState {
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterState;
}

export function writeState(state: ClusterState, path = statePath()): void {
  // Write-then-rename so a reader in another process never sees half a file.
  writeFileSync(`${path}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${path}.tmp`, path);
}
