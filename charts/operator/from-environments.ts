// dist/operator/ from the environment files: every environment with a `promotion:` section is a pipeline
// whose namespaces the operator is granted.
import { loadEnvironments } from '../config/load.js';
import { operatorPipelines, resolvePipelines } from '../promotion-config.js';
import type { OperatorChartProps } from './props.js';
import { synthesizeOperator } from './render.js';

export interface OperatorSynthOptions {
  /** @default environments */
  readonly configDir?: string;
  /** The chart goes to `<outDir>/operator/`. @default dist */
  readonly outDir?: string;
  /** Image, replicas, API server CIDRs… @default the chart's defaults */
  readonly chart?: Omit<OperatorChartProps, 'pipelines'>;
}

/** Writes dist/operator/; returns undefined (writing nothing) when no environment promotes from another. */
export function synthesizeOperatorForEnvironments(opts: OperatorSynthOptions = {}): { dir: string; files: string[] } | undefined {
  const envs = loadEnvironments(opts.configDir ?? 'environments');
  const pipelines = operatorPipelines(resolvePipelines(envs).pipelines);
  if (pipelines.length === 0) return undefined;
  return synthesizeOperator({ ...opts.chart, pipelines }, opts.outDir);
}
