import { resourceOf } from '../../../operator/kube/client.js';
import { eventBody } from '../../../operator/kube/events.js';
import { promotionsAffectedBy } from '../../../operator/kube/observe.js';
import type { PromotionObject } from '../../../operator/core/types.js';

describe('resourceOf (metrics labels)', () => {
  it.each([
    ['/apis/apps/v1/namespaces/prod/deployments/web', 'deployments'],
    ['/apis/ponyexpress.dev/v1alpha1/namespaces/prod/promotions/shop/status', 'promotions/status'],
    ['/apis/coordination.k8s.io/v1/namespaces/ops/leases/ponyexpress-operator', 'leases'],
    ['/api/v1/namespaces/prod/events', 'events'],
    ['/apis/ponyexpress.dev/v1alpha1/promotions', 'promotions'],
    ['/api/v1/pods', 'pods'],
  ])('%s -> %s', (path, resource) => expect(resourceOf(path)).toBe(resource));
});

const promotion = (name: string, staging: string, prod: string, instance: string): PromotionObject => ({
  metadata: { name, namespace: prod },
  spec: {
    imageRepository: 'r/app',
    source: {
      namespace: staging,
      selector: { matchLabels: { 'app.kubernetes.io/instance': `${instance}-staging` } },
      migrationJobSelector: { matchLabels: { 'app.kubernetes.io/component': 'migrate' } },
    },
    target: { namespace: prod, selector: { matchLabels: { 'app.kubernetes.io/instance': `${instance}-production` } }, migrationJobTemplate: {} },
  },
});

describe('promotionsAffectedBy', () => {
  const all = [promotion('shop', 'stg', 'prod', 'shop'), promotion('blog', 'stg', 'prod', 'blog')];

  it('maps a staging object to the Promotions whose selector matches it', () => {
    expect(promotionsAffectedBy(all, 'stg', { 'app.kubernetes.io/instance': 'shop-staging' })).toEqual(['prod/shop']);
  });

  it('maps a staging migration Job through migrationJobSelector', () => {
    expect(promotionsAffectedBy(all, 'stg', { 'app.kubernetes.io/component': 'migrate' })).toEqual(['prod/shop', 'prod/blog']);
  });

  it('maps a production Job labelled with its Promotion', () => {
    expect(promotionsAffectedBy(all, 'prod', { 'ponyexpress.dev/promotion': 'blog' })).toEqual(['prod/blog']);
  });

  it('ignores objects in other namespaces or matching nothing', () => {
    expect(promotionsAffectedBy(all, 'elsewhere', { 'app.kubernetes.io/instance': 'shop-staging' })).toEqual([]);
    expect(promotionsAffectedBy(all, 'stg', { 'app.kubernetes.io/instance': 'other' })).toEqual([]);
  });
});

describe('eventBody', () => {
  it('points at the Promotion and truncates long messages', () => {
    const p = promotion('shop', 'stg', 'prod', 'shop');
    const body = eventBody({ ...p, metadata: { ...p.metadata, uid: 'u1' } }, { type: 'Warning', reason: 'PromotionFailed', message: 'x'.repeat(2000) }, 'op-0', new Date('2026-01-01T00:00:00Z'));
    expect(body).toMatchObject({
      involvedObject: { kind: 'Promotion', name: 'shop', namespace: 'prod', uid: 'u1' },
      type: 'Warning',
      reason: 'PromotionFailed',
      reportingComponent: 'ponyexpress-operator',
      reportingInstance: 'op-0',
      firstTimestamp: '2026-01-01T00:00:00.000Z',
    });
    expect((body.message as string).length).toBe(1024);
    expect((body.metadata as { name: string }).name).toMatch(/^shop\.[0-9a-f]{16}$/);
  });
});
