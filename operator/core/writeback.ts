// Git write-back, the decision: given the folder at the branch head, what the operator last committed and
// the image to promote (or roll back to), either commit, do nothing (Git already says so), or hold because a
// human changed a managed image. It never writes over a human's commit: that is drift, and automation holds
// until a human resolves it (promotes, rolls back, or sets Git back). Pure.
import { managedImages, rewriteImages, type Files } from './gitops-files.js';
import { parseImageRef } from './naming.js';

export interface WriteBackInput {
  /** Who commits: the Promotion (production) or the ImageFollow (staging), `<namespace>/<name>`. */
  by: { kind: 'Promotion' | 'ImageFollow'; name: string };
  app: string;
  repository: string;
  components: readonly string[];
  /** The reference to commit (`repo@sha256:…`) and the tag it was verified under. */
  image: string;
  tag?: string;
  purpose: 'Promotion' | 'Rollback' | 'Follow';
  /** The image the operator last committed or saw committed (status.production.image); Git may say only this. */
  expected?: string;
  /** The migration Job that already succeeded for `image` (the gate; absent for a rollback). */
  migratedBy?: string;
}

export type WriteBackDecision =
  | { kind: 'commit'; changes: Record<string, string | null>; message: string; jobName?: string }
  | { kind: 'upToDate' }
  | { kind: 'drift'; component: string; found: string; message: string };

const same = (a: string, b: string) => {
  const x = parseImageRef(a);
  const y = parseImageRef(b);
  if (!x || !y || x.repository !== y.repository) return a === b;
  if (x.digest && y.digest) return x.digest === y.digest;
  return !x.digest && !y.digest && x.tag === y.tag;
};

export function decideWriteBack(files: Files, input: WriteBackInput): WriteBackDecision {
  const images = managedImages(files, input.components);
  const workloads = input.components.filter((c) => images[c] !== undefined);
  if (workloads.length > 0 && workloads.every((c) => same(images[c], input.image))) return { kind: 'upToDate' };
  if (input.expected !== undefined) {
    for (const component of workloads) {
      const found = images[component];
      if (!same(found, input.expected) && !same(found, input.image))
        return {
          kind: 'drift',
          component,
          found,
          message: `Git says ${component} runs ${found}, not ${input.expected} as the operator last committed: a commit by someone else changed a managed image; automation holds (promote, roll back or set Git back to resolve)`,
        };
    }
  }
  const { changes, jobName } = rewriteImages(files, input);
  return { kind: 'commit', changes, message: commitMessage(input, jobName), ...(jobName ? { jobName } : {}) };
}

/** First line names app, tag and digest; trailers (git interpret-trailers format) say what and why. */
export function commitMessage(input: WriteBackInput, jobName?: string): string {
  const digest = parseImageRef(input.image)?.digest;
  const verb = { Promotion: 'Promote', Rollback: 'Roll back', Follow: 'Follow' }[input.purpose];
  const what = [input.tag, digest?.slice(0, 19)].filter(Boolean).join(' ') || input.image;
  const trailers = [
    `${input.by.kind}: ${input.by.name}`,
    `Image: ${input.image}`,
    ...(digest ? [`Digest: ${digest}`] : []),
    ...(input.tag ? [`Tag: ${input.tag}`] : []),
    `Purpose: ${input.purpose}`,
    ...(input.migratedBy ? [`Migrated-By: ${input.migratedBy}`] : []),
    ...(jobName ? [`Migration-Job: ${jobName}`] : []),
  ];
  return `${verb} ${input.app} to ${what}\n\n${trailers.join('\n')}\n`;
}
