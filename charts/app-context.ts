import type { EnvMap } from './config/app-env-schema.js';
import type { AppIdentity } from './labels.js';
import type { PostgresBinding } from './postgres/binding.js';

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** What every workload construct shares: who the app is, what it runs and what it is bound to. */
export interface AppContext extends AppIdentity {
  /** Full image reference, `repo:tag`, `repo@digest` or `repo:tag@digest`. */
  readonly image: string;
  /** Public host; the probes send it as `Host`. */
  readonly domain: string;
  /** Django project package (`<module>.wsgi`, `celery --app <module>`). */
  readonly module: string;
  readonly serviceAccountName: string;
  /** ConfigMap delivered to every container with `envFrom`. */
  readonly configMapName: string;
  /** sha256 of the ConfigMap data; rolls pods when settings change. */
  readonly configChecksum: string;
  readonly postgres: PostgresBinding;
  readonly brokerUrl: SecretKeyRef;
  /** More names for the broker URL, each a secretKeyRef to the same key. */
  readonly brokerAliases: readonly string[];
  readonly djangoSecretKey: SecretKeyRef;
  /** `celery --app` for worker and beat. */
  readonly celeryApp: string;
  /** The environment-wide `env:`, for every app container, before the component's own. */
  readonly sharedEnv: EnvMap;
}

/** `repo:tag`, `repo@digest`, or both when both are configured (the digest is what runs). */
export function imageReference(image: { repository: string; tag?: string; digest?: string }): string {
  return `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}
