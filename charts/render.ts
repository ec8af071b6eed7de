// Turns a chart into the files of one dist/ folder: one YAML document per object, in apply order,
// byte-for-byte deterministic. Every chart (each environment and the operator) goes through here.
import { ApiObject, type Chart } from 'cdk8s';
import { compareCodeUnits, toYaml } from '../contract/index.js';
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

export { toYaml };

export interface RenderOptions {
  /** First line of every file, a `#` comment. */
  header: string;
  /** Argo CD sync-wave annotations (the environments, which an Application syncs). */
  syncWaves: boolean;
  /** Namespace in file names, for charts whose objects span namespaces (the operator's Roles). */
  namespacedFileNames: boolean;
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
