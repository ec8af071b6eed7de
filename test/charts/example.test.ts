import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { synthesizeAll, synthesizeEnvironment } from '../../charts/synth.js';
import { environmentsDir, tempDir } from './support.js';

/** Snapshot of each environment's synthesised output, one entry per file (what lands in dist/<env>/). */
describe.each(['staging', 'production'])('the %s example', (env) => {
  const rendered = synthesizeEnvironment(env, { configDir: environmentsDir });

  test('matches the snapshot, file by file', () => {
    expect(Object.fromEntries(rendered.files.map((f) => [f.path, f.content]))).toMatchSnapshot();
  });

  test('every file parses back to exactly its object', () => {
    for (const f of rendered.files) expect(parse(f.content)).toEqual(f.object);
  });

  test('is byte-identical when synthesised again', () => {
    const again = synthesizeEnvironment(env, { configDir: environmentsDir });
    expect(again.files.map((f) => [f.path, f.content])).toEqual(rendered.files.map((f) => [f.path, f.content]));
  });

  test('has the objects the issue asks for, in apply order', () => {
    const kinds = rendered.files
      .filter((f) => !f.path.includes('/'))
      .map((f) => `${f.object.kind}/${f.object.metadata.name}`);
    expect(kinds[0]).toBe(`Namespace/ponyshop-${env}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ServiceAccount/ponyshop',
        'ConfigMap/ponyshop-config',
        'Service/ponyshop-web',
        'Deployment/ponyshop-web',
        'Deployment/ponyshop-worker',
        'Deployment/ponyshop-beat',
        'PodDisruptionBudget/ponyshop-web',
        'PodDisruptionBudget/ponyshop-worker',
        'Ingress/ponyshop-web',
        'NetworkPolicy/ponyshop-default-deny',
      ]),
    );
    const job = kinds.findIndex((k) => k.startsWith('Job/ponyshop-migrate-'));
    const firstDeployment = kinds.findIndex((k) => k.startsWith('Deployment/'));
    expect(job).toBeGreaterThan(kinds.indexOf('ConfigMap/ponyshop-config'));
    expect(job).toBeLessThan(firstDeployment);
  });

  test('keeps objects that need CRDs outside core Kubernetes out of the top folder', () => {
    const topLevel = rendered.files.filter((f) => !f.path.includes('/'));
    const coreGroups = /^(v1|apps\/v1|batch\/v1|policy\/v1|autoscaling\/v2|networking\.k8s\.io\/v1)$/;
    expect(topLevel.filter((f) => !coreGroups.test(f.object.apiVersion))).toEqual([]);
    expect(rendered.files.filter((f) => f.path.startsWith('argocd/')).map((f) => f.object.kind)).toEqual([
      'Application',
    ]);
  });
});

test('synthesizeAll writes the same bytes on every run', () => {
  const a = tempDir('dist-a');
  const b = tempDir('dist-b');
  const ra = synthesizeAll({ configDir: environmentsDir, outDir: a });
  synthesizeAll({ configDir: environmentsDir, outDir: b });
  expect(ra.outputs.map((e) => e.name)).toEqual(['production', 'staging', 'operator']);
  for (const env of ra.outputs) {
    const list = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
    expect(list(path.join(b, env.name))).toEqual(list(env.dir));
    for (const file of env.files) {
      expect(readFileSync(path.join(b, env.name, file))).toEqual(readFileSync(path.join(env.dir, file)));
    }
  }
});
