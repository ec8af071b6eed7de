// The `promotion:` section of an environment file: makes that environment the target of a pipeline whose
// source is another environment. Example (environments/production.yaml):
//   promotion:
//     from: staging
//     approval: Manual
//     tags: { semver: ">=1.0.0 <2" }
import { PROMOTION_DEFAULTS } from '../../contract/index.js';
import { z } from 'zod';
import { gitWriteBackSchema } from './writeback-schema.js';

export const promotionConfigSchema = z.strictObject({
  /** The environment (file name) whose verified image is promoted into this one, e.g. `staging`. */
  from: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'an environment name (its file name)'),
  /** `Manual` waits for `ponyexpress approve`. @default Automatic */
  approval: z.enum(['Automatic', 'Manual']).default(PROMOTION_DEFAULTS.approval),
  /** Promotable tags; other tags are ignored with a condition saying so. @default every tag */
  tags: z
    .strictObject({ semver: z.string().min(1).optional(), regex: z.string().min(1).optional() })
    .refine((t) => (t.semver === undefined) !== (t.regex === undefined), 'exactly one of semver or regex')
    .optional(),
  /** Staging pods must stay Ready without restarts this long. @default 300 */
  soakSeconds: z.number().int().min(0).max(86_400).default(PROMOTION_DEFAULTS.soakSeconds),
  /** A GET that must answer 2xx before the image counts as verified, e.g. the staging web Service. @default none */
  smokeUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** A rollout wave not complete after this long fails the promotion. @default 600 */
  rolloutTimeoutSeconds: z.number().int().min(30).max(86_400).default(PROMOTION_DEFAULTS.rolloutTimeoutSeconds),
  /** Entries kept in status.history (rollback targets). @default 10 */
  historyLimit: z.number().int().min(1).max(100).default(PROMOTION_DEFAULTS.historyLimit),
  /** Stops the operator for this pipeline. @default false */
  suspend: z.boolean().default(PROMOTION_DEFAULTS.suspend),
  /**
   * Git write-back (docs/gitops.md): each promotion is one commit to the rendered folder `path` of `url`, with
   * credentials from the Secret `secretRef` in this environment's namespace. @default none (direct apply)
   */
  writeBack: gitWriteBackSchema,
});

export type PromotionConfig = z.infer<typeof promotionConfigSchema>;
