// Specs the apiserver must reject, each with the message it must give. Shared by the static CRD test
// (unit) and any test that applies them to a real apiserver (cluster project).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const CRD_PATH = new URL('../../../operator/crd/promotions.ponyexpress.dev.yaml', import.meta.url);
export const EXAMPLE_PATH = new URL('../../../operator/crd/example-promotion.yaml', import.meta.url);

type Mutable = Record<string, any>;

export function examplePromotion(): Mutable {
  return parse(readFileSync(EXAMPLE_PATH, 'utf8')) as Mutable;
}

export interface BadSpec {
  name: string;
  mutate: (promotion: Mutable) => void;
  /** A substring of the apiserver's error. */
  message: string;
}

export const BAD_SPECS: BadSpec[] = [
  {
    name: 'missing imageRepository',
    mutate: (p) => delete p.spec.imageRepository,
    message: 'spec.imageRepository: Required value',
  },
  {
    name: 'imageRepository with a tag',
    mutate: (p) => (p.spec.imageRepository = 'ghcr.io/acme/shop:1.0'),
    message: 'imageRepository must be a lower-case repository without tag or digest',
  },
  {
    name: 'same source and target namespace',
    mutate: (p) => (p.spec.target.namespace = p.spec.source.namespace),
    message: 'target.namespace must differ from source.namespace',
  },
  {
    name: 'both semver and regex',
    mutate: (p) => (p.spec.policy.tags = { semver: '^1', regex: '.*' }),
    message: 'policy.tags must set exactly one of semver or regex',
  },
  {
    name: 'neither semver nor regex',
    mutate: (p) => (p.spec.policy.tags = {}),
    message: 'policy.tags must set exactly one of semver or regex',
  },
  {
    name: 'unknown approval',
    mutate: (p) => (p.spec.policy.approval = 'Sometimes'),
    message: 'Unsupported value: "Sometimes"',
  },
  { name: 'empty waves', mutate: (p) => (p.spec.target.waves = []), message: 'spec.target.waves: Invalid value: 0' },
  {
    name: 'an empty wave',
    mutate: (p) => (p.spec.target.waves = [['web', 'worker'], []]),
    message: 'spec.target.waves[1]: Invalid value: 0',
  },
  {
    name: 'unknown component',
    mutate: (p) => (p.spec.target.waves = [['web', 'cron']]),
    message: 'Unsupported value: "cron"',
  },
  {
    name: 'beat before the others',
    mutate: (p) => (p.spec.target.waves = [['beat'], ['web', 'worker']]),
    message: 'beat must be alone in the last wave',
  },
  {
    name: 'beat with worker',
    mutate: (p) => (p.spec.target.waves = [['web'], ['worker', 'beat']]),
    message: 'beat must be alone in the last wave',
  },
  {
    name: 'a component twice',
    mutate: (p) => (p.spec.target.waves = [['web'], ['web', 'worker']]),
    message: 'waves must name each component at most once',
  },
  { name: 'empty selector', mutate: (p) => (p.spec.source.selector = {}), message: 'selector must not be empty' },
  {
    name: 'negative soak',
    mutate: (p) => (p.spec.source.soakSeconds = -1),
    message: 'spec.source.soakSeconds: Invalid value: -1',
  },
  {
    name: 'smoke URL that is not http(s)',
    mutate: (p) => (p.spec.source.smokeUrl = 'ftp://x'),
    message: 'spec.source.smokeUrl',
  },
  {
    name: 'template without containers',
    mutate: (p) => (p.spec.target.migrationJobTemplate = { template: { spec: {} } }),
    message: 'spec.target.migrationJobTemplate.template.spec.containers: Required value',
  },
  { name: 'bad namespace', mutate: (p) => (p.spec.target.namespace = 'Prod_NS'), message: 'spec.target.namespace' },
  {
    name: 'regex with a backreference',
    mutate: (p) => (p.spec.policy.tags = { regex: '([0-9]+)\\.\\1' }),
    message: 'regex must be RE2 - backreferences',
  },
  {
    name: 'regex with a lookaround',
    mutate: (p) => (p.spec.policy.tags = { regex: 'v(?!0)[0-9.]+' }),
    message: 'regex must be RE2 - lookarounds',
  },
  {
    name: 'unknown drift policy',
    mutate: (p) => (p.spec.policy.drift = 'Ignore'),
    message: 'Unsupported value: "Ignore"',
  },
  { name: 'historyLimit 0', mutate: (p) => (p.spec.historyLimit = 0), message: 'spec.historyLimit: Invalid value: 0' },
];
