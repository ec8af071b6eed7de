// The longest gap between two of the loop's 20 ms ticks, split into the loop's own CPU, its wait for a
// CPU another process held, and the rest: so a long event-loop delay on a shared machine can be told
// from the operator blocking its own loop. Linux only (/proc/thread-self/schedstat, taskset).
import { execFileSync, spawn } from 'node:child_process';
import { LoopMetrics, TICK_GAP_PARTS } from '../../../operator/runtime/loop-metrics.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** This thread's CPU time so far, user and kernel, in microseconds. */
const cpu = () => {
  const { user, system } = process.threadCpuUsage();
  return user + system;
};

function gap(m: LoopMetrics) {
  const text = m.tickGapMax.render() + m.tickGapMaxParts.render();
  const read = (re: RegExp) => Number(text.match(re)?.[1]) * 1000;
  const parts = Object.fromEntries(
    TICK_GAP_PARTS.map((p) => [p, read(new RegExp(`_part_seconds\\{part="${p}"\\} (\\S+)`))]),
  ) as Record<(typeof TICK_GAP_PARTS)[number], number>;
  return { ms: read(/^ponyexpress_event_loop_tick_gap_max_seconds (\S+)$/m), ...parts };
}

describe('the event loop: where its longest gap went', () => {
  it('counts the time the loop waited for a CPU that other processes held', async () => {
    // This thread and two spinning processes on one CPU: the thread gets about a third of it.
    const pid = String(process.pid);
    const mask = execFileSync('taskset', ['-p', pid]).toString().trim().split(': ')[1];
    const one = execFileSync('taskset', ['-cp', pid]).toString().trim().split(': ')[1].split(/[,-]/)[0];
    execFileSync('taskset', ['-p', '-c', one, pid]); // without -a: this (the main) thread only
    const spinners = [1, 2].map(() =>
      spawn('taskset', ['-c', one, process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' }),
    );
    const m = new LoopMetrics();
    try {
      await sleep(300); // the spinners are running
      for (const end = cpu() + 60_000; cpu() < end;); // 60 ms of this thread's CPU
      await sleep(60);
    } finally {
      for (const s of spinners) s.kill('SIGKILL');
      execFileSync('taskset', ['-p', mask, pid]);
    }
    const g = gap(m);
    expect(g.cpu).toBeGreaterThan(50);
    // About 120 ms, twice its own CPU: the spinners held the CPU two thirds of the time.
    expect(g.runqueue).toBeGreaterThan(g.cpu * 1.3);
    expect(g.ms).toBeGreaterThanOrEqual(g.cpu + g.runqueue - 5);
  });

  it('tells a loop blocked off the CPU from one that is busy or waiting for a CPU', async () => {
    const m = new LoopMetrics();
    await sleep(60);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // a blocking call, as a sync write to a full pipe
    await sleep(60);
    const g = gap(m);
    expect(g.ms).toBeGreaterThan(95);
    expect(g.other).toBeGreaterThan(80);
    expect(g.cpu).toBeLessThan(15);
  });
});
