// jest globalSetup of the "container" project: a Docker engine and the two images, built once per run.
// Loaded through tsx like test/cluster/global-setup.ts (Node's loader does not map .js specifiers to .ts).
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup(): Promise<void> {
  const images = await tsImport('./images.ts', import.meta.url);
  const built = images.buildImages();
  process.env.PONYEXPRESS_TEST_APP_IMAGE = built.app;
  process.env.PONYEXPRESS_TEST_OPERATOR_IMAGE = built.operator;
}
