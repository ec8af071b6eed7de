import { createHash } from 'node:crypto';
// One canonical form for the charts and the operator, so both hash a Job spec the same way.
import { canonicalJson } from '../operator/core/naming.js';

export const MIGRATION_HASH_LENGTH = 10;

/**
 * Release hash of a migration Job: sha256 over the image followed by the canonical JSON of the Job's
 * synthesised `spec` (as written to dist/, before the API server adds defaults), first 10 hex digits.
 * The operator's `migrationJobName` (operator/core/naming.ts) computes the same, so a Job it created for an
 * image has the name dist/ gets once that image is committed; a test keeps the two in step.
 * Anything else (replicas, web settings, the ConfigMap) leaves it unchanged.
 * The operator recomputes it after swapping the image in a copy of the spec.
 */
export function migrationJobHash(image: string, jobSpec: unknown): string {
  return createHash('sha256').update(image).update(canonicalJson(jobSpec)).digest('hex').slice(0, MIGRATION_HASH_LENGTH);
}

export function migrationJobName(app: string, hash: string): string {
  return `${app}-migrate-${hash}`;
}

/** Stable per-app key for pg_advisory_lock, below 2^60 so it fits Postgres' bigint. */
export function advisoryLockKey(app: string): string {
  return BigInt(`0x${createHash('sha256').update(`ponyexpress:migrate:${app}`).digest('hex').slice(0, 15)}`).toString();
}
