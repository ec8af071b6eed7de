#!/usr/bin/env node
// Derives the Kubernetes OpenAPI definitions the chart tests validate against from the Kubernetes
// module's own source (api/openapi-spec/swagger.json of the release), fetched through the Go module
// proxy, so the repository carries its schema with a traceable origin instead of reading a file
// from outside it. Usage: node scripts/vendor/k8s-schema.mjs [version]   (default v1.27.0)
//
// The transform is the one openapi2jsonschema applies, reduced to what strict validation needs:
//  - `kind` of every top-level resource is pinned to its kind(s) (an enum), so a wrong kind fails;
//  - IntOrString and Quantity become oneOf string|integer / string|number, as the API server accepts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const version = process.argv[2] ?? 'v1.27.0';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = path.join(root, 'test', 'charts', 'schemas');
const out = path.join(outDir, `k8s-${version.replace(/^v/, '')}-definitions.json`);

const mod = JSON.parse(
  execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], {
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
  }),
);
if (mod.Error) throw new Error(`go mod download k8s.io/kubernetes@${version}: ${mod.Error}`);
const swagger = JSON.parse(readFileSync(path.join(mod.Dir, 'api', 'openapi-spec', 'swagger.json'), 'utf8'));

const definitions = swagger.definitions;
for (const def of Object.values(definitions)) {
  const gvks = def['x-kubernetes-group-version-kind'];
  if (gvks && def.properties?.kind) def.properties.kind.enum = [...new Set(gvks.map((g) => g.kind))];
}
definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };

mkdirSync(outDir, { recursive: true });
writeFileSync(out, `${JSON.stringify({ definitions }, null, 2)}\n`);
console.log(
  `wrote ${path.relative(root, out)} from k8s.io/kubernetes@${version} (${mod.Sum}, commit ${mod.Origin?.Hash ?? 'unknown'})`,
);
