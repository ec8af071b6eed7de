// The step runner behind check-app: named steps with dependencies, each ending in a pass or a failure with
// its exact reason. A step whose prerequisite failed is not run, and says which one; independent steps
// still run, so one broken probe does not hide the state of the rest of the app.

export type Outcome = 'pass' | 'FAIL' | 'not run';

export interface StepResult {
  id: string;
  title: string;
  outcome: Outcome;
  /** One line: what was seen (pass) or exactly what is wrong (FAIL). */
  reason: string;
  seconds: number;
  /** The tail of the app's output, for failures. */
  log?: string;
}

/** A failed check: `reason` goes into the table, `log` below it. */
export class CheckFailure extends Error {
  constructor(
    readonly reason: string,
    readonly log?: string,
  ) {
    super(reason);
  }
}

export interface Step<C> {
  id: string;
  title: string;
  /** Steps that must have passed first. */
  needs?: string[];
  /** Returns the pass reason; throws CheckFailure (or anything) to fail. */
  run(ctx: C): Promise<string>;
}

export async function runSteps<C>(
  steps: readonly Step<C>[],
  ctx: C,
  onResult: (result: StepResult) => void = () => undefined,
): Promise<StepResult[]> {
  const results = new Map<string, StepResult>();
  for (const step of steps) {
    const blocked = (step.needs ?? []).find((id) => results.get(id)?.outcome !== 'pass');
    let result: StepResult;
    if (blocked) {
      result = {
        id: step.id,
        title: step.title,
        outcome: 'not run',
        reason: `needs "${blocked}", which did not pass`,
        seconds: 0,
      };
    } else {
      const started = Date.now();
      try {
        const reason = await step.run(ctx);
        result = { id: step.id, title: step.title, outcome: 'pass', reason, seconds: (Date.now() - started) / 1000 };
      } catch (err) {
        const failure =
          err instanceof CheckFailure ? err : new CheckFailure(`error: ${(err as Error).message ?? String(err)}`);
        result = {
          id: step.id,
          title: step.title,
          outcome: 'FAIL',
          reason: failure.reason,
          seconds: (Date.now() - started) / 1000,
          log: failure.log,
        };
      }
    }
    results.set(step.id, result);
    onResult(result);
  }
  return [...results.values()];
}

/** kubectl-style: upper-case headers, three spaces between columns, the reason last and never cut. */
export function formatTable(results: readonly StepResult[]): string {
  const rows = [
    ['STEP', 'RESULT', 'TIME', 'REASON'],
    ...results.map((r) => [r.id, r.outcome, `${r.seconds.toFixed(1)}s`, r.reason.replace(/\s+/g, ' ').trim()]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join('   ')).join('\n');
}

/** The table, a verdict line, and the app output behind each failure. */
export function formatReport(results: readonly StepResult[]): string {
  const failed = results.filter((r) => r.outcome !== 'pass');
  const verdict = failed.length
    ? `FAIL: ${results.filter((r) => r.outcome === 'FAIL').length} failed, ${results.filter((r) => r.outcome === 'not run').length} not run, ${results.length - failed.length} passed`
    : `PASS: all ${results.length} steps passed`;
  const logs = results
    .filter((r) => r.outcome === 'FAIL' && r.log)
    .map((r) => `--- ${r.id}: app output (tail) ---\n${r.log!.trimEnd()}`);
  return [formatTable(results), '', verdict, ...(logs.length ? ['', ...logs] : [])].join('\n');
}
