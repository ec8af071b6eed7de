// Git write-back settings (docs/gitops.md), one home for both writers: a Promotion's production commits
// (`promotion.writeBack`) and an ImageFollow's staging commits (`follow.writeBack`). The CRD side is the
// Promotion CRD's `spec.writeBack` fragment, grafted into the ImageFollow CRD (charts/operator/crds.ts).
import { z } from 'zod';

export const gitWriteBackSchema = z
  .strictObject({
    git: z.strictObject({
      url: z.string().min(1),
      branch: z.string().min(1).default('main'),
      path: z.string(),
      secretRef: z.strictObject({ name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Secret name') }),
      author: z.strictObject({ name: z.string().min(1), email: z.string().min(1) }).optional(),
    }),
  })
  .optional();

export type GitWriteBackConfig = NonNullable<z.infer<typeof gitWriteBackSchema>>;
