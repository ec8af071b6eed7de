// Kubernetes Events on the Promotion (core/v1, which `kubectl describe` shows and the chart's
// RBAC grants). Best effort: a lost Event must never fail or repeat a promotion step.
import { randomBytes } from 'node:crypto';
import type { PlanEvent, PromotionObject } from '../core/types.js';
import { FIELD_MANAGER } from '../core/types.js';
import type { KubeClient } from './client.js';
import type { Priority } from './transport.js';

export function eventBody(
  p: PromotionObject,
  e: PlanEvent,
  instance: string,
  now = new Date(),
): Record<string, unknown> {
  const time = now.toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${p.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: p.metadata.namespace },
    involvedObject: {
      apiVersion: p.apiVersion ?? 'ponyexpress.dev/v1alpha1',
      kind: p.kind ?? 'Promotion',
      name: p.metadata.name,
      namespace: p.metadata.namespace,
      uid: p.metadata.uid,
    },
    type: e.type,
    reason: e.reason,
    message: e.message.slice(0, 1024),
    source: { component: FIELD_MANAGER },
    reportingComponent: FIELD_MANAGER,
    reportingInstance: instance,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}

export async function emitEvent(
  client: Pick<KubeClient, 'create'>,
  p: PromotionObject,
  e: PlanEvent,
  instance: string,
  opts: Priority = {},
): Promise<void> {
  await client.create(`/api/v1/namespaces/${p.metadata.namespace}/events`, eventBody(p, e, instance), {
    ...opts,
    event: true,
  });
}
