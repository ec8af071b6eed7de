// `ponyexpress init ci --provider github|gitlab [--app NAME] [--namespace NS] [--python 3.12] [--dir .] [--force]`
// Writes the pipeline and the shell steps it calls into an app repository. Refuses to overwrite a file
// unless --force, naming it; nothing is written when any file would be refused.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { githubWorkflow, gitlabPipeline, SCRIPT_DIR, SCRIPTS, type CiOptions } from './ci-templates.js';
import type { SubcommandIo } from './subcommand.js';

export const INIT_USAGE = `usage: ponyexpress init ci --provider github|gitlab [--app NAME] [--namespace NS] [--python 3.12] [--dir .] [--force]`;
const SCRIPTS_SOURCE = fileURLToPath(new URL('../../scripts/ci/', import.meta.url));

export async function run(argv: readonly string[], io: SubcommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv[0] === 'ci' ? argv.slice(1) : ['--not-ci'],
      options: {
        provider: { type: 'string' },
        app: { type: 'string', default: 'app' },
        namespace: { type: 'string' },
        python: { type: 'string', default: '3.12' },
        dir: { type: 'string', default: '.' },
        force: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(
      `error: ${argv[0] === 'ci' ? (err as Error).message : `unknown init target "${argv[0] ?? ''}", expected "ci"`}\n${INIT_USAGE}`,
    );
    return 2;
  }
  if (values.provider !== 'github' && values.provider !== 'gitlab') {
    io.err(
      `error: --provider must be "github" or "gitlab" (found ${values.provider === undefined ? 'nothing' : `"${values.provider}"`})\n${INIT_USAGE}`,
    );
    return 2;
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(values.app)) {
    io.err(`error: --app must be a DNS label such as "ponyshop" (found "${values.app}")`);
    return 2;
  }
  const options: CiOptions = {
    app: values.app,
    namespace: values.namespace ?? `${values.app}-production`,
    python: values.python,
  };
  const files: Record<string, string> =
    values.provider === 'github'
      ? { '.github/workflows/ponyexpress.yml': githubWorkflow(options) }
      : { '.gitlab-ci.yml': gitlabPipeline(options) };
  for (const script of SCRIPTS) files[`${SCRIPT_DIR}/${script}`] = await readFile(join(SCRIPTS_SOURCE, script), 'utf8');
  const taken = Object.keys(files).filter((f) => existsSync(join(values.dir, f)));
  if (taken.length && !values.force) {
    io.err(
      `error: ${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''} in ${values.dir}; pass --force to overwrite. Nothing was written.`,
    );
    return 1;
  }
  for (const [path, content] of Object.entries(files)) {
    const full = join(values.dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content, { mode: path.endsWith('.sh') ? 0o755 : 0o644 });
  }
  io.out(
    `wrote ${Object.keys(files).join(', ')} (${values.provider}; app ${options.app}, namespace ${options.namespace})`,
  );
  return 0;
}
