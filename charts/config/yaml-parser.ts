import { createRequire } from 'node:module';

// cdk8s bundles its own copy of `yaml` (2.x, like ours) and loads it on every synth. Resolving `yaml` from
// cdk8s's folder reuses that copy instead of loading a second one (72 modules, about 30 ms of start-up).
// If cdk8s ever stops bundling it, the same lookup walks up to our own `yaml` dependency; if the bundled copy
// is not the API we expect, ours is used. The environment loader parses with it and the operator chart writes with it.
const requireHere = createRequire(import.meta.url);
const requireFromCdk8s = createRequire(requireHere.resolve('cdk8s'));
const bundled = requireFromCdk8s('yaml') as Partial<typeof import('yaml')>;
const yaml = (typeof bundled.LineCounter === 'function' && typeof bundled.parseDocument === 'function' && typeof bundled.stringify === 'function'
  ? bundled : requireHere('yaml')) as typeof import('yaml');

export const { LineCounter, parseDocument, stringify } = yaml;
