// The images the synthesised manifests name, built by scripts/images/build.sh (cached by inputs), on a
// Docker engine started by scripts/docker/start-dockerd.sh. Used by this project's globalSetup.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeAll } from '../../charts/synth.js';
import { readManifestDir } from '../../checkapp/kube/manifests.js';
import type { KubeObject } from '../../checkapp/kube/types.js';
import { repoRoot } from '../contract/python-env.js';

/** Every environment and dist/operator, synthesised from environments/ into a temp dir. */
export function synthesiseAll(): { dir: string; objects: (env: string) => KubeObject[]; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ponyexpress-container-dist-'));
  const { outputs } = synthesizeAll({ configDir: join(repoRoot, 'environments'), outDir: dir });
  if (!outputs.some((o) => o.name === 'operator')) {
    throw new Error(
      'no environment in environments/ promotes from another, so there is no operator chart to take the image from',
    );
  }
  return {
    dir,
    objects: (env) => readManifestDir(join(dir, env)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const imagesOf = (objects: KubeObject[]) =>
  new Set(
    objects
      .filter((o) => o.spec?.template?.spec)
      .flatMap((o) =>
        [...(o.spec.template.spec.initContainers ?? []), ...o.spec.template.spec.containers].map(
          (c: { image: string }) => c.image,
        ),
      ),
  );

function single(images: Set<string>, what: string): { repository: string; tag: string } {
  if (images.size !== 1)
    throw new Error(`expected one ${what} image in the manifests, found: ${[...images].join(', ') || 'none'}`);
  const image = [...images][0];
  const m = /^(.+):([\w][\w.-]*)$/.exec(image);
  if (!m || image.includes('@'))
    throw new Error(`${what} image "${image}" is not <repository>:<tag>; a digest cannot be built locally`);
  return { repository: m[1], tag: m[2] };
}

function run(argv: string[], env: Record<string, string>, what: string): string {
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.stderr.write(r.stderr ?? '');
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${(r.stderr ?? '').slice(-3000)}`);
  return r.stdout;
}

/** Starts Docker if needed and builds the staging app image and the operator image under the manifests' names. */
export function buildImages(): { app: string; operator: string } {
  const dist = synthesiseAll();
  try {
    const app = single(imagesOf(dist.objects('staging')), 'staging app');
    const operator = single(imagesOf(dist.objects('operator')), 'operator');
    try {
      run(['bash', 'scripts/docker/start-dockerd.sh'], {}, 'scripts/docker/start-dockerd.sh');
    } catch (err) {
      throw new Error(
        `the container tests need a Docker engine, and none could be started here; they cannot run.\n${(err as Error).message}`,
        { cause: err },
      );
    }
    run(
      ['bash', 'scripts/images/build.sh'],
      {
        APP_IMAGE: app.repository,
        APP_TAGS: app.tag,
        OPERATOR_IMAGE: `${operator.repository}:${operator.tag}`,
      },
      'scripts/images/build.sh',
    );
    return { app: `${app.repository}:${app.tag}`, operator: `${operator.repository}:${operator.tag}` };
  } finally {
    dist.cleanup();
  }
}
