// The Promotion construct: what the production chart emits for the operator, checked against the CRD's
// own structural schema (CEL rules are the API server's; the cluster tests exercise those).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Promotion } from '../../charts/promotion.js';
import { promotionConfigSchema } from '../../charts/config/promotion-schema.js';
import { resolvePipelines, operatorPipelines, type PipelineEnvironment } from '../../charts/promotion-config.js';
import { exampleConfig, repoRoot } from './support.js';
import { environmentSchema } from '../../charts/config/environment-schema.js';

const JOB_SPEC = {
  backoffLimit: 1,
  activeDeadlineSeconds: 1800,
  ttlSecondsAfterFinished: 604800,
  template: {
    metadata: {
      labels: { 'app.kubernetes.io/component': 'migrate' },
      annotations: { 'ponyexpress.dev/image': 'ghcr.io/ponyexpress/ponyshop:1.4.0' },
    },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'migrate',
          image: 'ghcr.io/ponyexpress/ponyshop:1.4.0',
          command: ['python', '-c', 'migrate'],
          env: [{ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'ponyshop-db-app', key: 'password' } } }],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  },
};

function synth(config: Partial<ReturnType<typeof promotionConfigSchema.parse>> = {}) {
  const chart = Testing.chart();
  new Promotion(chart, 'promotion', {
    app: 'ponyshop',
    imageRepository: 'ghcr.io/ponyexpress/ponyshop',
    source: { env: 'staging', namespace: 'ponyshop-staging' },
    target: { env: 'production', namespace: 'ponyshop-production' },
    migrationJobSpec: JOB_SPEC,
    config: promotionConfigSchema.parse({ from: 'staging', ...config }),
  });
  const objects = Testing.synth(chart);
  expect(objects).toHaveLength(1);
  return objects[0];
}

test('one Promotion in the production namespace, selecting each environment by its instance label', () => {
  const p = synth({ approval: 'Manual', tags: { semver: '>=1.0.0 <2' } });
  expect(p).toMatchObject({
    apiVersion: 'ponyexpress.dev/v1alpha1',
    kind: 'Promotion',
    metadata: {
      name: 'ponyshop',
      namespace: 'ponyshop-production',
      labels: { 'app.kubernetes.io/name': 'ponyshop', 'app.kubernetes.io/instance': 'ponyshop-production' },
    },
  });
  expect(p.spec).toEqual({
    imageRepository: 'ghcr.io/ponyexpress/ponyshop',
    source: {
      namespace: 'ponyshop-staging',
      selector: {
        matchLabels: { 'app.kubernetes.io/name': 'ponyshop', 'app.kubernetes.io/instance': 'ponyshop-staging' },
      },
      migrationJobSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'ponyshop',
          'app.kubernetes.io/instance': 'ponyshop-staging',
          'app.kubernetes.io/component': 'migrate',
        },
      },
      soakSeconds: 300,
    },
    target: {
      namespace: 'ponyshop-production',
      selector: {
        matchLabels: { 'app.kubernetes.io/name': 'ponyshop', 'app.kubernetes.io/instance': 'ponyshop-production' },
      },
      migrationJobTemplate: JOB_SPEC,
      waves: [['web', 'worker'], ['beat']],
      rolloutTimeoutSeconds: 600,
    },
    policy: { approval: 'Manual', tags: { semver: '>=1.0.0 <2' } },
    suspend: false,
    historyLimit: 10,
  });
});

test('the migration Job template survives whole (cdk8s import alone would keep only declared fields)', () => {
  expect(synth().spec.target.migrationJobTemplate).toEqual(JOB_SPEC);
});

/** The API server prunes unknown fields silently; closing the schema makes a misspelt field fail here instead. */
function closeObjects(node: any): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (node === null || typeof node !== 'object') return;
  if (node.properties && node.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields'])
    node.additionalProperties = false;
  Object.values(node).forEach(closeObjects);
}

test("validates against the CRD's structural schema", () => {
  const crd = parse(readFileSync(path.join(repoRoot, 'operator/crd/promotions.ponyexpress.dev.yaml'), 'utf8'));
  const schema = crd.spec.versions[0].schema.openAPIV3Schema;
  closeObjects(schema);
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  for (const p of [
    synth(),
    synth({
      approval: 'Manual',
      tags: { regex: '^v?\\d+\\.\\d+\\.\\d+$' },
      smokeUrl: 'http://ponyshop-web.ponyshop-staging.svc/healthz',
    }),
  ]) {
    expect(validate(p) ? [] : validate.errors).toEqual([]);
  }
  const misspelt = synth();
  misspelt.spec.source.soakSecond = 1;
  expect(validate(misspelt)).toBe(false);
});

describe('promotion config', () => {
  test('tags need exactly one of semver or regex; smokeUrl must be http(s)', () => {
    expect(() => promotionConfigSchema.parse({ from: 'staging', tags: {} })).toThrow(/exactly one of semver or regex/);
    expect(() => promotionConfigSchema.parse({ from: 'staging', tags: { semver: '1', regex: 'x' } })).toThrow(
      /exactly one/,
    );
    expect(() => promotionConfigSchema.parse({ from: 'staging', smokeUrl: 'ftp://x/y' })).toThrow();
    expect(() => promotionConfigSchema.parse({ from: 'staging', approval: 'manual' })).toThrow();
  });

  const env = (name: string, overrides: Record<string, any> = {}): PipelineEnvironment => {
    const { promotion, ...rest } = { ...exampleConfig(name === 'staging' ? 'staging' : 'production'), ...overrides };
    return {
      name,
      file: `environments/${name}.yaml`,
      config: { ...environmentSchema.parse(rest), promotion: promotion && promotionConfigSchema.parse(promotion) },
    };
  };

  test('resolves staging -> production and derives the namespaces the operator is granted', () => {
    const { pipelines, problems } = resolvePipelines([
      env('staging'),
      env('production', { promotion: { from: 'staging' } }),
    ]);
    expect(problems).toEqual([]);
    expect(operatorPipelines(pipelines)).toEqual([
      {
        app: 'ponyshop',
        stagingNamespace: 'ponyshop-staging',
        productionNamespace: 'ponyshop-production',
        smokeUrl: undefined,
      },
    ]);
  });

  test('a bad "from" is a problem naming the file and the choices', () => {
    const { pipelines, problems } = resolvePipelines([
      env('staging'),
      env('production', { promotion: { from: 'qa' } }),
    ]);
    expect(pipelines).toEqual([]);
    expect(problems).toEqual([
      {
        file: 'environments/production.yaml',
        path: 'promotion.from',
        found: '"qa"',
        expected: 'one of the other environments (staging)',
      },
    ]);
    const self = resolvePipelines([env('production', { promotion: { from: 'production' } })]).problems;
    expect(self[0].expected).toBe('another environment than this one');
    const otherApp = resolvePipelines([
      env('staging', { app: 'other' }),
      env('production', { promotion: { from: 'staging' } }),
    ]).problems;
    expect(otherApp[0].expected).toBe('an environment of the same app (ponyshop)');
  });
});
