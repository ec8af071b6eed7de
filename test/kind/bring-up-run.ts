// The background bring-up's process (started by background.ts): bringUp(), then its result for the tests.
import { recordResult } from './background.js';
import { bringUp } from './bring-up.js';

const started = Date.now();
const seconds = () => Math.round((Date.now() - started) / 1000);
try {
  bringUp();
  recordResult({ ok: true, seconds: seconds() });
} catch (error) {
  recordResult({ ok: false, seconds: seconds(), error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
