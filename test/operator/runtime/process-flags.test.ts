// The operator's V8 flags, run the way its chart runs them (OPERATOR_COMMAND): a young-generation collection
// never waits on V8's helper threads, which a busy node's other processes may have descheduled.
import { spawnSync } from 'node:child_process';
import { OPERATOR_NODE_FLAGS, OPERATOR_PROCESS_ENV } from '../../../contract/index.js';

/** Allocates 2,000 batches of short-lived objects under the operator's flags; one nvp trace line per collection. */
function traceCollections(flags: readonly string[]): Record<string, string>[] {
  const churn =
    'let keep = []; for (let i = 0; i < 2000; i++) { const b = []; for (let j = 0; j < 2000; j++) b.push({ j, s: "x" + j });' +
    ' keep.push(b); if (keep.length > 20) keep.shift(); }';
  const run = spawnSync(process.execPath, [...flags, '--trace-gc-nvp', '-e', churn], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...OPERATOR_PROCESS_ENV },
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  return run.stdout
    .split('\n')
    .filter((l) => l.includes(' gc=s '))
    .map((l) => Object.fromEntries(l.split(' ').map((kv) => kv.split('='))));
}

describe("the operator's node command", () => {
  it('scavenges on the main thread alone: no helper-thread time in any young collection', () => {
    const withFlags = traceCollections(OPERATOR_NODE_FLAGS);
    expect(withFlags.length).toBeGreaterThan(20);
    const helped = withFlags.filter((c) => Number(c['background.scavenge.parallel']) > 0);
    expect({ collections: withFlags.length, helped: helped.length }).toEqual({
      collections: withFlags.length,
      helped: 0,
    });
  });

  it("runs one V8 helper thread, the collector's concurrent marker, where Node starts four", () => {
    // Thread names from /proc (Linux): Node's platform workers are "V8Worker".
    const threads =
      "const fs = require('fs'); console.log(fs.readdirSync('/proc/self/task').map((t) => fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim()).join(','))";
    const run = spawnSync(process.execPath, [...OPERATOR_NODE_FLAGS, '-e', threads], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...OPERATOR_PROCESS_ENV },
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(
      run.stdout
        .trim()
        .split(',')
        .filter((name) => name === 'V8Worker'),
    ).toEqual(['V8Worker']);
  });
});
