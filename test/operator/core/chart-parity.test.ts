// The prod migration Job the operator creates for an image has the name the charts give that image's Job,
// so when the promoted image is later committed to dist/, GitOps finds the Job already done.
import { synthesizeEnvironment } from '../../../charts/synth.js';
import { migrationJob } from '../../../operator/core/migration.js';
import { settingsOf } from '../../../operator/core/spec.js';
import type { PromotionObject } from '../../../operator/core/types.js';
import { configDirWith, exampleConfig } from '../../charts/support.js';

function production(tag?: string) {
  const prod = exampleConfig('production');
  if (tag) prod.image.tag = tag;
  const configDir = configDirWith({
    'staging.yaml': exampleConfig('staging'),
    'production.yaml': { ...prod, promotion: { from: 'staging' } },
  });
  const objects = synthesizeEnvironment('production', { configDir }).objects as any[];
  const job = objects.find((o) => o.kind === 'Job');
  return {
    promotion: objects.find((o) => o.kind === 'Promotion') as PromotionObject,
    job,
    image: job.metadata.annotations['ponyexpress.dev/image'] as string,
  };
}

test('the operator names the Job for an image exactly as the production chart does', () => {
  const current = production();
  const next = production('9.9.9');
  expect(next.image).not.toBe(current.image);
  const settings = settingsOf(current.promotion);
  for (const target of [current, next]) {
    const created = migrationJob(current.promotion, settings, { image: target.image });
    expect(created.metadata.name).toBe(target.job.metadata.name);
  }
});
