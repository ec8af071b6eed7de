// Git write-back, the files: a promoted image rewritten into one rendered environment folder (dist/<env>/ as
// committed to the GitOps repository), with the naming and hashing synth uses, so the commit equals what
// `npm run synth` writes for that image (test/operator/core/gitops-files.test.ts compares them). Pure.
import { parse } from 'yaml';
import { LABEL, migrationJobName, toYaml, ANNOTATION } from '../../contract/index.js';
import { jobSpecFor } from './migration.js';
import { isAppContainer } from './naming.js';
import type { ContainerLike } from './types.js';

/** Paths relative to the environment folder (`50-deployment-shop-web.yaml`, `promotion/promotion-shop.yaml`). */
export type Files = Readonly<Record<string, string>>;

export interface ImageChange {
  app: string;
  repository: string;
  /** The reference to write: `repo@sha256:…` (or `repo:tag` when no digest is known). */
  image: string;
  /** Workload components whose image moves (the waves' components). */
  components: readonly string[];
}

export interface FileChanges {
  /** New content per path; `null` deletes the file (the previous release's migration Job). */
  changes: Record<string, string | null>;
  /** The migration Job the folder now names (`<app>-migrate-<hash>`), when it has one. */
  jobName?: string;
}

interface Manifest {
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** Splits the leading `#` comment lines synth writes from the YAML document. */
function splitHeader(content: string): { header: string; body: string } {
  let i = 0;
  while (content.startsWith('#', i)) {
    const nl = content.indexOf('\n', i);
    if (nl < 0) break;
    i = nl + 1;
  }
  return { header: content.slice(0, i), body: content.slice(i) };
}

/** One rendered file's YAML object (after synth's `#` header), or undefined when it is not one. */
export function readManifest(content: string): { header: string; object: Manifest } | undefined {
  const { header, body } = splitHeader(content);
  try {
    const object = parse(body, { version: '1.1' }) as unknown;
    return object && typeof object === 'object' ? { header, object: object } : undefined;
  } catch {
    return undefined;
  }
}

type PodSpec = { containers?: ContainerLike[]; initContainers?: ContainerLike[] };
type Template = { metadata?: { annotations?: Record<string, string> }; spec?: PodSpec };

function setTemplateImage(template: Template | undefined, change: ImageChange): void {
  if (!template?.spec) return;
  for (const c of [...(template.spec.containers ?? []), ...(template.spec.initContainers ?? [])])
    if (isAppContainer(c, change.repository)) c.image = change.image;
  const annotations = template.metadata?.annotations;
  if (annotations && ANNOTATION.image in annotations) annotations[ANNOTATION.image] = change.image;
}

/** Rewrites every file that carries the app image; everything else is left byte-for-byte alone. */
export function rewriteImages(files: Files, change: ImageChange): FileChanges {
  const changes: Record<string, string | null> = {};
  let jobName: string | undefined;
  for (const [path, content] of Object.entries(files)) {
    if (!path.endsWith('.yaml')) continue;
    const read = readManifest(content);
    if (!read) continue;
    const { header, object } = read;
    const component = object.metadata?.labels?.[LABEL.component];
    if (
      (object.kind === 'Deployment' || object.kind === 'StatefulSet') &&
      change.components.includes(component ?? '')
    ) {
      setTemplateImage(object.spec?.template as Template, change);
    } else if (object.kind === 'Job' && component === 'migrate' && object.spec && object.metadata?.name) {
      object.spec = jobSpecFor(object.spec, change.image, change.repository);
      const oldName = object.metadata.name;
      jobName = migrationJobName(change.app, change.image, object.spec);
      object.metadata.name = jobName;
      if (object.metadata.annotations) object.metadata.annotations[ANNOTATION.image] = change.image;
      if (jobName !== oldName) {
        changes[path] = null;
        changes[path.split(oldName).join(jobName)] = `${header}${toYaml(object)}`;
        continue;
      }
    } else if (object.kind === 'Promotion') {
      const target = object.spec?.target as { migrationJobTemplate?: Record<string, unknown> } | undefined;
      if (target?.migrationJobTemplate)
        target.migrationJobTemplate = jobSpecFor(target.migrationJobTemplate, change.image, change.repository);
    } else continue;
    const next = `${header}${toYaml(object)}`;
    if (next !== content) changes[path] = next;
  }
  return { changes, jobName };
}

/** What the folder's managed workloads and migration Job run: component → image (`migrate` = the Job's). */
export function managedImages(files: Files, components: readonly string[]): Record<string, string> {
  const images: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) {
    if (!path.endsWith('.yaml')) continue;
    const object = readManifest(content)?.object;
    const component = object?.metadata?.labels?.[LABEL.component] ?? '';
    const isWorkload = object?.kind === 'Deployment' || object?.kind === 'StatefulSet';
    if (!(isWorkload && components.includes(component)) && !(object?.kind === 'Job' && component === 'migrate'))
      continue;
    const template = object.spec?.template as Template | undefined;
    const first = template?.spec?.containers?.[0]?.image;
    if (first) images[component] = first;
  }
  return images;
}
