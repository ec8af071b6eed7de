// Turns a chart into the files of one dist/ folder: one YAML document per object, in apply order,
// byte-for-byte deterministic. Every chart (each environment and the operator) goes through here.
import { ApiObject, type Chart } from 'cdk8s';
import { stringify, type ScalarTag, type Tags } from 'yaml';
import { compareCodeUnits } from '../contract/index.js';
import { fileNameFor, placementOf, SYNC_WAVE_ANNOTATION } from './ordering.js';

/** A Kubernetes object as written to dist/. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderedFile {
  /** Relative to dist/<name>/, e.g. `50-deployment-ponyshop-web.yaml` or `argocd/application-ponyshop-staging.yaml`. */
  path: string;
  content: string;
  object: ManifestObject;
}

/** One folder of dist/: an environment (`staging`) or `operator`. */
export interface RenderedOutput {
  name: string;
  /** Objects in apply order (the order of `files`). */
  objects: ManifestObject[];
  files: RenderedFile[];
}

export interface RenderOptions {
  /** First line of every file, a `#` comment. */
  header: string;
  /** Argo CD sync-wave annotations (the environments, which an Application syncs). */
  syncWaves: boolean;
  /** Namespace in file names, for charts whose objects span namespaces (the operator's Roles). */
  namespacedFileNames: boolean;
}

/**
 * kubectl, Argo CD and PyYAML read YAML 1.1, so the writer uses its schema and quotes strings such as `on`,
 * `yes` or `0777`. It would still write two strings plain that some reader takes for something else: a YAML
 * 1.2 octal (`0o17`, a number to kustomize's kyaml) and `<<` (the 1.1 merge key; the writer's own merge tag
 * writes the string `<<` as one, so it is left out). This tag never writes a value: the writer quotes any
 * plain string that some tag's `test` matches.
 */
const READ_OTHERWISE_ELSEWHERE: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  test: /^(0o[0-7]+|<<)$/,
  resolve: (s) => s,
  identify: () => false,
  default: true,
};

const customTags = (tags: Tags) => [
  ...tags.filter((t) => (t as ScalarTag).tag !== 'tag:yaml.org,2002:merge'),
  READ_OTHERWISE_ELSEWHERE,
];

/** One YAML document (no `---`) in the key order cdk8s gives, no line folding; ends in a newline. */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', customTags, lineWidth: 0 });
}

export function renderChart(name: string, chart: Chart, opts: RenderOptions): RenderedOutput {
  if (opts.syncWaves) {
    for (const obj of chart.node.findAll().filter((c) => ApiObject.isApiObject(c))) {
      const wave = placementOf(obj.kind).wave;
      if (wave !== undefined) obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
    }
  }
  const files: RenderedFile[] = (chart.toJson() as ManifestObject[]).map((object) => {
    const namespace = opts.namespacedFileNames ? object.metadata.namespace : undefined;
    return {
      path: fileNameFor(object.kind, object.metadata.name, namespace),
      content: `${opts.header}\n${toYaml(object)}`,
      object,
    };
  });
  files.sort((a, b) => compareCodeUnits(a.path, b.path));
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two objects would be written to ${name}/${f.path}`);
    seen.add(f.path);
  }
  return { name, objects: files.map((f) => f.object), files };
}
