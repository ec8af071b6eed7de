// The spec with defaults applied, and the checks the CRD schema cannot express.
import { isAppContainer, parseImageRef } from './naming.js';
import { policyProblem } from './policy.js';
import {
  DEFAULTS,
  LABEL,
  type Approval,
  type DriftPolicy,
  type InFlightStatus,
  type PromotionObject,
  type PromotionSpec,
  type WorkloadComponent,
} from './resource.js';
import type { ContainerLike } from './types.js';

export interface Settings {
  /** Prefix of the prod migration Job name: the Promotion's app.kubernetes.io/name label, else its name. */
  app: string;
  repository: string;
  generation: number;
  soakSeconds: number;
  smokeUrl?: string;
  waves: WorkloadComponent[][];
  rolloutTimeoutSeconds: number;
  approval: Approval;
  historyLimit: number;
  migrationJobTemplate: Record<string, unknown>;
  tags?: NonNullable<PromotionSpec['policy']>['tags'];
  drift: DriftPolicy;
}

export function settingsOf(promotion: PromotionObject): Settings {
  const { spec, metadata } = promotion;
  return {
    app: metadata.labels?.[LABEL.name] ?? metadata.name,
    repository: spec.imageRepository,
    generation: metadata.generation ?? 0,
    soakSeconds: spec.source.soakSeconds ?? DEFAULTS.soakSeconds,
    smokeUrl: spec.source.smokeUrl,
    waves: spec.target.waves && spec.target.waves.length > 0 ? spec.target.waves : DEFAULTS.waves,
    rolloutTimeoutSeconds: spec.target.rolloutTimeoutSeconds ?? DEFAULTS.rolloutTimeoutSeconds,
    approval: spec.policy?.approval ?? DEFAULTS.approval,
    historyLimit: spec.historyLimit ?? DEFAULTS.historyLimit,
    migrationJobTemplate: spec.target.migrationJobTemplate,
    ...(spec.policy?.tags ? { tags: spec.policy.tags } : {}),
    drift: spec.policy?.drift ?? DEFAULTS.drift,
  };
}

/** What a flight keeps of the spec it started with (issue 12: edits apply to the next flight). */
export function snapshot(
  settings: Settings,
  kind: InFlightStatus['kind'],
): Pick<InFlightStatus, 'waves' | 'rolloutTimeoutSeconds' | 'migrationJobTemplate' | 'policy'> {
  return {
    waves: structuredClone(settings.waves),
    rolloutTimeoutSeconds: settings.rolloutTimeoutSeconds,
    ...(kind === 'Promotion' ? { migrationJobTemplate: structuredClone(settings.migrationJobTemplate) } : {}),
    policy: { approval: settings.approval, ...(settings.tags ? { tags: { ...settings.tags } } : {}) },
  };
}

/** The settings a flight runs under: its snapshot where it has one (flights of older operators have none). */
export function flightSettings(settings: Settings, flight: InFlightStatus): Settings {
  return {
    ...settings,
    ...(flight.waves ? { waves: flight.waves } : {}),
    ...(flight.rolloutTimeoutSeconds ? { rolloutTimeoutSeconds: flight.rolloutTimeoutSeconds } : {}),
    ...(flight.migrationJobTemplate ? { migrationJobTemplate: flight.migrationJobTemplate } : {}),
    ...(flight.policy ? { approval: flight.policy.approval } : {}),
  };
}

/** Components named by any wave, in wave order. */
export function waveComponents(settings: Settings): WorkloadComponent[] {
  return settings.waves.flat();
}

/** The pod spec containers of a JobSpec-shaped template, if it has that shape. */
export function templateContainers(
  template: Record<string, unknown>,
): { containers: ContainerLike[]; initContainers: ContainerLike[] } | undefined {
  const podSpec = (template.template as { spec?: { containers?: unknown; initContainers?: unknown } } | undefined)
    ?.spec;
  if (!podSpec || !Array.isArray(podSpec.containers)) return undefined;
  const initContainers = Array.isArray(podSpec.initContainers) ? (podSpec.initContainers as ContainerLike[]) : [];
  return { containers: podSpec.containers as ContainerLike[], initContainers };
}

/** What makes this spec unusable, or undefined. Mirrors the CRD's rules for objects that bypassed it. */
export function specProblem(promotion: PromotionObject): string | undefined {
  const { spec } = promotion;
  const repo = parseImageRef(spec.imageRepository);
  if (!repo || repo.tag || repo.digest)
    return `imageRepository ${JSON.stringify(spec.imageRepository)} must be a repository without tag or digest`;
  if (spec.source.namespace === spec.target.namespace) return 'target.namespace must differ from source.namespace';
  const settings = settingsOf(promotion);
  const seen = new Set<string>();
  for (const wave of settings.waves) {
    if (wave.length === 0) return 'target.waves must not contain an empty wave';
    for (const component of wave) {
      if (seen.has(component)) return `target.waves names ${component} twice`;
      seen.add(component);
    }
  }
  const beatWave = settings.waves.findIndex((wave) => wave.includes('beat'));
  if (beatWave >= 0 && (beatWave !== settings.waves.length - 1 || settings.waves[beatWave].length !== 1)) {
    return 'target.waves: beat must be alone in the last wave (it may only change after every other workload)';
  }
  const pod = templateContainers(spec.target.migrationJobTemplate);
  if (!pod || pod.containers.length === 0)
    return 'target.migrationJobTemplate must be a JobSpec with template.spec.containers';
  if (!pod.containers.some((c) => isAppContainer(c, spec.imageRepository))) {
    return `target.migrationJobTemplate has no container named migrate or running ${spec.imageRepository}`;
  }
  return policyProblem(spec.policy?.tags);
}
