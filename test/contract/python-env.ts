import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const exampleDir = join(repoRoot, 'example');

/** The venv with the example's requirements (built once by scripts/python-env.sh, then reused). */
export function pythonVenv(): string {
  return execFileSync(join(repoRoot, 'scripts/python-env.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}
