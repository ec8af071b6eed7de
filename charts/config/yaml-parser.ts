import { createRequire } from 'node:module';

// cdk8s bundles its own copy of `yaml` (2.x, like ours) and loads it on every synth. Resolving `yaml` from
// cdk8s's folder reuses that copy instead of loading a second one (72 modules, about 30 ms of start-up).
// If cdk8s ever stops bundling it, the same lookup walks up to our own `yaml` dependency. The environment
// loader parses with it and the operator chart writes with it.
const requireFromCdk8s = createRequire(createRequire(import.meta.url).resolve('cdk8s'));

export const { LineCounter, parseDocument, stringify } = requireFromCdk8s('yaml') as typeof import('yaml');
