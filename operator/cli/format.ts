// Pure: the `status` output, as a list (several Promotions) or a detail view (one Promotion).
import { ANNOTATION, DEFAULTS, type ImageRecord, type PromotionObject } from '../core/types.js';
import { renderFields, renderTable } from './table.js';

/** `1.4.2@sha256:0123456789ab` (tag plus short digest), or whichever of them is known. */
export function shortImage(record: ImageRecord | undefined): string | undefined {
  if (!record) return undefined;
  const digest = record.digest ? record.digest.slice(0, 'sha256:'.length + 12) : undefined;
  if (record.tag && digest) return `${record.tag}@${digest}`;
  return record.tag ?? digest ?? record.image;
}

/** Age in kubectl's style: 45s, 12m, 3h, 2d. */
export function age(since: string | undefined, now: Date): string | undefined {
  if (!since) return undefined;
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
  if (Number.isNaN(seconds)) return undefined;
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** Tag first (what humans recognise), then the full reference that actually runs. */
const full = (record: ImageRecord) => (record.tag ? `${record.tag} (${record.image})` : record.image);
const at = (time: string | undefined, now: Date) => (time ? `${time} (${age(time, now)} ago)` : undefined);

function holdText(p: PromotionObject): string | undefined {
  const hold = p.status?.hold;
  const requested = p.metadata.annotations?.[ANNOTATION.hold];
  if (hold) return hold.reason;
  // The annotation is there but the operator has not reconciled it yet.
  return requested !== undefined ? `${requested} (requested)` : undefined;
}

function inFlightText(p: PromotionObject): string | undefined {
  const f = p.status?.inFlight;
  if (!f) return undefined;
  const waves = p.spec.target.waves ?? DEFAULTS.waves;
  const where =
    f.phase === 'RollingOut' ? ` wave ${f.wave + 1}/${waves.length} [${(waves[f.wave] ?? []).join(',')}]` : '';
  return `${f.kind === 'Rollback' ? 'rollback to ' : ''}${shortImage(f)} ${f.phase}${where}`;
}

export function formatList(items: readonly PromotionObject[], showNamespace: boolean): string {
  if (items.length === 0) return 'No Promotions found.';
  const headers = [
    ...(showNamespace ? ['namespace'] : []),
    'name',
    'staging',
    'production',
    'phase',
    'in-flight',
    'approval',
    'hold',
  ];
  const rows = items.map((p) => {
    const staging = p.status?.staging;
    const stagingText = staging ? `${shortImage(staging)}${staging.verified ? ' (verified)' : ''}` : undefined;
    return [
      ...(showNamespace ? [p.metadata.namespace] : []),
      p.metadata.name,
      stagingText,
      shortImage(p.status?.production),
      p.spec.suspend ? 'Suspended' : p.status?.phase,
      inFlightText(p),
      p.spec.policy?.approval ?? DEFAULTS.approval,
      holdText(p),
    ];
  });
  return renderTable(headers, rows);
}

export function formatDetail(p: PromotionObject, now: Date): string {
  const s = p.status ?? {};
  const ann = p.metadata.annotations ?? {};
  const approval = p.spec.policy?.approval ?? DEFAULTS.approval;
  const sections = [
    renderFields([
      ['Promotion', `${p.metadata.namespace}/${p.metadata.name}`],
      ['Image', p.spec.imageRepository],
      ['From', `${p.spec.source.namespace} (soak ${p.spec.source.soakSeconds ?? DEFAULTS.soakSeconds}s)`],
      ['To', p.spec.target.namespace],
      ['Approval', approval + (ann[ANNOTATION.approve] ? `, approved: ${ann[ANNOTATION.approve]}` : '')],
      ['Phase', (p.spec.suspend ? 'Suspended; last phase ' : '') + (s.phase ?? 'unknown (not reconciled yet)')],
      ['Hold', holdText(p) ? `${holdText(p)}${s.hold ? ` (since ${s.hold.since}, by ${s.hold.by})` : ''}` : 'no'],
      ['Rollback to', ann[ANNOTATION.rollbackTo]],
      [
        'Staging',
        s.staging &&
          `${full(s.staging)}${s.staging.verified ? ', verified' : ', not verified'}${s.staging.healthySince ? `, healthy since ${at(s.staging.healthySince, now)}` : ''}`,
      ],
      [
        'Production',
        s.production &&
          `${full(s.production)}${s.production.promotedAt ? `, promoted ${at(s.production.promotedAt, now)}` : ''}`,
      ],
      [
        'In flight',
        s.inFlight &&
          `${inFlightText(p)}, started ${at(s.inFlight.startedAt, now)}${s.inFlight.migrationJob ? `, job ${s.inFlight.migrationJob}` : ''}`,
      ],
    ]),
  ];
  const hint = nextStepHint(p);
  if (hint) sections.push(hint);
  sections.push(
    'Conditions:\n' +
      ((s.conditions ?? []).length
        ? renderTable(
            ['type', 'status', 'reason', 'age', 'message'],
            (s.conditions ?? []).map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime, now), c.message]),
          )
        : '  none yet'),
    'History (newest first):\n' +
      ((s.history ?? []).length
        ? renderTable(
            ['tag', 'digest', 'result', 'finished', 'reason'],
            (s.history ?? []).map((h) => [h.tag, h.digest?.slice(0, 19), h.result, h.finishedAt, h.reason]),
          )
        : '  none yet'),
  );
  return sections.join('\n\n');
}

/** Tells the user what they can do next when the pipeline waits for a human. */
function nextStepHint(p: PromotionObject): string | undefined {
  const s = p.status;
  const ns = `-n ${p.metadata.namespace}`;
  if (p.metadata.annotations?.[ANNOTATION.hold] !== undefined || s?.hold) {
    return `Held: nothing is promoted. Resume with: ponyexpress release ${p.metadata.name} ${ns}`;
  }
  const staging = s?.staging;
  if ((p.spec.policy?.approval ?? DEFAULTS.approval) === 'Manual' && staging?.verified && !s?.inFlight) {
    const approved = p.metadata.annotations?.[ANNOTATION.approve];
    const ref = staging.tag ?? staging.digest;
    if (ref && approved !== staging.tag && approved !== staging.digest && staging.image !== s?.production?.image) {
      return `Waiting for approval of ${ref}: ponyexpress approve ${p.metadata.name} ${ref} ${ns}`;
    }
  }
  return undefined;
}
