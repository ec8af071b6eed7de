// Times `npm run synth` (both environments) against a one-Deployment cdk8s app, in the same run.
//   npx tsx bench/synth.ts [iterations]
// Two views, both as medians: whole process (what a user waits for: Node and tsx start-up, module loading,
// synth, writing files) and in-process synth only (warm, after start-up). Prints the ratios; the goal is <= 1.3x.
// Both sides run exactly as `npm run synth` does (`node --import tsx <entry>`), so neither gets a cheaper runner.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesizeAll } from '../charts/synth.js';
import { synthOneDeployment } from './synth-baseline.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const iterations = Number(process.argv[2] ?? 15);
// This Node (24) with tsx's loader, whatever `#!/usr/bin/env node` would find on PATH; the work dir is outside
// the repo, so the loader is passed by URL rather than by the bare name `tsx`.
const tsxLoader = import.meta.resolve('tsx');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'ponyexpress-bench-'));
cpSync(path.join(repoRoot, 'environments'), path.join(work, 'environments'), { recursive: true });

function runProcess(args: string[]): void {
  const r = spawnSync(process.execPath, ['--import', tsxLoader, ...args], { cwd: work, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
}

// Whole process, interleaved so both sides see the same machine load.
const processOurs: number[] = [];
const processBase: number[] = [];
runProcess([path.join(repoRoot, 'main.ts')]); // warm the tsx cache for both
runProcess([path.join(repoRoot, 'bench', 'synth-baseline.ts'), path.join(work, 'baseline')]);
for (let i = 0; i < iterations; i++) {
  processOurs.push(timeMs(() => runProcess([path.join(repoRoot, 'main.ts')])));
  processBase.push(
    timeMs(() => runProcess([path.join(repoRoot, 'bench', 'synth-baseline.ts'), path.join(work, 'baseline')])),
  );
}

// In-process, after warm-up.
const inOurs: number[] = [];
const inBase: number[] = [];
const configDir = path.join(work, 'environments');
for (let i = 0; i < 3; i++) {
  synthesizeAll({ configDir, outDir: path.join(work, 'dist-in') });
  synthOneDeployment(path.join(work, 'baseline-in'));
}
for (let i = 0; i < iterations * 2; i++) {
  inOurs.push(timeMs(() => synthesizeAll({ configDir, outDir: path.join(work, 'dist-in') })));
  inBase.push(timeMs(() => synthOneDeployment(path.join(work, 'baseline-in'))));
}
rmSync(work, { recursive: true, force: true });

const row = (label: string, ours: number[], base: number[]) => {
  const [o, b] = [median(ours), median(base)];
  console.log(
    `${label.padEnd(34)} ponyexpress ${o.toFixed(1).padStart(8)} ms   one-Deployment ${b.toFixed(1).padStart(8)} ms   ratio ${(o / b).toFixed(2)}x`,
  );
};
console.log(
  `synth benchmark: medians of ${iterations} process runs and ${iterations * 2} in-process runs (node ${process.version}, ${os.cpus().length} CPUs)`,
);
row('whole process (npm run synth)', processOurs, processBase);
row('in-process synth (warm)', inOurs, inBase);
