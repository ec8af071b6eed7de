import { createRequire } from 'node:module';
import type * as Zod from 'zod';

// zod through its CommonJS build. `npm run synth` runs under tsx, whose ESM loader hooks cost about 2 ms for
// each of the ~95 files of zod's ESM build; `require` takes tsx's much cheaper CommonJS path (about 50 ms less
// per synth, docs/charts.md). Every chart module imports zod from here, so one copy of zod is ever loaded.
export const z = (createRequire(import.meta.url)('zod') as typeof Zod).z;

/** The type helpers the schemas use (`z.infer<typeof schema>`), next to the value `z`. */
export declare namespace z {
  export type infer<T extends Zod.ZodType> = Zod.infer<T>;
}
