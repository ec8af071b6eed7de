// The background bring-up's hand-over to the kind files (background.ts), without Docker: a bring-up that
// failed, one that died without a word, one still running, and teardown's stop. Part of the unit project.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

// kind-env.ts reads the cluster name at import: a scratch WORK of our own, never the kind project's.
process.env.PONYEXPRESS_KIND_CLUSTER = `px-unit-${process.pid}`;
let bg: typeof import('./background.js');
let work: string;

beforeAll(async () => {
  bg = await import('./background.js');
  work = (await import('./kind-env.js')).WORK;
  mkdirSync(work, { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const reset = () => Object.values(bg.FILES).forEach((f) => rmSync(f, { force: true }));
const deadPid = () => spawnSync('true').pid;

test('a failed bring-up fails the kind file with its own error', async () => {
  reset();
  bg.recordResult({
    ok: false,
    seconds: 12,
    error: 'the kind tests need a Docker engine, and none could be started here',
  });
  await expect(bg.awaitBringUp()).rejects.toThrow(/failed after 12 s .*\n.*need a Docker engine/);
});

test('a bring-up that died without a result fails the kind file with its log tail', async () => {
  reset();
  writeFileSync(bg.FILES.pid, String(deadPid()));
  writeFileSync(bg.FILES.log, 'building containerd ...\nsignal: killed\n');
  await expect(bg.awaitBringUp()).rejects.toThrow(/stopped without a result .*\n(.|\n)*signal: killed/);
});

test('a running bring-up is waited for, and its success lets the file start', async () => {
  reset();
  const sleeper = spawn('sleep', ['30']);
  writeFileSync(bg.FILES.pid, String(sleeper.pid));
  writeFileSync(bg.FILES.log, '[kind] scripts/kind/01-create-cluster.sh: 30.0 s\n');
  let done = false;
  const waiting = bg.awaitBringUp().then(() => (done = true));
  await new Promise((r) => setTimeout(r, 300));
  expect(done).toBe(false);
  bg.recordResult({ ok: true, seconds: 31 });
  await waiting;
  sleeper.kill();
});

test('teardown stops an unfinished bring-up with its whole process group', async () => {
  reset();
  // A leader that waits on a child, as bring-up-run.ts waits on its scripts and builds.
  const leader = spawn('bash', ['-c', 'sleep 30 & echo $!; wait'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const child = Number(await new Promise<string>((r) => leader.stdout.once('data', (d: Buffer) => r(d.toString()))));
  writeFileSync(bg.FILES.pid, String(leader.pid));
  const exited = new Promise((r) => leader.on('exit', (_code, signal) => r(signal)));
  bg.stopBringUp();
  expect(await exited).toBe('SIGTERM');
  // Gone, or a zombie waiting for PID 1 to reap it.
  const running = () => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 50 && running(); i++) await new Promise((r) => setTimeout(r, 100));
  expect(running()).toBe(false);
});
