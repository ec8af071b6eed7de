// jest globalSetup of the "cluster" project: one control plane per test run (harness/lifecycle.ts).
// jest loads this file with Node's own loader, which strips types but does not map the `.js`
// import specifiers of our TypeScript sources to `.ts` files; tsx does, so it loads the rest.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup(): Promise<void> {
  const lifecycle = await tsImport('./harness/lifecycle.ts', import.meta.url);
  await lifecycle.setupCluster();
}
