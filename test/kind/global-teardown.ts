// Stops an unfinished bring-up, then deletes the kind cluster and its registry, unless PONYEXPRESS_KEEP_KIND=1
// (then the next run reuses them).
import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown(): Promise<void> {
  const env = await tsImport('./kind-env.ts', import.meta.url);
  const { stopBringUp } = await tsImport('./background.ts', import.meta.url);
  stopBringUp();
  if (env.KEEP) {
    process.stderr.write(`[kind] PONYEXPRESS_KEEP_KIND=1: keeping kind cluster ${env.CLUSTER} and its registry\n`);
    return;
  }
  const { tearDown } = await tsImport('./bring-up.ts', import.meta.url);
  tearDown();
}
