import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, runToCompletion } from '../services/managed-process.js';
import { configMapsOf, expandCommand, resolveEnv } from './container-env.js';
import { containerNamed, type Workload } from './manifests.js';
import type { ProbeTarget } from './prober.js';
import type { Container, KubeObject, SecretFixtures } from './types.js';

export interface LocalPodOptions {
  /** Pod name (HOSTNAME, fieldRef metadata.name). */
  name: string;
  workload: Workload;
  /** Every synthesised object (for ConfigMaps). */
  objects: KubeObject[];
  secrets: SecretFixtures;
  /** The image's working directory (/app) is this local directory. */
  appDir: string;
  /** The image's virtualenv (its bin/ is first on PATH, as in the Dockerfile). */
  venv: string;
  /** containerPort -> local port; listen addresses in --bind are rewritten to 127.0.0.1:<local>. @default none */
  portMap?: ReadonlyMap<number, number>;
  /**
   * Test-only variables layered on top of what the manifest defines, by container name.
   * Everything here is a deliberate deviation from the manifests; keep it tiny. @default none
   */
  extraEnv?: Record<string, Record<string, string>>;
}

/** The image's WORKDIR and ENV, mirrored from example/Dockerfile. */
const IMAGE_WORKDIR = '/app';
const imageEnv = (venv: string): Record<string, string> => ({
  PATH: `${venv}/bin:/usr/local/bin:/usr/bin:/bin`,
  PYTHONUNBUFFERED: '1',
  PYTHONDONTWRITEBYTECODE: '1',
  HOME: '/tmp',
  LANG: 'C.UTF-8',
});

export interface LocalContainer {
  spec: Container;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * Runs a pod's containers as local processes, as close to the kubelet as a
 * laptop allows. The only translations, all explicit:
 * - the image's /app is appDir, and its venv is ours;
 * - each emptyDir volume is a fresh local directory, and any value that is
 *   (or starts with) its mountPath is rewritten to it; TMPDIR points at /tmp's;
 * - `--bind 0.0.0.0:<containerPort>` listens on 127.0.0.1:<mapped port>.
 * Processes run as the test's own user, not the pod's runAsUser: the venv's
 * interpreter (pyenv under /root) is not reachable by other users here. So a
 * read-only root filesystem is not simulated; the Dockerfile keeps every
 * runtime write under /tmp, which this harness does map.
 */
export class LocalPod {
  readonly name: string;
  readonly root: string;
  private readonly volumeDirs = new Map<string, string>(); // volume name -> local dir

  constructor(private readonly options: LocalPodOptions) {
    this.name = options.name;
    this.root = mkdtempSync(join(tmpdir(), `ponyexpress-pod-${options.name}-`));
    for (const volume of options.workload.pod.volumes ?? []) {
      if (!('emptyDir' in volume))
        throw new Error(
          `pod ${this.name}: volume "${volume.name}" is not an emptyDir; this harness only maps emptyDirs`,
        );
      const dir = join(this.root, volume.name);
      mkdirSync(dir);
      this.volumeDirs.set(volume.name, dir);
    }
  }

  get workload(): Workload {
    return this.options.workload;
  }

  /** Command, args and env of a container, resolved and localised. */
  container(name: string): LocalContainer {
    const spec = containerNamed(this.options.workload.pod, name);
    const mounts = new Map<string, string>();
    for (const m of spec.volumeMounts ?? []) {
      const dir = this.volumeDirs.get(m.name);
      if (!dir) throw new Error(`container ${name}: mount of unknown volume "${m.name}"`);
      mounts.set(m.mountPath, m.subPath ? join(dir, m.subPath) : dir);
    }
    const localise = (value: string) => {
      for (const [mountPath, dir] of mounts) {
        if (value === mountPath) return dir;
        if (value.startsWith(`${mountPath}/`)) return dir + value.slice(mountPath.length);
      }
      return value;
    };
    const w = this.options.workload;
    const resolved = resolveEnv(spec, {
      configMaps: configMapsOf(this.options.objects, w.object.metadata.namespace ?? 'default'),
      secrets: this.options.secrets,
      pod: {
        name: this.name,
        namespace: w.object.metadata.namespace ?? 'default',
        uid: `uid-${this.name}`,
        podIP: '127.0.0.1',
        hostIP: '127.0.0.1',
        nodeName: 'local',
        serviceAccountName: w.pod.serviceAccountName ?? 'default',
        labels: w.podLabels,
        annotations: w.podAnnotations,
      },
    });
    const { command, args } = expandCommand(spec, resolved);
    if (!command?.length) throw new Error(`container ${name}: no command; the contract requires an explicit command`);
    // Only the manifest's values are localised: the image's own env (PATH into our venv) may itself live
    // under /tmp when the repository is checked out there, and must not be rewritten into the pod's emptyDir.
    const env: Record<string, string> = { ...imageEnv(this.options.venv), HOSTNAME: this.name };
    for (const [k, v] of resolved) env[k] = localise(v);
    for (const [k, v] of Object.entries(this.options.extraEnv?.[name] ?? {})) env[k] = localise(v);
    if (mounts.has('/tmp')) env.TMPDIR = mounts.get('/tmp')!;
    const argv = this.rewriteBind([...command, ...(args ?? [])].map(localise));
    const workingDir = spec.workingDir ?? IMAGE_WORKDIR;
    if (workingDir !== IMAGE_WORKDIR)
      throw new Error(`container ${name}: workingDir ${workingDir} is not the image's ${IMAGE_WORKDIR}`);
    return { spec, argv, env, cwd: this.options.appDir };
  }

  start(name: string): ManagedProcess {
    const c = this.container(name);
    return new ManagedProcess({
      name: `${this.name}/${name}`,
      argv: c.argv,
      env: c.env,
      cwd: c.cwd,
      logFile: join(this.root, `${name}.log`),
    });
  }

  /** Run argv inside the container (exec probes, preStop hooks, kubectl exec). */
  async exec(
    name: string,
    argv: string[],
    timeoutMs: number,
  ): Promise<{ code: number | null; output: string; timedOut: boolean }> {
    const c = this.container(name);
    return runToCompletion({ argv, env: c.env, cwd: c.cwd }, timeoutMs);
  }

  probeTarget(name: string): ProbeTarget {
    const spec = containerNamed(this.options.workload.pod, name);
    return {
      podIP: '127.0.0.1',
      portMap: this.options.portMap ?? new Map(),
      container: spec,
      exec: async (argv, timeoutMs) => {
        const r = await this.exec(name, argv, timeoutMs);
        return r.timedOut ? null : r.code;
      },
    };
  }

  /** The local directory behind a volume, e.g. volumeDir('tmp'). */
  volumeDir(volumeName: string): string {
    const dir = this.volumeDirs.get(volumeName);
    if (!dir) throw new Error(`pod ${this.name} has no volume "${volumeName}"`);
    return dir;
  }

  destroy(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private rewriteBind(argv: string[]): string[] {
    const out = [...argv];
    for (let i = 0; i < out.length; i++) {
      const inline = /^(--bind=|-b)(.+)$/.exec(out[i]);
      if (inline && out[i] !== '-b') out[i] = inline[1] + this.localAddress(inline[2]);
      else if ((out[i] === '--bind' || out[i] === '-b') && i + 1 < out.length)
        out[i + 1] = this.localAddress(out[i + 1]);
    }
    return out;
  }

  private localAddress(address: string): string {
    const m = /^(0\.0\.0\.0|\[::\]|)?:(\d+)$/.exec(address);
    if (!m) return address;
    const local = this.options.portMap?.get(Number(m[2]));
    if (local === undefined)
      throw new Error(`pod ${this.name}: ${address} binds port ${m[2]}, which has no local mapping`);
    return `127.0.0.1:${local}`;
  }
}
