// Pure-core benchmark (issue 12 item 2): how long one reconcile blocks the event loop when a tenant's tag
// policy is the hostile `([0-9]+\.?)+` and staging's tag is thirty `1`s + `-rc`. Prints, asserts nothing:
//   npx tsx bench/core-reconcile.ts [--runs 200]
// For contrast it times the backtracking engine (JS RegExp) on shorter inputs: each extra digit doubles it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { reconcile } from '../operator/core/plan.js';
import { worldWithB } from '../test/operator/core/world.js';

const HOSTILE = '([0-9]+\\.?)+';
const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 200;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const world = worldWithB({ spec: { policy: { tags: { regex: HOSTILE } } } });
world.setStaging(`${'1'.repeat(30)}-rc`, { readySince: 0 });
const observed = world.observe();
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const times: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const start = performance.now();
  const plan = reconcile(observed);
  times.push(performance.now() - start);
  if (plan.actions.length) throw new Error('the hostile tag must not be promoted');
  await new Promise((r) => setImmediate(r)); // let the histogram see each reconcile as one block
}
histogram.disable();
console.log(
  `reconcile, hostile regex + 30 digits: median ${median(times).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms over ${RUNS} runs`,
);
console.log(
  `event-loop delay: max ${(histogram.max / 1e6).toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms (target <= 50 ms)`,
);
for (const digits of [18, 20, 22]) {
  const start = performance.now();
  new RegExp(`^(?:${HOSTILE})$`).test(`${'1'.repeat(digits)}-rc`);
  console.log(`contrast, JS RegExp (backtracking) with ${digits} digits: ${(performance.now() - start).toFixed(1)} ms`);
}
