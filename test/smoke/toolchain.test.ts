import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { KubeConfig } from '@kubernetes/client-node';

test('toolchain loads cdk8s-plus-27 and client-node together', () => {
  const chart = Testing.chart();
  new kplus.ConfigMap(chart, 'cm', { data: { a: 'b' } });
  expect(Testing.synth(chart)[0].kind).toBe('ConfigMap');
  expect(new KubeConfig().getContexts()).toEqual([]);
});
