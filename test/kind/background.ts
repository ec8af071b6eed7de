// The kind bring-up as a background process, so the other projects' tests run while it builds and deploys
// (a cold run builds the node image's Go binaries here: about 25 min on 2 cores). globalSetup starts it and
// returns; each kind test file awaits it (setup-file.ts); globalTeardown stops it if it is still running.
// It runs at nice 19, so its builds take only the CPU the other tests leave idle.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../../checkapp/services/pid.js';
import { REPO_ROOT, WORK } from './kind-env.js';

/** The bring-up's files in WORK: its output, its process id and its result. */
export const FILES = {
  log: join(WORK, 'bring-up.log'),
  pid: join(WORK, 'bring-up.pid'),
  result: join(WORK, 'bring-up.json'),
};
const { log: LOG, pid: PID, result: RESULT } = FILES;
/** Written once the first kind file has shown the bring-up's timings (each file runs in its own module registry). */
const SHOWN = join(WORK, 'bring-up.shown');

interface Result {
  ok: boolean;
  seconds: number;
  error?: string;
}

/** Starts `bring-up-run.ts` detached, its output in WORK/bring-up.log. */
export function startBringUp(): void {
  mkdirSync(WORK, { recursive: true });
  stopBringUp();
  rmSync(RESULT, { force: true });
  rmSync(SHOWN, { force: true });
  const log = openSync(LOG, 'w');
  const child = spawn(
    'nice',
    ['-n', '19', process.execPath, '--import', 'tsx', join(REPO_ROOT, 'test/kind/bring-up-run.ts')],
    { cwd: REPO_ROOT, detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  writeFileSync(PID, String(child.pid));
  process.stderr.write(`[kind] bring-up started in the background (pid ${child.pid}, log: ${LOG})\n`);
}

/** Called by bring-up-run.ts when bringUp() returns or throws. */
export function recordResult(result: Result): void {
  writeFileSync(RESULT, JSON.stringify(result));
}

const runningPid = () => {
  const pid = existsSync(PID) ? Number(readFileSync(PID, 'utf8')) : 0;
  return pid > 0 && processAlive(pid) ? pid : 0;
};
const logTail = (lines: number) =>
  existsSync(LOG) ? readFileSync(LOG, 'utf8').trim().split('\n').slice(-lines).join('\n') : '(no log)';

/** Resolves when the bring-up succeeded; throws with its error and log tail when it failed or died. */
export async function awaitBringUp(): Promise<void> {
  const started = Date.now();
  let announced = false;
  while (!existsSync(RESULT)) {
    // The result is written just before the process exits: look once more before calling it lost.
    if (!runningPid() && !existsSync(RESULT)) {
      throw new Error(`the kind bring-up stopped without a result (log: ${LOG}):\n${logTail(40)}`);
    }
    if (!announced) process.stderr.write(`[kind] waiting for the background bring-up (log: ${LOG})\n`);
    announced = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const result = JSON.parse(readFileSync(RESULT, 'utf8')) as Result;
  if (!result.ok) throw new Error(`the kind bring-up failed after ${result.seconds} s (log: ${LOG}):\n${result.error}`);
  if (existsSync(SHOWN)) return;
  writeFileSync(SHOWN, '');
  // Its step and build timings, as they would have shown had it run in the foreground.
  const steps = readFileSync(LOG, 'utf8')
    .split('\n')
    .filter((l) => /^(\[kind\] |\[images|built |building )/.test(l));
  process.stderr.write(
    `${steps.join('\n')}\n[kind] bring-up took ${result.seconds} s; the kind tests waited ${((Date.now() - started) / 1000).toFixed(0)} s for it\n`,
  );
}

/** Stops a bring-up that is still running (its whole process group: the scripts, builds and kubectl waits). */
export function stopBringUp(): void {
  const pid = runningPid();
  if (!pid) return;
  process.stderr.write(`[kind] stopping the unfinished bring-up (pid ${pid})\n`);
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // Gone in between.
  }
}
