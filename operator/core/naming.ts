// Image references and deterministic names. Pure and total: bad input yields undefined, never throws.
import { APP_CONTAINER_NAMES } from '../../contract/index.js';
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

/** A container runs the app when its image is from the app repository or its name is one the contract reserves. */
export function isAppContainer(container: { name: string; image?: string }, repository: string): boolean {
  if (APP_CONTAINER_NAMES.includes(container.name)) return true;
  const ref = container.image === undefined ? undefined : parseImageRef(container.image);
  return !!ref && ref.repository === normalizeRepository(repository);
}
