import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Container, KubeObject, PodSpec } from './types.js';

export const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** Every object in the *.yaml files under dir (recursively), as a GitOps tool would apply them. */
export function readManifestDir(dir: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      objects.push(...readManifestDir(path));
    } else if (/\.ya?ml$/.test(entry)) {
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
        if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0].message}`);
        const obj = doc.toJS() as KubeObject | null;
        if (obj) objects.push(obj);
      }
    }
  }
  return objects;
}

export interface Workload {
  object: KubeObject;
  pod: PodSpec;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
}

/** The one workload (Deployment, StatefulSet or Job) carrying app.kubernetes.io/component=<component>. */
export function workloadByComponent(objects: KubeObject[], component: string): Workload {
  const found = objects.filter(
    (o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind) && o.metadata.labels?.[COMPONENT_LABEL] === component,
  );
  if (found.length !== 1) {
    throw new Error(
      `expected exactly one workload with ${COMPONENT_LABEL}=${component}, found ${found.map((o) => `${o.kind}/${o.metadata.name}`).join(', ') || 'none'}`,
    );
  }
  const object = found[0];
  const template = (object.spec as { template?: { spec?: PodSpec; metadata?: KubeObject['metadata'] } } | undefined)
    ?.template;
  if (!template?.spec) throw new Error(`${object.kind}/${object.metadata.name} has no spec.template.spec`);
  return {
    object,
    pod: template.spec,
    podLabels: template.metadata?.labels ?? {},
    podAnnotations: template.metadata?.annotations ?? {},
  };
}

export function containerNamed(pod: PodSpec, name: string): Container {
  const container = [...(pod.initContainers ?? []), ...pod.containers].find((c) => c.name === name);
  if (!container)
    throw new Error(
      `pod has no container named "${name}" (has: ${[...(pod.initContainers ?? []), ...pod.containers].map((c) => c.name).join(', ')})`,
    );
  return container;
}
