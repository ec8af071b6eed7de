// jest globalSetup of the "kind" project: a kind cluster with everything deployed on the first release.
// Loaded through tsx like test/container/global-setup.ts. Fails (never skips) when Docker cannot start.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup(): Promise<void> {
  const { bringUp } = await tsImport('./bring-up.ts', import.meta.url);
  bringUp();
}
