import type { Extras } from '../../checkapp/extras.js';
import { CheckFailure } from '../../checkapp/steps.js';
import { query } from '../../checkapp/services/sql.js';

/** The one deliberate deviation for example/: beat ticks every few seconds instead of every minute. */
export const EXAMPLE_TICK_SECONDS = 3;
export const exampleExtraEnv = { beat: { PONYSHOP_TICK_INTERVAL_SECONDS: String(EXAMPLE_TICK_SECONDS) } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WARM_ROWS = "SELECT id, finished_at IS NOT NULL FROM shop_tick WHERE source = 'warm-shutdown'";

/** What only example/ can prove: its migration, its index page, its tick table and its slow task. */
export const exampleExtras: Extras = {
  indexAnswers200: true,
  migrationApplied: /Applying shop\.0001_initial\.\.\. OK/,
  ticks: {
    periodSeconds: EXAMPLE_TICK_SECONDS,
    async verify(pg, ranSeconds) {
      const period = EXAMPLE_TICK_SECONDS;
      const starts = (
        await query(
          pg,
          "SELECT extract(epoch FROM started_at) FROM shop_tick WHERE source = 'beat' ORDER BY started_at",
        )
      ).map(([epoch]) => Number(epoch));
      const gaps = starts.slice(1).map((t, i) => t - starts[i]);
      // One per period: never two in one period (a second beat, a redelivery), never a skipped period, and
      // still ticking now. Counted from the first tick: how long beat takes to start is the startup's business.
      const badGaps = gaps.filter((gap) => gap <= period * 0.5 || gap >= period * 1.5);
      const sinceLast = Date.now() / 1000 - (starts.at(-1) ?? 0);
      if (
        starts.length < Math.min(3, Math.floor(ranSeconds / period) - 1) ||
        badGaps.length ||
        sinceLast > period * 1.5 + 2
      )
        throw new CheckFailure(
          `extra: ${starts.length} ticks in ${ranSeconds}s, gaps ${gaps.map((g) => g.toFixed(1)).join(',')}, last ${sinceLast.toFixed(1)}s ago (expected one every ${period}s)`,
        );
      await sleep(1_000);
      const [[unfinished]] = await query(
        pg,
        "SELECT count(*) FROM shop_tick WHERE source = 'beat' AND finished_at IS NULL",
      );
      if (Number(unfinished) > 1) throw new CheckFailure(`extra: ${unfinished} ticks never finished`);
    },
  },
  warmShutdown: {
    async start(worker, pg) {
      const code = `import django; django.setup(); from shop.tasks import record_tick; record_tick.delay(source="warm-shutdown", work_seconds=6)`;
      const enqueue = await worker.exec('worker', ['python', '-c', code], 60_000);
      if (enqueue.code !== 0) throw new CheckFailure(`extra: enqueue failed: ${enqueue.output}`);
      const deadline = Date.now() + 30_000;
      while ((await query(pg, WARM_ROWS)).length === 0 && Date.now() < deadline) await sleep(200);
      const rows = await query(pg, WARM_ROWS);
      if (rows.length !== 1 || rows[0][1] !== 'f')
        throw new CheckFailure(`extra: the slow task is not running: ${JSON.stringify(rows)}`);
    },
    async verify(pg) {
      const rows = await query(pg, WARM_ROWS);
      if (rows.length !== 1 || rows[0][1] !== 't')
        throw new CheckFailure(
          `extra: the running task did not finish before the worker exited: ${JSON.stringify(rows)}`,
        );
    },
  },
};
