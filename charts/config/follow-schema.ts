// An environment's `follow:` section: staging follows its image registry (an ImageFollow the operator
// reconciles; docs/registry-follow.md). The repository is the environment's image.repository.
import { z } from 'zod';
import { dnsSubdomain, integer } from './common-schema.js';
import { gitWriteBackSchema } from './writeback-schema.js';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const followConfigSchema = z
  .strictObject({
    /** Exactly one: a semver range, an RE2 regex (+ orderBy), or one mutable tag such as `latest`. */
    tags: z
      .strictObject({
        semver: z.string().min(1).optional(),
        regex: z.string().min(1).optional(),
        /** @default CreatedAt (regex only) */
        orderBy: z.enum(['CreatedAt', 'Alphabetical']).optional(),
        tag: z.string().regex(TAG, 'a tag such as latest').optional(),
      })
      .refine((t) => [t.semver, t.regex, t.tag].filter((x) => x !== undefined).length === 1, {
        message: 'set exactly one of semver, regex or tag',
      })
      .refine((t) => t.orderBy === undefined || t.regex !== undefined, { message: 'orderBy applies to regex only' }),
    /** A kubernetes.io/dockerconfigjson Secret in this namespace; the operator may get it and nothing else. @default anonymous */
    credentials: z.strictObject({ secretName: dnsSubdomain }).optional(),
    /** @default 300 */
    intervalSeconds: integer(10, 86_400).default(300),
    suspend: z.boolean().default(false),
    /** Staging moves by one commit to the rendered folder (docs/gitops.md), not by patching. @default none (direct apply) */
    writeBack: gitWriteBackSchema,
  })
  .optional();

export type FollowConfig = NonNullable<z.infer<typeof followConfigSchema>>;
