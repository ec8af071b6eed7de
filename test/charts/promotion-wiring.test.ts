// How the environment files' `promotion:` section reaches the production chart (the Promotion construct
// itself and the operator chart are tested in operator-promotion.test.ts and operator.test.ts).
import * as path from 'node:path';
import { ConfigError, synthesizeEnvironment } from '../../charts/synth.js';
import { configDirWith, exampleConfig } from './support.js';

function withPromotion(promotion: Record<string, unknown>): string {
  return configDirWith({
    'staging.yaml': exampleConfig('staging'),
    'production.yaml': { ...exampleConfig('production'), promotion },
  });
}

test('a promotion target gets a Promotion in promotion/, carrying its own migration Job spec', () => {
  const production = synthesizeEnvironment('production', {
    configDir: withPromotion({ from: 'staging', approval: 'Manual' }),
  });
  const file = production.files.find((f) => f.object.kind === 'Promotion')!;
  expect(file.path).toBe('promotion/promotion-ponyshop.yaml');
  const promotion = file.object as any;
  const job = production.objects.find((o) => o.kind === 'Job') as any;
  expect(promotion.spec.target.migrationJobTemplate).toEqual(job.spec);
  expect(promotion.spec.source.namespace).toBe('ponyshop-staging');
  expect(promotion.spec.policy.approval).toBe('Manual');
  expect(promotion.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
  // App-wide, like the ServiceAccount: no component label (hardening.test.ts checks the others).
  expect(promotion.metadata.labels).toEqual({
    'app.kubernetes.io/name': 'ponyshop',
    'app.kubernetes.io/instance': 'ponyshop-production',
    'app.kubernetes.io/part-of': 'ponyshop',
    'app.kubernetes.io/managed-by': 'ponyexpress',
  });
  // Argo CD syncs promotion/ but not argocd/, where the Application itself lives.
  const app = production.objects.find((o) => o.kind === 'Application') as any;
  expect(app.spec.source.directory).toEqual({ recurse: true, exclude: 'argocd/*' });
});

test('the source environment gets no Promotion; the example production gets exactly one, from staging', () => {
  const configDir = withPromotion({ from: 'staging' });
  expect(synthesizeEnvironment('staging', { configDir }).objects.filter((o) => o.kind === 'Promotion')).toEqual([]);
  expect(synthesizeEnvironment('staging').objects.filter((o) => o.kind === 'Promotion')).toEqual([]);
  const promotions = synthesizeEnvironment('production').objects.filter((o) => o.kind === 'Promotion') as any[];
  expect(promotions.map((p) => [p.metadata.namespace, p.spec.source.namespace, p.spec.target.namespace])).toEqual([
    ['ponyshop-production', 'ponyshop-staging', 'ponyshop-production'],
  ]);
});

test('a promotion from an unknown environment is a config problem', () => {
  const configDir = withPromotion({ from: 'qa' });
  try {
    synthesizeEnvironment('production', { configDir });
    throw new Error('expected a ConfigError');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).lines).toEqual([
      `${path.join(configDir, 'production.yaml')}: promotion.from: found "qa", expected one of the other environments (staging)`,
    ]);
  }
});

describe('the Argo CD Application ignores image fields only where the operator patches the cluster', () => {
  const git = { url: 'https://git.example.com/acme/fleet.git', path: 'production', secretRef: { name: 'fleet-git' } };
  const appOf = (env: 'staging' | 'production', files: Record<string, Record<string, unknown>>) =>
    synthesizeEnvironment(env, { configDir: configDirWith(files) }).objects.find(
      (o) => o.kind === 'Application',
    ) as any;
  const follow = (writeBack?: object) => ({
    ...exampleConfig('staging'),
    follow: { tags: { regex: '^sha-[0-9a-f]{7}$' }, ...(writeBack ? { writeBack } : {}) },
  });
  const production = (writeBack?: object) => ({
    ...exampleConfig('production'),
    promotion: { from: 'staging', ...(writeBack ? { writeBack } : {}) },
  });
  const ignored = (app: any) => (app.spec.ignoreDifferences ?? []).map((d: any) => `${d.group}/${d.kind}`);

  test('direct apply (a Promotion or ImageFollow without writeBack): Deployments, StatefulSets, Jobs by field manager', () => {
    const files = { 'staging.yaml': follow(), 'production.yaml': production() };
    for (const env of ['staging', 'production'] as const) {
      const app = appOf(env, files);
      expect(ignored(app)).toEqual(['apps/Deployment', 'apps/StatefulSet', 'batch/Job']);
      expect(app.spec.ignoreDifferences[0].managedFieldsManagers).toEqual(['ponyexpress-operator']);
      expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    }
  });

  test('Git mode (writeBack.git): Git says the images, so nothing is ignored', () => {
    const files = {
      'staging.yaml': follow({ git: { ...git, path: 'staging' } }),
      'production.yaml': production({ git }),
    };
    for (const env of ['staging', 'production'] as const) {
      const app = appOf(env, files);
      expect(app.spec.ignoreDifferences).toBeUndefined();
      expect(app.spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
    }
  });

  test('an environment the operator never writes (staging without follow) needs no ignoreDifferences', () => {
    const app = appOf('staging', { 'staging.yaml': exampleConfig('staging'), 'production.yaml': production() });
    expect(app.spec.ignoreDifferences).toBeUndefined();
  });
});
