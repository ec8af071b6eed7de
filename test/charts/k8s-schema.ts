// Strict validation of synthesised objects against the upstream Kubernetes 1.27 OpenAPI definitions.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { repoRoot } from './support.js';

/** Vendored with its provenance (schemas/README.md); re-derive with scripts/vendor/k8s-schema.mjs. */
export const DEFINITIONS_PATH = path.resolve(repoRoot, 'test', 'charts', 'schemas', 'k8s-1.27.0-definitions.json');

type Schema = Record<string, any>;

/**
 * Closes every object schema that lists its properties (additionalProperties: false), so a misspelt or
 * unknown field fails instead of being silently dropped by the API server. Maps (additionalProperties
 * given) and schemas that preserve unknown fields stay open.
 */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (node === null || typeof node !== 'object') return;
  const schema = node as Schema;
  if (
    schema.properties &&
    schema.additionalProperties === undefined &&
    !schema['x-kubernetes-preserve-unknown-fields']
  ) {
    schema.additionalProperties = false;
  }
  Object.values(schema).forEach(closeObjects);
}

export interface K8sValidator {
  /** Error strings for one object; empty when valid. Throws for a kind 1.27 does not define. */
  validate(obj: { apiVersion: string; kind: string }): string[];
}

export function loadK8sValidator(): K8sValidator {
  if (!existsSync(DEFINITIONS_PATH)) {
    throw new Error(
      `Kubernetes 1.27 definitions not found at ${DEFINITIONS_PATH}. Re-create them with ` +
        '`node scripts/vendor/k8s-schema.mjs v1.27.0` (needs Go and the Go module proxy).',
    );
  }
  const definitions: Record<string, Schema> = JSON.parse(readFileSync(DEFINITIONS_PATH, 'utf8')).definitions;
  closeObjects(definitions);
  // `strict: false`: the definitions carry x-kubernetes-* keywords and formats (int32, int64, byte) ajv does not know.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'k8s', definitions });
  const byGvk = new Map<string, string>();
  for (const [name, def] of Object.entries(definitions)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      byGvk.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  return {
    validate(obj) {
      const key = `${obj.apiVersion}/${obj.kind}`;
      const name = byGvk.get(key);
      if (!name) throw new Error(`Kubernetes 1.27 defines no ${key}`);
      let fn = compiled.get(name);
      if (!fn) {
        fn = ajv.compile({ $ref: `k8s#/definitions/${name}` });
        compiled.set(name, fn);
      }
      return fn(obj)
        ? []
        : (fn.errors ?? []).map(
            (e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
          );
    },
  };
}
