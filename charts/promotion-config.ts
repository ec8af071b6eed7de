// Pipelines: which environment promotes from which (the `promotion:` sections, charts/config/promotion-schema.ts).
import type { ConfigProblem } from './config/config-error.js';
import type { EnvironmentConfig } from './config/environment-schema.js';
import type { PromotionConfig } from './config/promotion-schema.js';
import type { OperatorPipeline } from './operator/props.js';

/** An environment as the loader returns it (charts/config/load.ts); `config.promotion` is this schema. */
export interface PipelineEnvironment {
  readonly name: string;
  readonly file: string;
  readonly config: EnvironmentConfig;
}

/** A resolved pipeline: the source environment and the target that holds the Promotion. */
export interface Pipeline {
  readonly source: PipelineEnvironment;
  readonly target: PipelineEnvironment;
  readonly promotion: PromotionConfig;
}

/** Pipelines of all environments with a `promotion:` section, plus every problem in how they refer to each other. */
export function resolvePipelines(envs: readonly PipelineEnvironment[]): {
  pipelines: Pipeline[];
  problems: ConfigProblem[];
} {
  const pipelines: Pipeline[] = [];
  const problems: ConfigProblem[] = [];
  for (const target of envs) {
    const promotion = target.config.promotion;
    if (!promotion) continue;
    const problem = (found: string, expected: string) =>
      problems.push({ file: target.file, path: 'promotion.from', found, expected });
    const source = envs.find((e) => e.name === promotion.from);
    if (!source)
      problem(
        JSON.stringify(promotion.from),
        `one of the other environments (${
          envs
            .filter((e) => e !== target)
            .map((e) => e.name)
            .join(', ') || 'none'
        })`,
      );
    else if (source === target) problem(JSON.stringify(promotion.from), 'another environment than this one');
    else if (source.config.app !== target.config.app)
      problem(`${source.name} (app ${source.config.app})`, `an environment of the same app (${target.config.app})`);
    else if (source.config.image.repository !== target.config.image.repository) {
      problem(
        `${source.name} (image ${source.config.image.repository})`,
        `an environment with the same image repository (${target.config.image.repository})`,
      );
    } else pipelines.push({ source, target, promotion });
  }
  return { pipelines, problems };
}

/** The source end of a pipeline, as the target environment's chart needs it to emit its Promotion. */
export interface PromotionSource {
  readonly env: string;
  readonly namespace: string;
}

/** The source end of the pipeline `env` is the target of, if any. */
export function promotionSourceOf(pipelines: readonly Pipeline[], env: string): PromotionSource | undefined {
  const p = pipelines.find((candidate) => candidate.target.name === env);
  return p && { env: p.source.name, namespace: p.source.config.namespace };
}

/** What the operator chart needs to know of each pipeline: which namespaces to grant. */
export function operatorPipelines(pipelines: readonly Pipeline[]): OperatorPipeline[] {
  return pipelines.map((p) => ({
    app: p.target.config.app,
    stagingNamespace: p.source.config.namespace,
    productionNamespace: p.target.config.namespace,
    smokeUrl: p.promotion.smokeUrl,
    ...(p.promotion.writeBack ? { gitSecret: p.promotion.writeBack.git.secretRef.name } : {}),
    ...(p.source.config.follow
      ? {
          follow: {
            secretName: p.source.config.follow.credentials?.secretName,
            gitSecret: p.source.config.follow.writeBack?.git.secretRef.name,
          },
        }
      : {}),
  }));
}
