// Starts and stops the local control plane: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok (the fake kubelet of one Node), all on 127.0.0.1.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Binaries } from './binaries.js';
import {
  apiserverArgs,
  controllerManagerArgs,
  etcdArgs,
  kwokArgs,
  schedulerArgs,
  KUBERNETES_SERVICE_IP,
  NODE_NAME,
  type ComponentPaths,
  type Ports,
} from './components.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createPki, type Pki } from './pki.js';
import { launch, stopGroup, tail } from './processes.js';
import { freePort } from '../../../checkapp/services/free-port.js';
import { processAlive } from '../../../checkapp/services/pid.js';
import { httpsStatus, waitUntil } from './readiness.js';
import type { ComponentName, ComponentState, LocalClusterState } from './state.js';
import { waitForNodeReady, waitForDefaultServiceAccount, registerNode } from './node.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const KWOK_STAGES = join(HERE, '..', 'kwok', 'stages.yaml');

export interface StartOptions {
  binaries: Binaries;
  /** Component logs. @default a new run-XXXXXX directory under $PONYEXPRESS_TEST_LOGS, else <tmpdir>/ponyexpress-test-logs/ */
  logDir?: string;
  /** PID whose death stops every component. @default process.pid */
  ownerPid?: number;
  /** Per-component readiness timeout. @default 60000 */
  timeoutMs?: number;
}

const WORK_DIR_PREFIX = 'ponyexpress-cluster-';

/**
 * Work dirs (PKI, etcd data) of runs whose owner died without teardown: the guards stopped
 * their components, but nobody deleted the files. A dir is stale once its owner is gone.
 */
function removeStaleWorkDirs(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(WORK_DIR_PREFIX))) {
    const dir = join(tmpdir(), name);
    try {
      const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      if (owner > 0 && !processAlive(owner)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // no owner file (yet): not ours to judge
    }
  }
}

/** Versions are part of the cache directory names build.sh uses: <module>-<version>-<hash>. */
function versionOf(binary: string): string {
  return /-(v[^/]+)-[0-9a-f]{12}\//.exec(binary)?.[1] ?? 'unknown';
}

export async function startControlPlane(options: StartOptions): Promise<LocalClusterState> {
  const started = Date.now();
  const ownerPid = options.ownerPid ?? process.pid;
  const timeoutMs = options.timeoutMs ?? 60_000;
  removeStaleWorkDirs();
  const workDir = mkdtempSync(join(tmpdir(), WORK_DIR_PREFIX));
  writeFileSync(join(workDir, 'owner.pid'), String(ownerPid));
  const logRoot = process.env.PONYEXPRESS_TEST_LOGS ?? join(tmpdir(), 'ponyexpress-test-logs');
  mkdirSync(logRoot, { recursive: true });
  const logDir = options.logDir ?? mkdtempSync(join(logRoot, 'run-'));
  mkdirSync(logDir, { recursive: true });

  const ports: Ports = {
    etcd: await freePort(),
    etcdPeer: await freePort(),
    apiserver: await freePort(),
    controllerManager: await freePort(),
    scheduler: await freePort(),
    kwok: await freePort(),
  };
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const makePaths = (pki: Pki): ComponentPaths => {
    const kubeconfig = (name: 'admin' | 'controller-manager' | 'scheduler') =>
      writeKubeconfig(join(workDir, `${name}.kubeconfig`), {
        server,
        caFile: pki.caCert,
        user: { clientCertificate: pki.clients[name].cert, clientKey: pki.clients[name].key },
      });
    return {
      workDir,
      pki,
      kwokStages: KWOK_STAGES,
      kubeconfigs: {
        admin: kubeconfig('admin'),
        controllerManager: kubeconfig('controller-manager'),
        scheduler: kubeconfig('scheduler'),
      },
    };
  };

  const components = {} as Record<ComponentName, ComponentState>;
  const exitCodes = new Map<ComponentName, number | null>();
  const start = (name: ComponentName, args: string[]) => {
    const state: ComponentState = { pid: 0, bin: options.binaries[name], args, logFile: join(logDir, `${name}.log`) };
    const launched = launch({ name, bin: state.bin, args, logFile: state.logFile, ownerPid });
    state.pid = launched.pid;
    void launched.exited.then((code) => exitCodes.set(name, code));
    components[name] = state;
  };
  const failIf = (name: ComponentName) => () =>
    exitCodes.has(name)
      ? `${name} exited with code ${exitCodes.get(name)}; last log lines:\n${tail(components[name].logFile)}`
      : null;

  const phases: Record<string, number> = {};
  const mark = (phase: string) => {
    phases[phase] = Date.now() - started;
  };
  try {
    // etcd needs no certificates: let it start while openssl makes the PKI.
    start('etcd', etcdArgs(workDir, ports));
    const pki = createPki(join(workDir, 'pki'), KUBERNETES_SERVICE_IP);
    const paths = makePaths(pki);
    mark('pki');
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${ports.etcd}/health`)).ok, {
      what: 'etcd /health',
      timeoutMs,
      failIf: failIf('etcd'),
    });
    mark('etcd');

    start('kube-apiserver', apiserverArgs(paths, ports));
    await waitForApiserverReady(server, pki.caCert, pki.clients.admin, timeoutMs, failIf('kube-apiserver'));
    mark('kube-apiserver');

    start('kube-controller-manager', controllerManagerArgs(paths, ports));
    start('kube-scheduler', schedulerArgs(paths, ports));
    start('kwok', kwokArgs(paths, ports));
    await registerNode(paths.kubeconfigs.admin, NODE_NAME);
    await Promise.all([
      waitUntil(async () => (await httpsStatus(`https://127.0.0.1:${ports.controllerManager}/healthz`)) === 200, {
        what: 'kube-controller-manager /healthz',
        timeoutMs,
        failIf: failIf('kube-controller-manager'),
      }),
      waitUntil(async () => (await httpsStatus(`https://127.0.0.1:${ports.scheduler}/healthz`)) === 200, {
        what: 'kube-scheduler /healthz',
        timeoutMs,
        failIf: failIf('kube-scheduler'),
      }),
      waitForNodeReady(paths.kubeconfigs.admin, NODE_NAME, timeoutMs, failIf('kwok')),
      waitForDefaultServiceAccount(paths.kubeconfigs.admin, 'default', timeoutMs, failIf('kube-controller-manager')),
    ]);
    mark('controllers, scheduler, kwok node');
  } catch (error) {
    await stopComponents(components);
    rmSync(workDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n(component logs: ${logDir})`, { cause: error });
  }

  return {
    mode: 'local',
    kubeconfig: join(workDir, 'admin.kubeconfig'), // written by makePaths
    apiserverUrl: server,
    ownerPid,
    workDir,
    logDir,
    nodeName: NODE_NAME,
    ports,
    components,
    versions: {
      kubernetes: versionOf(options.binaries['kube-apiserver']),
      etcd: versionOf(options.binaries.etcd),
      kwok: versionOf(options.binaries.kwok),
    },
    startMs: Date.now() - started,
    startPhasesMs: phases,
  };
}

export function waitForApiserverReady(
  server: string,
  caFile: string,
  client: { cert: string; key: string },
  timeoutMs: number,
  failIf?: () => string | null,
): Promise<void> {
  return waitUntil(
    async () => (await httpsStatus(`${server}/readyz`, { ca: caFile, cert: client.cert, key: client.key })) === 200,
    { what: 'kube-apiserver /readyz', timeoutMs, failIf },
  );
}

/** Stops the components in reverse dependency order: consumers first, etcd last. */
export async function stopComponents(components: Partial<Record<ComponentName, ComponentState>>): Promise<void> {
  const stop = (name: ComponentName) => (components[name] ? stopGroup(components[name].pid) : Promise.resolve());
  await Promise.all([stop('kwok'), stop('kube-scheduler'), stop('kube-controller-manager')]);
  await stop('kube-apiserver');
  await stop('etcd');
}

/** Stops everything and deletes the work directory (PKI, etcd data); logs are kept. */
export async function stopControlPlane(state: LocalClusterState): Promise<void> {
  await stopComponents(state.components);
  rmSync(state.workDir, { recursive: true, force: true });
}
