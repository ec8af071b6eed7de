// The operator's V8 flags, run the way its chart runs them (OPERATOR_COMMAND, OPERATOR_PROCESS_ENV): a young
// collection never waits on V8's helper threads, which a busy node's other processes may have descheduled;
// one helper thread; and V8's own memory reducer gives the heap back once the process is quiet.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it("runs V8's own memory reducer once it goes quiet after a busy spell, no gc() asked for", () => {
    // A cache of 60,000 pod-sized objects, replaced for 5 s as watch events replace them (parsed, the old
    // copy garbage), then a quiet 100 ms timer. V8's memory reducer marks the heap incrementally and
    // compacts it, its collections flagged ALL_EXTERNAL_MEMORY; by default it never runs in Node, which
    // V8 counts as a foreground isolate whose allocation rate stays "high" (docs/operator-runtime.md).
    const child = [
      'import { PerformanceObserver, constants as C } from "node:perf_hooks";',
      'const mk = (i, v) => ({ name: "pod-" + i, namespace: "ns-" + (i % 1000), labels: { app: "a" + (i % 500), v: String(v) },',
      '  status: { phase: "Running", conditions: [{ type: "Ready", status: "True", at: new Date().toISOString() }] },',
      '  resourceVersion: String(v * 1e5 + i), image: "registry.example/app@sha256:" + String(v).padStart(64, "0") });',
      'const cache = new Map(); for (let i = 0; i < 60000; i++) cache.set(i, mk(i, 0));',
      'let v = 1; const until = Date.now() + 5000;',
      'while (Date.now() < until) for (let k = 0; k < 1000; k++) { const i = (k * 7919 + v) % 60000; cache.set(i, JSON.parse(JSON.stringify(mk(i, v++)))); }',
      'const busy = process.memoryUsage().heapTotal; const quietSince = Date.now(); let reduced;',
      'new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.flags & C.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY) reduced ??= Date.now() - quietSince; }).observe({ entryTypes: ["gc"] });',
      'const t = setInterval(() => { cache.set(1, mk(1, v++)); if (reduced === undefined && Date.now() - quietSince < 30000) return;',
      '  clearInterval(t); console.log(JSON.stringify({ reducedAfterMs: reduced ?? null, busy, quiet: process.memoryUsage().heapTotal })); }, 100);',
    ].join('\n');
    // From a module file, as the operator runs (under `-e` the reducer ran even without the operator's flags).
    const dir = mkdtempSync(join(tmpdir(), 'px-reducer-'));
    writeFileSync(join(dir, 'child.mjs'), child);
    const run = spawnSync(process.execPath, [...OPERATOR_NODE_FLAGS, join(dir, 'child.mjs')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...OPERATOR_PROCESS_ENV },
      timeout: 60_000,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.stderr).toBe('');
    const { reducedAfterMs, busy, quiet } = JSON.parse(run.stdout) as Record<string, number | null>;
    const MiB = (n: number | null) => `${((n ?? 0) / 2 ** 20).toFixed(1)} MiB`;
    const heap = `heap ${MiB(busy)} when busy, ${MiB(quiet)} after`;
    // null: no memory-reducing collection within 30 s of quiet.
    expect({ heap, reduced: reducedAfterMs !== null }).toEqual({ heap, reduced: true });
    expect(quiet).toBeLessThan(busy!);
  }, 60_000);

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
