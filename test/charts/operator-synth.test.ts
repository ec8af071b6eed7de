// From environment files to dist/: the production environment's Promotion runs exactly the migration Job
// synth writes, and dist/operator/ grants exactly the pipeline's namespaces.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { synthesizeAll } from '../../charts/synth.js';
import { configDirWith, exampleConfig, tempDir } from './support.js';

const readYaml = (file: string) => parse(readFileSync(file, 'utf8'));

function synth(promotion: Record<string, unknown> | undefined) {
  // The example's production file promotes from staging; each test states its own section (or none).
  const { promotion: _exampleSection, ...production } = exampleConfig('production');
  const configDir = configDirWith({
    'staging.yaml': exampleConfig('staging'),
    'production.yaml': { ...production, ...(promotion ? { promotion } : {}) },
  });
  const outDir = tempDir('dist');
  const operator = synthesizeAll({ configDir, outDir }).outputs.find((o) => o.name === 'operator');
  return { outDir, operator };
}

test('the Promotion carries the production migration Job spec as synthesised', () => {
  const { outDir } = synth({ from: 'staging', approval: 'Manual' });
  const prod = path.join(outDir, 'production');
  const jobFile = readdirSync(prod).find((f) => f.startsWith('40-job-'))!;
  const job = readYaml(path.join(prod, jobFile));
  const promotion = readYaml(path.join(prod, 'promotion', 'promotion-ponyshop.yaml'));
  expect(promotion.spec.target.migrationJobTemplate).toEqual(job.spec);
  expect(promotion.spec.source.namespace).toBe('ponyshop-staging');
  expect(promotion.spec.policy.approval).toBe('Manual');
});

test('dist/operator/ is written for a pipeline, granting its staging and production namespaces', () => {
  const { operator } = synth({ from: 'staging' });
  expect(operator).toBeDefined();
  const roles = operator!.files.filter((f) => f.startsWith('20-role-')).sort();
  expect(roles).toEqual([
    '20-role-ponyexpress-system-ponyexpress-operator-leader-election.yaml',
    '20-role-ponyshop-production-ponyexpress-operator-production.yaml',
    '20-role-ponyshop-staging-ponyexpress-operator-staging.yaml',
  ]);
});

test('without a promotion section there is no Promotion and no dist/operator/', () => {
  const { outDir, operator } = synth(undefined);
  expect(operator).toBeUndefined();
  expect(readdirSync(outDir).sort()).toEqual(['production', 'staging']);
  expect(readdirSync(path.join(outDir, 'production'))).not.toContain('promotion');
});

test('environments/operator.yaml sets the operator chart, from the same load as the environments', () => {
  const configDir = configDirWith({
    'staging.yaml': exampleConfig('staging'),
    'production.yaml': exampleConfig('production'),
    'operator.yaml': { namespace: 'ops', replicas: 3, image: { tag: '0.2.0' } },
  });
  const outDir = tempDir('dist');
  const { outputs } = synthesizeAll({ configDir, outDir });
  expect(outputs.map((o) => o.name)).toEqual(['production', 'staging', 'operator']);
  const deployment = readYaml(path.join(outDir, 'operator', '50-deployment-ops-ponyexpress-operator.yaml'));
  expect(deployment.spec.replicas).toBe(3);
  expect(deployment.spec.template.spec.containers[0].image).toBe('ghcr.io/ponyexpress/operator:0.2.0');
});

test("an in-cluster smoke URL lets the operator's pods, and only them besides the ingress controller, reach staging's web", () => {
  const { outDir } = synth({ from: 'staging', smokeUrl: 'http://ponyshop-web.ponyshop-staging.svc/healthz' });
  const policy = readYaml(path.join(outDir, 'staging', '25-networkpolicy-ponyshop-web-ingress.yaml'));
  expect(policy.spec.ingress[0].from).toEqual([
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
    },
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ponyexpress-system' } },
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/instance': 'ponyexpress-operator',
          'app.kubernetes.io/name': 'ponyexpress-operator',
        },
      },
    },
  ]);
  const production = readYaml(path.join(outDir, 'production', '25-networkpolicy-ponyshop-web-ingress.yaml'));
  expect(production.spec.ingress[0].from).toHaveLength(1);
});
