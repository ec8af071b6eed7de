import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configMapsOf, expandCommand, resolveEnv } from '../contract/kube/container-env.js';
import { containerNamed, type Workload } from '../contract/kube/manifests.js';
import type { ProbeTarget } from '../contract/kube/prober.js';
import type { Container, KubeObject, SecretFixtures } from '../contract/kube/types.js';
import { ManagedProcess, runToCompletion, waitFor } from '../contract/services/managed-process.js';

/** Every container this harness starts carries this label, so leftovers of a crashed run can be found. */
export const TEST_LABEL = 'dev.ponyexpress.test=container';

/** What the docker CLI itself needs from our environment (never passed into a container). */
const cliEnv = (): Record<string, string> => {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
  };
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('DOCKER_') && v) env[k] = v;
  return env;
};

let resolvedDocker: string | undefined;
/** The docker CLI by absolute path: a container's own PATH (in the CLI's env) must not change which one runs. */
const dockerPath = () =>
  (resolvedDocker ??= execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim());

export function docker(args: string[], timeoutMs = 60_000): string {
  return execFileSync('docker', args, {
    env: cliEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** The default bridge's gateway (where containers reach the host) and subnet. */
export function bridgeNetwork(): { gateway: string; subnet: string } {
  const [subnet, gateway] = docker([
    'network',
    'inspect',
    'bridge',
    '--format',
    '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}',
  ]).split(' ');
  if (!subnet) throw new Error('docker network inspect bridge: no subnet');
  // The default bridge often leaves Gateway empty; Docker then gives the bridge the subnet's first address.
  const [a, b, c, d] = subnet.split('/')[0].split('.').map(Number);
  return { subnet, gateway: gateway || `${a}.${b}.${c}.${d + 1}` };
}

interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
}

const BINARY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
function bytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!m) throw new Error(`memory quantity "${quantity}" is not supported by this harness (use Ki, Mi or Gi)`);
  return Number(m[1]) * (m[2] ? BINARY_UNITS[m[2]] : 1);
}

/**
 * The `docker run` flags for what the kubelet would enforce from the pod and container securityContext
 * (container fields win), the memory limit and the volumes. Throws on what it cannot express, like the
 * kubelet's runAsNonRoot check on an image that would run as root.
 */
export function securityFlags(pod: Workload['pod'], spec: Container, image: string): string[] {
  const podSc = (pod.securityContext ?? {}) as SecurityContext & { fsGroup?: number };
  const sc = { ...podSc, ...((spec as { securityContext?: SecurityContext }).securityContext ?? {}) };
  const flags: string[] = [];
  let uid = sc.runAsUser;
  if (uid === undefined) {
    const user = docker(['image', 'inspect', '--format', '{{.Config.User}}', image]);
    uid = /^\d+/.test(user) ? Number(user.split(':')[0]) : undefined;
    if (sc.runAsNonRoot && uid === undefined) {
      throw new Error(
        `container ${spec.name}: runAsNonRoot, but image ${image} has a non-numeric or no USER ("${user}") and no runAsUser is set`,
      );
    }
  }
  if (sc.runAsNonRoot && uid === 0) throw new Error(`container ${spec.name}: runAsNonRoot, but it would run as UID 0`);
  if (sc.runAsUser !== undefined)
    flags.push('--user', sc.runAsGroup !== undefined ? `${sc.runAsUser}:${sc.runAsGroup}` : String(sc.runAsUser));
  if (podSc.fsGroup !== undefined) flags.push('--group-add', String(podSc.fsGroup));
  if (sc.readOnlyRootFilesystem) flags.push('--read-only');
  if (sc.privileged) flags.push('--privileged');
  if (sc.allowPrivilegeEscalation === false) flags.push('--security-opt', 'no-new-privileges');
  for (const cap of sc.capabilities?.drop ?? []) flags.push('--cap-drop', cap);
  for (const cap of sc.capabilities?.add ?? []) flags.push('--cap-add', cap);
  // RuntimeDefault is Docker's default profile; Unconfined has to be asked for.
  if (sc.seccompProfile?.type === 'Unconfined') flags.push('--security-opt', 'seccomp=unconfined');
  const memory = (spec as { resources?: { limits?: { memory?: string } } }).resources?.limits?.memory;
  if (memory) flags.push('--memory', String(bytes(memory)));
  if (spec.workingDir) flags.push('--workdir', spec.workingDir);
  return flags;
}

/** One running (or finished) container of a DockerPod. */
export class RunningContainer {
  constructor(
    readonly id: string,
    readonly process: ManagedProcess,
    readonly startedAt: number,
  ) {}

  get running(): boolean {
    return this.process.running;
  }

  /** The container's IP on the bridge (its pod IP), once Docker has started it. */
  async ip(): Promise<string> {
    return waitFor(
      `${this.id} to get an IP`,
      async () => {
        if (!this.process.running) throw new Error(`container exited:\n${this.process.output().slice(-3000)}`);
        try {
          return docker(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', this.id]) || undefined;
        } catch {
          return undefined; // not created yet
        }
      },
      60_000,
      100,
    );
  }

  /** Like the kubelet: the signal goes to PID 1. */
  signal(signal: NodeJS.Signals): void {
    docker(['kill', '--signal', signal, this.id]);
  }

  waitForExit(timeoutMs: number) {
    return this.process.waitForExit(timeoutMs);
  }

  output(): string {
    return this.process.output();
  }
}

export interface DockerPodOptions {
  /** Pod name (container hostname, HOSTNAME, fieldRef metadata.name). */
  name: string;
  workload: Workload;
  objects: KubeObject[];
  secrets: SecretFixtures;
  /** Test-only variables on top of the manifest's, by container name. Keep tiny. @default none */
  extraEnv?: Record<string, Record<string, string>>;
  /** Run this image instead of the manifest's (deliberately broken images in self-checks). @default the manifest's */
  image?: string;
  /** Refuse a container without `command` (the app contract requires one; the operator uses its ENTRYPOINT). @default false */
  requireCommand?: boolean;
  /** `host` shares the host's network (to reach an apiserver on loopback); ports then bind on the host. @default bridge */
  network?: 'bridge' | 'host';
  /**
   * What the kubelet gives a pod with automountServiceAccountToken: KUBERNETES_SERVICE_HOST/PORT and a
   * directory (token, ca.crt, namespace) mounted read-only at the standard path. @default none
   */
  kubernetes?: { host: string; port: number; serviceAccountDir: string };
}

const SERVICE_ACCOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Runs a pod's containers with `docker run`, from the image the manifest names, with its command, args,
 * env (resolved as the kubelet does), securityContext, memory limit and volumes. Nothing is translated:
 * no working directory, user or path is substituted. Each emptyDir is one fresh host directory
 * (mode 1777, like the kubelet's) bind-mounted into every container that mounts it, so init and main
 * containers share it as in a pod. Each container gets its own bridge IP, which probes dial.
 */
export class DockerPod {
  readonly root: string;
  private readonly volumeDirs = new Map<string, string>();
  private readonly containers: RunningContainer[] = [];
  private seq = 0;

  constructor(private readonly options: DockerPodOptions) {
    this.root = mkdtempSync(join(tmpdir(), `ponyexpress-dockerpod-${options.name}-`));
    for (const volume of options.workload.pod.volumes ?? []) {
      if (!('emptyDir' in volume))
        throw new Error(
          `pod ${options.name}: volume "${volume.name}" is not an emptyDir; this harness only maps emptyDirs`,
        );
      const dir = join(this.root, volume.name);
      mkdirSync(dir);
      chmodSync(dir, 0o1777);
      this.volumeDirs.set(volume.name, dir);
    }
  }

  get workload(): Workload {
    return this.options.workload;
  }

  spec(name: string): Container {
    return containerNamed(this.options.workload.pod, name);
  }

  /** The container's resolved env, and command and args with `$(VAR)` expanded. */
  resolve(name: string): { env: Record<string, string>; command?: string[]; args?: string[] } {
    const spec = this.spec(name);
    const w = this.options.workload;
    const resolved = resolveEnv(spec, {
      configMaps: configMapsOf(this.options.objects, w.object.metadata.namespace ?? 'default'),
      secrets: this.options.secrets,
      pod: {
        name: this.options.name,
        namespace: w.object.metadata.namespace ?? 'default',
        uid: `uid-${this.options.name}`,
        podIP: '0.0.0.0',
        hostIP: '0.0.0.0',
        nodeName: 'docker',
        serviceAccountName: w.pod.serviceAccountName ?? 'default',
        labels: w.podLabels,
        annotations: w.podAnnotations,
      },
    });
    const kube = this.options.kubernetes;
    const env: Record<string, string> = kube
      ? { KUBERNETES_SERVICE_HOST: kube.host, KUBERNETES_SERVICE_PORT: String(kube.port) }
      : {};
    Object.assign(env, Object.fromEntries(resolved));
    Object.assign(env, this.options.extraEnv?.[name] ?? {});
    const { command, args } = expandCommand(spec, resolved);
    // An empty command would silently run the image's CMD; the app contract requires an explicit one.
    if (this.options.requireCommand && !command?.length)
      throw new Error(`container ${name}: no command; the contract requires an explicit command`);
    return { env, command: command?.length ? command : undefined, args };
  }

  /**
   * `docker run` of one container, attached (its output is captured); returns once the CLI is started.
   * `overrideArgv` replaces command and args; `overrideArgs` replaces args only (as a pod's `args` would).
   */
  start(name: string, overrideArgv?: string[], overrideArgs?: string[]): RunningContainer {
    const spec = this.spec(name);
    const image = this.options.image ?? spec.image;
    if (!image) throw new Error(`container ${name} has no image`);
    const { env, command, args: specArgs } = this.resolve(name);
    const args = overrideArgs ?? specArgs;
    const id = `ponyexpress-${process.pid}-${this.options.name}-${name}-${this.seq++}`;
    const mounts: string[] = [];
    for (const m of spec.volumeMounts ?? []) {
      const dir = this.volumeDirs.get(m.name);
      if (!dir) throw new Error(`container ${name}: mount of unknown volume "${m.name}"`);
      mounts.push(
        '--mount',
        `type=bind,src=${m.subPath ? join(dir, m.subPath) : dir},dst=${m.mountPath}${m.readOnly ? ',readonly' : ''}`,
      );
    }
    if (this.options.kubernetes && this.options.workload.pod.automountServiceAccountToken !== false) {
      mounts.push(
        '--mount',
        `type=bind,src=${this.options.kubernetes.serviceAccountDir},dst=${SERVICE_ACCOUNT_PATH},readonly`,
      );
    }
    // As the kubelet: command replaces the image's ENTRYPOINT (and its CMD), args alone replace CMD.
    const argv = overrideArgv ?? (command ? [...command, ...(args ?? [])] : undefined);
    const tail = argv ? ['--entrypoint', argv[0], image, ...argv.slice(1)] : [image, ...(args ?? [])];
    const runArgs = [
      'run',
      '--rm',
      '--name',
      id,
      '--label',
      TEST_LABEL,
      '--hostname',
      this.options.name,
      '--network',
      this.options.network ?? 'bridge',
      '--pull',
      'never',
      ...securityFlags(this.options.workload.pod, spec, image),
      ...mounts,
      // Values travel in the CLI's own environment (`-e NAME`), so no quoting or newline can mangle them.
      '-e',
      'HOSTNAME',
      ...Object.keys(env).flatMap((k) => ['-e', k]),
      ...tail,
    ];
    const process_ = new ManagedProcess({
      name: `${this.options.name}/${name}`,
      argv: [dockerPath(), ...runArgs],
      env: { ...cliEnv(), ...env, HOSTNAME: this.options.name },
      cwd: this.root,
      logFile: join(this.root, `${name}.log`),
    });
    const c = new RunningContainer(id, process_, Date.now());
    this.containers.push(c);
    return c;
  }

  /** Runs a container to completion (an init container, a Job's pod). */
  async run(
    name: string,
    timeoutMs: number,
    overrideArgs?: string[],
  ): Promise<{ code: number | null; output: string; timedOut: boolean }> {
    const c = this.start(name, undefined, overrideArgs);
    const exit = await c.waitForExit(timeoutMs);
    if (exit === undefined) this.kill(c);
    return { code: c.process.exitCode, output: c.output(), timedOut: exit === undefined };
  }

  /** `docker exec` in a running container (exec probes, preStop hooks); its user, env and working dir. */
  async exec(
    c: RunningContainer,
    argv: string[],
    timeoutMs: number,
  ): Promise<{ code: number | null; output: string; timedOut: boolean }> {
    return runToCompletion({ argv: [dockerPath(), 'exec', c.id, ...argv], env: cliEnv(), cwd: this.root }, timeoutMs);
  }

  async probeTarget(name: string, c: RunningContainer): Promise<ProbeTarget> {
    const spec = this.spec(name);
    const ports = new Map((spec.ports ?? []).map((p) => [p.containerPort, p.containerPort] as const));
    return {
      podIP: this.options.network === 'host' ? '127.0.0.1' : await c.ip(),
      portMap: ports,
      container: spec,
      exec: async (argv, timeoutMs) => {
        const r = await this.exec(c, argv, timeoutMs);
        return r.timedOut ? null : r.code;
      },
    };
  }

  volumeDir(volumeName: string): string {
    const dir = this.volumeDirs.get(volumeName);
    if (!dir) throw new Error(`pod ${this.options.name} has no volume "${volumeName}"`);
    return dir;
  }

  kill(c: RunningContainer): void {
    try {
      docker(['rm', '--force', c.id]);
    } catch {
      // already gone (--rm)
    }
  }

  destroy(): void {
    for (const c of this.containers) this.kill(c);
    // Files written by UID 10001 are removable by root; as non-root the 1777 dirs may keep a few.
    rmSync(this.root, { recursive: true, force: true });
  }
}
