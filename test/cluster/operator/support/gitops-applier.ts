// A small, honest stand-in for Argo CD / Flux in the tests: it watches a branch of a real git server and, after
// each new commit, applies the folders it is given from that commit, the way an Application with automated sync
// does: wave by wave in `argocd.argoproj.io/sync-wave` order (default 0; charts/ordering.ts puts the migration Job
// in -1, workloads in 0), waiting for each wave to be healthy (a Job complete, a Deployment rolled out) before
// the next, and stopping the sync when a Job fails. Server-side apply with its own field manager, no prune,
// nothing it does not find in Git. What it applied, and when, is recorded for the tests' ordering asserts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, BatchV1Api, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { SYNC_WAVE_ANNOTATION } from '../../../../charts/ordering.js';
import { applyObjects, type ManifestObject, rolloutComplete, StopWaiting, waitUntil } from '../../harness/index.js';

const run = promisify(execFile);

export interface SyncRecord {
  sha: string;
  /** One entry per wave applied: `Kind/name` of every object, and when the wave was applied (ms). */
  waves: { folder: string; wave: number; objects: string[]; appliedAt: number; healthyAt: number }[];
  /** Set when the sync stopped (a Job failed, apply refused, not healthy in time). */
  error?: string;
}

export interface GitOpsApplierOptions {
  kc: KubeConfig;
  /** Clone URL, credentials included if the server needs them. */
  url: string;
  branch?: string;
  /** Folders of the repository to apply (each like an Application's `path`). */
  folders: readonly string[];
  /** How often the branch is looked at. @default 300 */
  intervalMs?: number;
  /** A wave not healthy after this long fails the sync. @default 90000 */
  healthTimeoutMs?: number;
}

const waveOf = (o: ManifestObject) => Number(o.metadata?.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0);

export class GitOpsApplier {
  readonly syncs: SyncRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastSha = '';
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;

  constructor(private readonly o: GitOpsApplierOptions) {
    this.apps = o.kc.makeApiClient(AppsV1Api);
    this.batch = o.kc.makeApiClient(BatchV1Api);
  }

  start(): void {
    const tick = () => {
      this.running = this.syncOnce()
        .catch((err: Error) => void this.syncs.push({ sha: this.lastSha, waves: [], error: err.message }))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.o.intervalMs ?? 300);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The sync of `sha`, once it is done (healthy or failed). */
  async synced(sha: string, timeoutMs = 120_000): Promise<SyncRecord> {
    await waitUntil(async () => this.syncs.some((s) => s.sha === sha), { what: `applier synced ${sha}`, timeoutMs });
    return this.syncs.find((s) => s.sha === sha)!;
  }

  private async syncOnce(): Promise<void> {
    const branch = this.o.branch ?? 'main';
    const { stdout } = await run('git', ['ls-remote', this.o.url, `refs/heads/${branch}`]);
    const sha = stdout.split('\t')[0].trim();
    if (!sha || sha === this.lastSha) return;
    this.lastSha = sha;
    const dir = mkdtempSync(join(tmpdir(), 'gitops-applier-'));
    const record: SyncRecord = { sha, waves: [] };
    try {
      await run('git', ['clone', '--quiet', '--depth', '1', '--branch', branch, this.o.url, dir]);
      for (const folder of this.o.folders) {
        const objects = readdirSync(join(dir, folder))
          .filter((f) => f.endsWith('.yaml')) // top level only, like an Application without `recurse`
          .sort()
          .map((f) => parse(readFileSync(join(dir, folder, f), 'utf8'), { version: '1.1' }) as ManifestObject)
          .filter((o) => o && typeof o === 'object' && o.kind);
        for (const wave of [...new Set(objects.map(waveOf))].sort((a, b) => a - b)) {
          const these = objects.filter((o) => waveOf(o) === wave);
          await applyObjects(this.o.kc, these, { fieldManager: 'gitops-applier' });
          const appliedAt = Date.now();
          await this.healthy(these);
          record.waves.push({
            folder,
            wave,
            objects: these.map((o) => `${o.kind}/${o.metadata!.name}`),
            appliedAt,
            healthyAt: Date.now(),
          });
        }
      }
    } catch (err) {
      record.error = (err as Error).message;
    } finally {
      rmSync(dir, { recursive: true, force: true });
      this.syncs.push(record);
    }
  }

  private async healthy(objects: readonly ManifestObject[]): Promise<void> {
    for (const o of objects) {
      const name = o.metadata!.name!;
      const namespace = o.metadata!.namespace!;
      if (o.kind === 'Job') {
        await waitUntil(
          async () => {
            const job = await this.batch.readNamespacedJob({ name, namespace });
            const cond = (t: string) => job.status?.conditions?.some((c) => c.type === t && c.status === 'True');
            if (cond('Failed')) throw new StopWaiting(`sync stopped: Job ${namespace}/${name} failed`);
            return Boolean(cond('Complete'));
          },
          { what: `Job ${name} complete`, timeoutMs: this.o.healthTimeoutMs ?? 90_000, intervalMs: 200 },
        );
      } else if (o.kind === 'Deployment') {
        await waitUntil(async () => rolloutComplete(await this.apps.readNamespacedDeployment({ name, namespace })), {
          what: `Deployment ${name} rolled out`,
          timeoutMs: this.o.healthTimeoutMs ?? 90_000,
          intervalMs: 200,
        });
      }
    }
  }
}
