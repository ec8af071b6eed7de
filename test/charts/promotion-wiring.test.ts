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
