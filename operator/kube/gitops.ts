// Git write-back, the adapter: reads the Promotion's GitOps folder (at most every readIntervalMs, and always
// before a commit), turns the core's plan into its Git-mode form (core/gitmode.ts), makes the one commit when
// the plan asks for it, and hands back the plan to execute. Credentials come from the one Secret the spec
// names (GET by name; the operator's Role lists it under resourceNames) and live only for the git call.
import { decideWriteBack } from '../core/writeback.js';
import { gitModePlan, type CommitToGit, type GitObserved } from '../core/gitmode.js';
import { managedImages } from '../core/gitops-files.js';
import { settingsOf, waveComponents } from '../core/spec.js';
import type { Observed, Plan, PromotionObject } from '../core/types.js';
import { GitClient, GitWriteError, type GitCredentials, type GitLocation } from '../io/git.js';
import { knownHostsHint } from '../io/git-ssh.js';
import type { Logger } from '../telemetry.js';
import type { KubeClient } from './client.js';

/** Reads one Secret's data (base64-decoded); throws with the API's words when it cannot. */
export type SecretReader = (namespace: string, name: string) => Promise<Record<string, string>>;

export type GitConfig = NonNullable<NonNullable<PromotionObject['spec']['writeBack']>['git']>;

export const DEFAULT_AUTHOR = { name: 'ponyexpress', email: 'ponyexpress@localhost' };

export interface GitWriteBackOptions {
  secrets: SecretReader;
  log: Logger;
  client?: GitClient;
  /** A folder read is reused this long when the plan moves nothing. @default 30000 */
  readIntervalMs?: number;
  now?: () => number;
}

export class GitWriteBack {
  readonly client: GitClient;
  private readonly state = new Map<string, { git: GitObserved; readAtMs: number }>();
  private readonly lastCommit = new Map<string, { sha: string; image: string }>();
  private readonly readIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly o: GitWriteBackOptions) {
    this.client = o.client ?? new GitClient();
    this.readIntervalMs = o.readIntervalMs ?? 30_000;
    this.now = o.now ?? Date.now;
  }

  /** The plan to execute for this reconcile: unchanged without spec.writeBack.git. */
  async adjust(key: string, observed: Observed, plan: Plan): Promise<Plan> {
    const config = observed.promotion.spec.writeBack?.git;
    if (!config) {
      this.forget(key);
      return plan;
    }
    const moves = plan.actions.some((a) => a.type === 'SetImages');
    let git = await this.observe(key, observed.promotion, config, moves);
    let adjusted = gitModePlan(observed, plan, git);
    if (adjusted.commit) {
      git = await this.commit(key, observed, config, adjusted.commit, git);
      adjusted = gitModePlan(observed, plan, git);
      // Git still does not say the image (an error, or drift found while committing): nothing moves.
      if (adjusted.commit)
        adjusted = { plan: { ...adjusted.plan, actions: adjusted.plan.actions.filter((a) => a.type !== 'SetImages') } };
    }
    return adjusted.plan;
  }

  forget(key: string): void {
    this.state.delete(key);
    this.lastCommit.delete(key);
  }

  private async observe(key: string, p: PromotionObject, config: GitConfig, fresh: boolean): Promise<GitObserved> {
    const cached = this.state.get(key);
    if (cached && !cached.git.error && !fresh && this.now() - cached.readAtMs < this.readIntervalMs) return cached.git;
    let git: GitObserved;
    try {
      const creds = await this.credentials(p, config);
      const snapshot = await this.client.read(gitLocation(config), creds);
      git = { head: snapshot.head, images: managedImages(snapshot.files, waveComponents(settingsOf(p))) };
    } catch (err) {
      git = { head: cached?.git.head ?? '', images: cached?.git.images ?? {}, error: describeGitError(err) };
    }
    return this.remember(key, git);
  }

  private async commit(
    key: string,
    observed: Observed,
    config: GitConfig,
    action: CommitToGit,
    before: GitObserved,
  ): Promise<GitObserved> {
    const p = observed.promotion;
    const settings = settingsOf(p);
    const components = waveComponents(settings);
    try {
      const creds = await this.credentials(p, config);
      let images = before.images;
      const result = await this.client.commit(
        gitLocation(config),
        creds,
        { ...DEFAULT_AUTHOR, ...config.author },
        (snapshot) => {
          images = managedImages(snapshot.files, components);
          const decision = decideWriteBack(snapshot.files, {
            by: { kind: 'Promotion', name: `${p.metadata.namespace}/${p.metadata.name}` },
            app: settings.app,
            repository: settings.repository,
            components,
            image: action.image,
            ...(action.tag ? { tag: action.tag } : {}),
            purpose: action.purpose,
            ...(p.status?.production?.image ? { expected: p.status.production.image } : {}),
            ...(action.migratedBy ? { migratedBy: action.migratedBy } : {}),
          });
          return decision.kind === 'commit' ? { changes: decision.changes, message: decision.message } : undefined;
        },
      );
      if (result.committed) {
        this.lastCommit.set(key, { sha: result.sha, image: action.image });
        this.o.log.info('committed to Git', {
          promotion: key,
          commit: result.sha,
          image: action.image,
          attempts: result.attempts,
        });
        images = Object.fromEntries(Object.keys(images).map((c) => [c, action.image]));
      }
      return this.remember(key, { head: result.sha, images });
    } catch (err) {
      return this.remember(key, { ...before, error: describeGitError(err) });
    }
  }

  private remember(key: string, git: GitObserved): GitObserved {
    const last = this.lastCommit.get(key);
    const withCommit = last ? { ...git, lastCommit: last } : git;
    this.state.set(key, { git: withCommit, readAtMs: this.now() });
    return withCommit;
  }

  private credentials(p: PromotionObject, config: GitConfig): Promise<GitCredentials> {
    return readGitCredentials(this.o.secrets, p.metadata.namespace ?? '', config);
  }
}

/** Reads the one Secret `config.secretRef` names in `ns` (production's or staging's write-back). */
export async function readGitCredentials(
  secrets: SecretReader,
  ns: string,
  config: GitConfig,
): Promise<GitCredentials> {
  const name = config.secretRef.name;
  let data: Record<string, string>;
  try {
    data = await secrets(ns, name);
  } catch (err) {
    throw new GitWriteError('auth', `cannot read Secret ${ns}/${name}: ${(err as Error).message}`);
  }
  return gitCredentials({ namespace: ns, name }, config.url, data);
}

/** The credentials a write-back Secret holds (its data, decoded), or what is wrong with it. */
export function gitCredentials(
  secret: { namespace: string; name: string },
  url: string,
  data: Record<string, string>,
): GitCredentials {
  const { namespace: ns, name } = secret;
  if (data.identity) {
    if (!data.known_hosts?.trim())
      throw new GitWriteError('auth', `Secret ${ns}/${name} has identity but no known_hosts: ${knownHostsHint(url)}`);
    return { kind: 'ssh', identity: data.identity, knownHosts: data.known_hosts };
  }
  if (data.username !== undefined && data.password !== undefined)
    return { kind: 'basic', username: data.username, password: data.password };
  throw new GitWriteError(
    'auth',
    `Secret ${ns}/${name} has keys [${Object.keys(data).sort().join(', ')}]; expected username and password (HTTPS) or identity and known_hosts (SSH)`,
  );
}

export function gitLocation(config: GitConfig): GitLocation {
  return { url: config.url, branch: config.branch ?? 'main', path: config.path ?? '' };
}

export function describeGitError(err: unknown): NonNullable<GitObserved['error']> {
  if (err instanceof GitWriteError) return { failure: err.failure, message: err.message };
  return { failure: 'other', message: err instanceof Error ? err.message : String(err) };
}

/** Reads a Secret by name through the operator's client (its Role grants `get` on that name only). */
export function secretReader(client: KubeClient): SecretReader {
  return async (namespace, name) => {
    const secret = await client.request<{ data?: Record<string, string> }>(
      'GET',
      `/api/v1/namespaces/${namespace}/secrets/${name}`,
    );
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  };
}
