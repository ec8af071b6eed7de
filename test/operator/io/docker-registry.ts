// A real registry for tests: Debian's `docker-registry` (distribution 2.8) serving from a temp dir on a
// free loopback port, without auth; plus a push of a synthetic OCI image through the distribution API.
// The package's own service is never used: each test run starts and stops its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../checkapp/services/free-port.js';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface RunningRegistry {
  /** `127.0.0.1:<port>`, as written in image references. */
  host: string;
  baseUrl: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRegistry(): Promise<RunningRegistry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(
      `${REGISTRY_BINARY} is missing: install Debian's docker-registry package (bash scripts/setup-system.sh as root, or apt-get install docker-registry)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'ponyexpress-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'registry.log');
  const out = openSync(logFile, 'a');
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', out, out] });
  closeSync(out);
  const baseUrl = `http://${host}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = readFileSync(logFile, 'utf8');
      await stop();
      throw new Error(`docker-registry exited with ${child.exitCode}:\n${log}`);
    }
    try {
      if ((await fetch(`${baseUrl}/v2/`, { signal: AbortSignal.timeout(1000) })).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer GET ${baseUrl}/v2/ within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, baseUrl, pid: child.pid!, logFile, stop };
}

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function pushBlob(baseUrl: string, name: string, data: Uint8Array): Promise<string> {
  const digest = sha256(data);
  const start = await fetch(`${baseUrl}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`POST blobs/uploads answered ${start.status}: ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, baseUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: data,
  });
  if (put.status !== 201) throw new Error(`PUT blob answered ${put.status}: ${await put.text()}`);
  return digest;
}

export interface PushedManifest {
  /** The digest the registry answered (Docker-Content-Digest of the PUT). */
  digest: string;
  /** sha256 of the manifest bytes we sent. */
  bodyDigest: string;
  body: Uint8Array;
}

async function putManifest(
  baseUrl: string,
  name: string,
  reference: string,
  mediaType: string,
  manifest: unknown,
): Promise<PushedManifest> {
  const body = new TextEncoder().encode(JSON.stringify(manifest));
  const res = await fetch(`${baseUrl}/v2/${name}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body,
  });
  if (res.status !== 201)
    throw new Error(`PUT manifest ${name}:${reference} answered ${res.status}: ${await res.text()}`);
  return { digest: res.headers.get('docker-content-digest') ?? '', bodyDigest: sha256(body), body };
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** Pushes a synthetic single-layer OCI image (config blob + one layer) as name:tag. `content` makes it unique. */
export async function pushImage(baseUrl: string, name: string, tag: string, content: string): Promise<PushedManifest> {
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: { Labels: { content } },
    }),
  );
  const layer = new TextEncoder().encode(`layer of ${content}`);
  const configDigest = await pushBlob(baseUrl, name, config);
  const layerDigest = await pushBlob(baseUrl, name, layer);
  return putManifest(baseUrl, name, tag, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.byteLength },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.byteLength }],
  });
}

/** Pushes an OCI index over already pushed manifests as name:tag (what a multi-arch tag names). */
export async function pushIndex(
  baseUrl: string,
  name: string,
  tag: string,
  manifests: PushedManifest[],
): Promise<PushedManifest> {
  return putManifest(baseUrl, name, tag, OCI_INDEX, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: manifests.map((m, i) => ({
      mediaType: OCI_MANIFEST,
      digest: m.digest,
      size: m.body.byteLength,
      platform: { architecture: ['amd64', 'arm64'][i % 2], os: 'linux' },
    })),
  });
}
