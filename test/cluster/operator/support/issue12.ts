// Small helpers for the issue-12 cluster tests: Events the operator wrote, and a Role verb removed.
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { Pipeline } from './pipeline.js';

/** Reasons and messages of the Events on the Promotion, oldest first. */
export async function promotionEvents(p: Pipeline): Promise<{ type: string; reason: string; message: string }[]> {
  const list = await p.core.listNamespacedEvent({ namespace: p.prod });
  return list.items
    .filter((e) => e.involvedObject.kind === 'Promotion')
    .map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '' }));
}

/** Removes `verb` on `resource` from every Role in the production namespace (a tightened permission). */
export async function removeVerb(p: Pipeline, resource: string, verb: string): Promise<void> {
  const rbac = p.kc.makeApiClient(RbacAuthorizationV1Api);
  for (const role of (await rbac.listNamespacedRole({ namespace: p.prod })).items) {
    const rules = (role.rules ?? [])
      .map((r) => (r.resources?.includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r))
      .filter((r) => r.verbs.length > 0);
    await rbac.replaceNamespacedRole({ name: role.metadata!.name!, namespace: p.prod, body: { ...role, rules } });
  }
}
