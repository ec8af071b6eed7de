// Pure: what each write command changes on the Promotion (a JSON merge patch of annotations) and what it
// tells the user. The I/O layer applies `patch` and prints `lines`.
import { ANNOTATION, type PromotionObject } from '../core/types.js';
import { describeRef, findRollbackTarget, normalizeRef, pinnedRef, resolveApproval } from './refs.js';

/** A merge patch: `null` deletes an annotation. */
export interface Intent {
  patch: { metadata: { annotations: Record<string, string | null> } };
  lines: string[];
}

const id = (p: PromotionObject) => `${p.metadata.namespace}/${p.metadata.name}`;
const annotations = (p: PromotionObject) => p.metadata.annotations ?? {};

export function approveIntent(p: PromotionObject, input: string): Intent {
  const ref = resolveApproval(normalizeRef(input, p.spec.imageRepository), p.status?.staging);
  const lines = [`approved ${ref} for ${id(p)}`];
  if ((p.spec.policy?.approval ?? 'Automatic') === 'Automatic') {
    lines.push('note: approval is Automatic, so verified candidates are promoted without approval anyway');
  }
  const staging = p.status?.staging;
  const isCandidate = staging && (staging.tag === ref || staging.digest === ref);
  if (!isCandidate) {
    const current = staging ? describeRef(staging) : 'none';
    lines.push(`note: staging's candidate is ${current}; this approval takes effect only once staging verifies ${ref}`);
  } else if (!staging.verified) {
    lines.push(`note: ${ref} is staging's candidate but not verified yet; it is promoted once verification completes`);
  }
  if (annotations(p)[ANNOTATION.hold] !== undefined || annotations(p)[ANNOTATION.rollbackTo] !== undefined) {
    lines.push(`note: ${id(p)} is on hold; nothing is promoted until \`ponyexpress release ${p.metadata.name}\``);
  }
  return { patch: { metadata: { annotations: { [ANNOTATION.approve]: ref } } }, lines };
}

export function holdIntent(p: PromotionObject, reason: string): Intent {
  const lines = [`held ${id(p)}: ${reason}`];
  if (p.status?.inFlight) {
    lines.push(
      `note: the in-flight ${p.status.inFlight.kind.toLowerCase()} of ${describeRef(p.status.inFlight)} (${p.status.inFlight.phase}) stops at its next step`,
    );
  }
  lines.push(`release with: ponyexpress release ${p.metadata.name} -n ${p.metadata.namespace}`);
  return { patch: { metadata: { annotations: { [ANNOTATION.hold]: reason } } }, lines };
}

/** Releasing resumes automation: it drops the hold and a carried-out rollback-to (which also holds). */
export function releaseIntent(p: PromotionObject): Intent {
  const current = annotations(p);
  const rollback = current[ANNOTATION.rollbackTo];
  if (current[ANNOTATION.hold] === undefined && rollback === undefined) {
    return { patch: { metadata: { annotations: {} } }, lines: [`${id(p)} is not held; nothing to release`] };
  }
  const lines = [`released ${id(p)}: automation resumes`];
  if (rollback !== undefined) {
    lines.push(`removed rollback-to ${rollback}; a newer verified staging image will be promoted again`);
  }
  return {
    patch: { metadata: { annotations: { [ANNOTATION.hold]: null, [ANNOTATION.rollbackTo]: null } } },
    lines,
  };
}

export function rollbackIntent(p: PromotionObject, input: string): Intent {
  const entry = findRollbackTarget(normalizeRef(input, p.spec.imageRepository), p.status?.history ?? []);
  const ref = pinnedRef(entry);
  // An existing hold keeps its reason: it was set first and says more about why.
  const reason = annotations(p)[ANNOTATION.hold] ?? `rollback to ${describeRef(entry)} (ponyexpress rollback)`;
  const lines = [
    `rolling ${id(p)} back to ${describeRef(entry)}: workloads only, migrations are neither re-run nor reversed`,
    `set hold "${reason}" so the automation does not promote again right away`,
    `release with: ponyexpress release ${p.metadata.name} -n ${p.metadata.namespace}`,
  ];
  return {
    patch: { metadata: { annotations: { [ANNOTATION.rollbackTo]: ref, [ANNOTATION.hold]: reason } } },
    lines,
  };
}
