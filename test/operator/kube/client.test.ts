import { resourceOf } from '../../../operator/kube/client.js';
import { eventBody } from '../../../operator/kube/events.js';
import { sourcesOf } from '../../../operator/kube/sources.js';
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
    target: {
      namespace: prod,
      selector: { matchLabels: { 'app.kubernetes.io/instance': `${instance}-production` } },
      migrationJobTemplate: { template: { spec: { containers: [{ name: 'migrate' }] } } },
    },
  },
});

describe('sourcesOf (what a Promotion makes the cache list and watch)', () => {
  it("narrows staging and production by the Promotion's selectors, per namespace", () => {
    const s = sourcesOf(promotion('shop', 'stg', 'prod', 'shop'));
    expect(s.staging.pods).toEqual({
      kind: 'pods',
      namespace: 'stg',
      selector: 'app.kubernetes.io/instance=shop-staging',
      match: { matchLabels: { 'app.kubernetes.io/instance': 'shop-staging' } },
    });
    expect(s.staging.deployments.selector).toBe('app.kubernetes.io/instance=shop-staging');
    expect(s.staging.jobs).toMatchObject({
      kind: 'jobs',
      namespace: 'stg',
      selector: 'app.kubernetes.io/component=migrate',
    });
    expect(s.production.statefulsets).toMatchObject({
      kind: 'statefulsets',
      namespace: 'prod',
      selector: 'app.kubernetes.io/instance=shop-production',
    });
  });

  it("reads every Job in production (the operator's and the users' migration Jobs)", () => {
    expect(sourcesOf(promotion('shop', 'stg', 'prod', 'shop')).production.jobs).toEqual({
      kind: 'jobs',
      namespace: 'prod',
      selector: '',
    });
  });

  it('gives two Promotions with the same selector in the same namespace the same source (one shared informer)', () => {
    const a = sourcesOf(promotion('a', 'stg', 'prod', 'shop'));
    const b = sourcesOf(promotion('b', 'stg', 'prod', 'shop'));
    expect(b.staging).toEqual(a.staging);
  });
});

describe('eventBody', () => {
  it('points at the Promotion and truncates long messages', () => {
    const p = promotion('shop', 'stg', 'prod', 'shop');
    const body = eventBody(
      { ...p, metadata: { ...p.metadata, uid: 'u1' } },
      { type: 'Warning', reason: 'PromotionFailed', message: 'x'.repeat(2000) },
      'op-0',
      new Date('2026-01-01T00:00:00Z'),
    );
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
