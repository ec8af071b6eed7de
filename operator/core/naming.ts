// Image references and deterministic names. Pure and total: bad input yields undefined, never throws.
import { createHash } from 'node:crypto';
import type { ImageRecord } from './resource.js';

export interface ImageRef {
  /** Normalised repository (docker.io/library/… for Docker Hub short names). */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` */
  digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Docker Hub short names are normalised the way the kubelet reports them, so `nginx` equals `docker.io/library/nginx`. */
export function normalizeRepository(repository: string): string {
  const parts = repository.split('/');
  const first = parts[0] ?? '';
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return first === 'index.docker.io' ? ['docker.io', ...parts.slice(1)].join('/') : repository;
  return parts.length === 1 ? `docker.io/library/${repository}` : `docker.io/${repository}`;
}

/** Parses `repo`, `repo:tag`, `repo@sha256:…` and `repo:tag@sha256:…` (registry ports allowed). */
export function parseImageRef(reference: string): ImageRef | undefined {
  const ref = reference.trim();
  if (ref === '' || /\s/.test(ref)) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (rest === '' || rest.endsWith('/') || rest.startsWith('/')) return undefined;
  return { repository: normalizeRepository(rest), tag, digest };
}

/** The digest in a containerStatus.imageID (`docker-pullable://repo@sha256:…`, `repo@sha256:…`); a bare image ID is not a repo digest. */
export function digestFromImageID(imageID: string | undefined): string | undefined {
  if (!imageID) return undefined;
  const at = imageID.lastIndexOf('@');
  if (at < 0) return undefined;
  const digest = imageID.slice(at + 1);
  return DIGEST.test(digest) ? digest : undefined;
}

/** The reference that moves: `repo@digest` when the digest is known (immutable), else `repo:tag`. */
export function movingReference(repository: string, tag: string | undefined, digest: string | undefined): string {
  if (digest) return `${repository}@${digest}`;
  return tag ? `${repository}:${tag}` : repository;
}

/** An ImageRecord for repository + tag/digest. */
export function imageRecord(repository: string, tag: string | undefined, digest: string | undefined): ImageRecord {
  const record: ImageRecord = { image: movingReference(repository, tag, digest) };
  if (tag) record.tag = tag;
  if (digest) record.digest = digest;
  return record;
}

/** Same image when the digests agree (if both known), otherwise when the tags agree (if both known). */
export function sameImage(a: Pick<ImageRecord, 'tag' | 'digest'>, b: Pick<ImageRecord, 'tag' | 'digest'>): boolean {
  if (a.digest && b.digest) return a.digest === b.digest;
  return !!a.tag && a.tag === b.tag;
}

/** Whether a container reference (tag and/or digest) runs `wanted`. */
export function referenceRuns(reference: string | undefined, repository: string, wanted: ImageRecord): boolean {
  const ref = reference === undefined ? undefined : parseImageRef(reference);
  if (!ref || ref.repository !== normalizeRepository(repository)) return false;
  return sameImage(ref, wanted);
}

/** JSON with object keys sorted at every level, so equal objects hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const JOB_SUFFIX = '-migrate-0123456789'.length;

/**
 * `<app>-migrate-<first 10 hex of sha256(image + canonical JSON of the template)>`: the same image and
 * template always give the same name, so a restarted operator finds its Job instead of creating a second.
 * The app part is cut so the name stays a valid 63-character label value (Job pods carry it as job-name).
 */
export function migrationJobName(app: string, image: string, template: unknown): string {
  const hash = createHash('sha256').update(image).update(canonicalJson(template)).digest('hex').slice(0, 10);
  const prefix = app.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63 - JOB_SUFFIX).replace(/-+$/, '');
  return `${prefix || 'app'}-migrate-${hash}`;
}

/** Container names the app contract reserves for the app image (docs/app-contract.md). */
export const APP_CONTAINER_NAMES: readonly string[] = ['web', 'worker', 'beat', 'migrate', 'wait-for-migrations'];

/** A container runs the app when its image is from the app repository or its name is one the contract reserves. */
export function isAppContainer(container: { name: string; image?: string }, repository: string): boolean {
  if (APP_CONTAINER_NAMES.includes(container.name)) return true;
  const ref = container.image === undefined ? undefined : parseImageRef(container.image);
  return !!ref && ref.repository === normalizeRepository(repository);
}
