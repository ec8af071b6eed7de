// One Promotion per app pipeline, emitted by the target (production) environment's chart: the operator
// then moves the image staging verified into production, migrations first.
import { Construct } from 'constructs';
import {
  Promotion as PromotionObject,
  PromotionSpecPolicyApproval,
  PromotionSpecTargetWaves,
  type PromotionSpecTargetMigrationJobTemplate,
} from '../imports/ponyexpress.dev.js';
import { LABEL, PROMOTION_DEFAULTS, type WorkloadComponent } from '../contract/index.js';
import { appLabels, appPodsSelector } from './labels.js';
import type { PromotionConfig } from './config/promotion-schema.js';

/** An environment as far as a Promotion needs it. */
export interface PipelineEnd {
  /** Environment name, e.g. `staging`; with the app it makes the `app.kubernetes.io/instance` label. */
  readonly env: string;
  readonly namespace: string;
}

export interface PromotionProps {
  /** Names the Promotion and prefixes the production migration Job, like the app chart does. */
  readonly app: string;
  /** Without tag or digest, e.g. `ghcr.io/ponyexpress/ponyshop`. */
  readonly imageRepository: string;
  readonly source: PipelineEnd;
  readonly target: PipelineEnd;
  /**
   * The `spec` of the target chart's own migration Job, exactly as synthesised: the operator runs it with
   * the promoted image, so production migrations run what `npm run synth` would have written.
   */
  readonly migrationJobSpec: Record<string, unknown>;
  /** Approval, tag policy, soak, smoke URL, timeouts (the environment file's `promotion:` section). */
  readonly config: PromotionConfig;
}

// `cdk8s import` types the template's declared fields only, and its toJson keeps only those: it would
// strip the Job template down to container names. This keeps the imported class (GVK, typed spec) and
// puts the full template back.
class PromotionWithJobTemplate extends PromotionObject {
  constructor(
    scope: Construct,
    id: string,
    props: ConstructorParameters<typeof PromotionObject>[2],
    private readonly jobTemplate: unknown,
  ) {
    super(scope, id, props);
  }

  override toJson(): unknown {
    const json = super.toJson() as { spec: { target: { migrationJobTemplate: unknown } } };
    json.spec.target.migrationJobTemplate = structuredClone(this.jobTemplate);
    return json;
  }
}

export class Promotion extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: PromotionProps) {
    super(scope, id);
    const { app, config } = props;
    if (props.source.namespace === props.target.namespace)
      throw new Error(`promotion of ${app}: source and target namespace are both ${props.target.namespace}`);
    const selectorOf = (end: PipelineEnd) => appPodsSelector({ app, ...end });
    const waves = PROMOTION_DEFAULTS.waves.map((wave) => wave.map(toWave));
    this.name = app;
    new PromotionWithJobTemplate(
      this,
      'resource',
      {
        metadata: {
          name: app,
          namespace: props.target.namespace,
          labels: appLabels({ app, env: props.target.env, namespace: props.target.namespace }),
        },
        spec: {
          imageRepository: props.imageRepository,
          source: {
            namespace: props.source.namespace,
            selector: { matchLabels: selectorOf(props.source) },
            migrationJobSelector: { matchLabels: { ...selectorOf(props.source), [LABEL.component]: 'migrate' } },
            soakSeconds: config.soakSeconds,
            smokeUrl: config.smokeUrl,
          },
          target: {
            namespace: props.target.namespace,
            selector: { matchLabels: selectorOf(props.target) },
            migrationJobTemplate: props.migrationJobSpec as unknown as PromotionSpecTargetMigrationJobTemplate,
            waves,
            rolloutTimeoutSeconds: config.rolloutTimeoutSeconds,
          },
          policy: {
            tags: config.tags,
            approval:
              config.approval === 'Manual' ? PromotionSpecPolicyApproval.MANUAL : PromotionSpecPolicyApproval.AUTOMATIC,
          },
          suspend: config.suspend,
          historyLimit: config.historyLimit,
          ...(config.writeBack ? { writeBack: config.writeBack } : {}),
        },
      },
      props.migrationJobSpec,
    );
  }
}

function toWave(component: WorkloadComponent): PromotionSpecTargetWaves {
  return {
    web: PromotionSpecTargetWaves.WEB,
    worker: PromotionSpecTargetWaves.WORKER,
    beat: PromotionSpecTargetWaves.BEAT,
  }[component];
}
