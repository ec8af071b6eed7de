// One canonical form of JSON, and the migration Job name built on it: the charts name the Job they write
// and the operator names the Job it creates for a promoted image with this same function, so when that
// image is later committed to dist/, GitOps finds the Job already done.
import { createHash } from 'node:crypto';

/** Orders strings by UTF-16 code units, like Array.prototype.sort() without a comparator (locale-free). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * canonicalJson(a) === canonicalJson(b), without building either string: the operator compares a
 * Promotion's status before and after every reconcile, and at 500 pipelines the two strings cost
 * more CPU than the rest of the plan (bench profile, 2026-12-01).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  const aObj = a !== null && typeof a === 'object';
  const bObj = b !== null && typeof b === 'object';
  if (aObj !== bObj) return false;
  if (!aObj) return (JSON.stringify(a) ?? 'null') === (JSON.stringify(b) ?? 'null');
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k in x) {
    if (!Object.hasOwn(x, k) || x[k] === undefined) continue;
    defined++;
    if (!Object.hasOwn(y, k) || y[k] === undefined || !sameJson(x[k], y[k])) return false;
  }
  for (const k in y) if (Object.hasOwn(y, k) && y[k] !== undefined) defined--;
  return defined === 0;
}

/** JSON with object keys sorted at every level and undefined members dropped, so equal objects hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareCodeUnits(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const MIGRATION_HASH_LENGTH = 10;
const JOB_SUFFIX = `-migrate-${'0'.repeat(MIGRATION_HASH_LENGTH)}`.length;

/**
 * `<app>-migrate-<first 10 hex of sha256(image + canonical JSON of the Job spec)>`. The spec is the Job's
 * `spec` as written (before the API server adds defaults), already carrying `image`. Anything else
 * (replicas, web settings, the ConfigMap) leaves the name unchanged. The app part is cut so the name stays
 * a valid 63-character label value (Job pods carry it as job-name).
 */
export function migrationJobName(app: string, image: string, jobSpec: unknown): string {
  const hash = createHash('sha256')
    .update(image)
    .update(canonicalJson(jobSpec))
    .digest('hex')
    .slice(0, MIGRATION_HASH_LENGTH);
  const prefix = app
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63 - JOB_SUFFIX)
    .replace(/-+$/, '');
  return `${prefix || 'app'}-migrate-${hash}`;
}
