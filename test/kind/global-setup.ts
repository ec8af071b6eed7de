// jest globalSetup of the "kind" project: starts the kind bring-up in the background (background.ts) and
// returns, so the other projects' tests run meanwhile; the kind files run last (test/sequencer.js) and wait
// for it. Loaded through tsx like test/container/global-setup.ts. A Docker failure fails the kind tests.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup(): Promise<void> {
  const { startBringUp } = await tsImport('./background.ts', import.meta.url);
  startBringUp();
}
