// The kind project's settings and its one way to run scripts/kind (shared by globalSetup, the test and teardown).
// The cluster is named (PONYEXPRESS_KIND_CLUSTER, default px-kind-test) so a kept one is reused by the next run.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLUSTER = process.env.PONYEXPRESS_KIND_CLUSTER || 'px-kind-test';
/** Scratch copy of environments/ and dist/, the kubeconfig and the kind/kubectl links (scripts/kind/lib.sh's WORK). */
export const WORK = join(REPO_ROOT, '.cache', `kind-${CLUSTER}`);
/** Its own file: KUBECONFIG itself would switch the cluster project to "the cluster in KUBECONFIG" mode. */
export const KUBECONFIG = join(WORK, 'kubeconfig');
/** Production's soak in the test's scratch copy (environments/production.yaml says 300 s). */
export const SOAK_SECONDS = 20;
/** Set to 1 to keep the cluster and its registry after the run (the next run reuses them). */
export const KEEP = process.env.PONYEXPRESS_KEEP_KIND === '1';
export const APP_IMAGE = 'ghcr.io/ponyexpress/ponyshop';
export const FIRST_TAG = '1.4.0';
export const NEXT_TAG = '1.5.0';
/** Built by the test FROM NEXT_TAG (bad-images.ts); semver-valid so the tag policy is not what stops them. */
export const BROKEN_MIGRATION_TAG = '1.6.0';
export const CRASHING_TAG = '1.7.0';
export const STAGING_NS = 'ponyshop-staging';
export const PRODUCTION_NS = 'ponyshop-production';
/** The PostgreSQL stand-in's Secret (CloudNativePG's `<cluster>-app`, scripts/kind/02-install-postgres.sh). */
export const DB_SOURCE_SECRET = 'ponyshop-db-app';

export function kindEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CLUSTER,
    OFFLINE: '1',
    // External Secrets Operator (scripts/kind/eso.sh) binds the database: external-secrets.test.ts.
    ESO: '1',
    WORK,
    KUBECONFIG,
    SOAK_SECONDS: String(SOAK_SECONDS),
    FIRST_TAG,
    NEXT_TAG,
    APP_IMAGE,
  };
}

/** Runs a script under scripts/ with the kind settings; throws with its stdout's tail when it fails (stderr is shown live). */
export function run(script: string, args: string[] = []): string {
  return bash(`scripts/${script} ${args.join(' ')}`.trim(), [join(REPO_ROOT, 'scripts', script), ...args]);
}

/** Runs bash code after sourcing scripts/kind/lib.sh (its KUBECTL, kind and kubectl on PATH). */
export function withLib(what: string, code: string): string {
  return bash(what, ['-c', `source scripts/kind/lib.sh\n${code}`]);
}

function bash(what: string, args: string[]): string {
  const started = Date.now();
  // stderr streams (a cold build of the node image's binaries takes many minutes and reports progress there).
  const result = spawnSync('bash', args, {
    cwd: REPO_ROOT,
    env: kindEnv(),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    const tail = (result.stdout ?? '').trim().split('\n').slice(-40).join('\n');
    throw new Error(`${what} failed (exit ${result.status ?? result.signal}, ${seconds} s):\n${tail}`);
  }
  process.stderr.write(`[kind] ${what}: ${seconds} s\n`);
  return result.stdout;
}
