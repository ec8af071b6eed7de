// jest globalTeardown of the "cluster" project: stops every component, even after failures.
// Loaded through tsx for the reason given in global-setup.ts.
import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown(): Promise<void> {
  const lifecycle = await tsImport('./harness/lifecycle.ts', import.meta.url);
  await lifecycle.teardownCluster();
}
