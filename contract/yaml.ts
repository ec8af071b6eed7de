// The one YAML writer of dist/: synth renders every file with it, and the operator's Git write-back rewrites
// files with it, so a promoted image committed by the operator is byte-for-byte what synth would write.
import { stringify, type ScalarTag, type Tags } from 'yaml';

/**
 * kubectl, Argo CD and PyYAML read YAML 1.1, so the writer uses its schema and quotes strings such as `on`,
 * `yes` or `0777`. It would still write two strings plain that some reader takes for something else: a YAML
 * 1.2 octal (`0o17`, a number to kustomize's kyaml) and `<<` (the 1.1 merge key; the writer's own merge tag
 * writes the string `<<` as one, so it is left out). This tag never writes a value: the writer quotes any
 * plain string that some tag's `test` matches.
 */
const READ_OTHERWISE_ELSEWHERE: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  test: /^(0o[0-7]+|<<)$/,
  resolve: (s) => s,
  identify: () => false,
  default: true,
};

const customTags = (tags: Tags) => [
  ...tags.filter((t) => (t as ScalarTag).tag !== 'tag:yaml.org,2002:merge'),
  READ_OTHERWISE_ELSEWHERE,
];

/** One YAML document (no `---`) in the key order cdk8s gives, no line folding; ends in a newline. */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', customTags, lineWidth: 0 });
}
