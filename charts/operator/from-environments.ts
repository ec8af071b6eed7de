// dist/operator/ from the environment files: every environment with a `promotion:` section is a pipeline
// whose namespaces the operator is granted.
import { loadEnvironments } from '../config/load.js';
import { operatorSettingsSchema } from '../config/operator-schema.js';
import { operatorPipelines, resolvePipelines } from '../promotion-config.js';
import { synthesizeOperator } from './render.js';

export interface OperatorSynthOptions {
  /** @default environments */
  readonly configDir?: string;
  /** The chart goes to `<outDir>/operator/`. @default dist */
  readonly outDir?: string;
}

/** Writes dist/operator/; returns undefined (writing nothing) when no environment promotes from another. */
export function synthesizeOperatorForEnvironments(opts: OperatorSynthOptions = {}): { dir: string; files: string[] } | undefined {
  const envs = loadEnvironments(opts.configDir ?? 'environments');
  const pipelines = operatorPipelines(resolvePipelines(envs).pipelines);
  if (pipelines.length === 0) return undefined;
  return synthesizeOperator({ pipelines, settings: operatorSettingsSchema.parse({}) }, opts.outDir);
}
