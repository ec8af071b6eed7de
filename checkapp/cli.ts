// `ponyexpress check-app`: the contract check on any app, with a pass/fail table (exit 0 only if all pass).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkApp } from './contract.js';
import { formatReport } from './steps.js';

export const CHECK_APP_USAGE = `Usage: ponyexpress check-app --app-dir <dir> --env <env> [options]

Runs the app with the commands, env and probes of the synthesised manifests of <env>, against a private
PostgreSQL and Redis (Debian's postgresql and redis-server), the way Kubernetes would start them: init gate,
migrate, gunicorn with kubelet-like probes (any 3xx fails), worker liveness, beat, graceful SIGTERM.

  --app-dir <dir>        the directory the image runs the app from (its /app)
  --env <env>            the environment file to synthesise (<env>.yaml)
  --config-dir <dir>     the folder with <env>.yaml, or one with environments/ inside
                         (default: <app-dir>/environments if it exists, else ./environments)
  --venv <dir>           a virtualenv with the app's requirements and ponyexpress-django
                         (default: <app-dir>/.venv, then <app-dir>/venv)
  --manifest-dir <dir>   check an existing dist/<env> (e.g. hand-edited) instead of synthesising
  --max-startup <s>      cap each startup probe's wait (default: the manifest's own budget)
  --json                 print the results as JSON instead of the table`;

export class CheckAppUsageError extends Error {}

export function parseCheckAppArgs(argv: string[], cwd = process.cwd()) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'app-dir': { type: 'string' },
        env: { type: 'string' },
        'config-dir': { type: 'string' },
        venv: { type: 'string' },
        'manifest-dir': { type: 'string' },
        'max-startup': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new CheckAppUsageError((err as Error).message);
  }
  if (values.help) return { help: true as const };
  if (!values['app-dir'])
    throw new CheckAppUsageError('--app-dir is required: the directory holding your app (its /app in the image)');
  if (!values.env) throw new CheckAppUsageError('--env is required: the environment to check, e.g. --env staging');
  const appDir = resolve(cwd, values['app-dir']);
  if (!existsSync(appDir)) throw new CheckAppUsageError(`--app-dir ${appDir} does not exist`);
  const configDir = values['config-dir']
    ? resolve(cwd, values['config-dir'])
    : existsSync(join(appDir, 'environments'))
      ? join(appDir, 'environments')
      : resolve(cwd, 'environments');
  const venv = values.venv
    ? resolve(cwd, values.venv)
    : [join(appDir, '.venv'), join(appDir, 'venv')].find((v) => existsSync(join(v, 'bin', 'python')));
  if (!venv || !existsSync(join(venv, 'bin', 'python')))
    throw new CheckAppUsageError(
      `no virtualenv: pass --venv <dir> with the app's requirements and ponyexpress-django installed (looked for ${values.venv ?? `${appDir}/.venv and ${appDir}/venv`})`,
    );
  const maxStartup = values['max-startup'] === undefined ? undefined : Number(values['max-startup']);
  if (maxStartup !== undefined && !(maxStartup > 0))
    throw new CheckAppUsageError(`--max-startup: found "${values['max-startup']}", expected seconds > 0`);
  return {
    help: false as const,
    json: values.json ?? false,
    options: {
      appDir,
      env: values.env,
      configDir,
      venv,
      manifestDir: values['manifest-dir'] && resolve(cwd, values['manifest-dir']),
      maxStartupSeconds: maxStartup,
    },
  };
}

/** Returns the exit code: 0 all passed, 1 a step failed, 2 usage. */
export async function runCheckApp(
  argv: string[],
  out: (s: string) => void = (s) => void process.stdout.write(`${s}\n`),
  err: (s: string) => void = (s) => void process.stderr.write(`${s}\n`),
): Promise<number> {
  let parsed;
  try {
    parsed = parseCheckAppArgs(argv);
  } catch (e) {
    if (!(e instanceof CheckAppUsageError)) throw e;
    err(`error: ${e.message}\n\n${CHECK_APP_USAGE}`);
    return 2;
  }
  if (parsed.help) {
    out(CHECK_APP_USAGE);
    return 0;
  }
  const { options, json } = parsed;
  err(`check-app: ${options.appDir} as environment "${options.env}" (${options.configDir})`);
  let results;
  try {
    results = await checkApp({ ...options, onResult: (r) => err(`  ${r.outcome.padEnd(7)} ${r.id}`) });
  } catch (e) {
    err(`error: ${(e as Error).message}`);
    return 1;
  }
  out(json ? JSON.stringify(results, null, 2) : formatReport(results));
  return results.every((r) => r.outcome === 'pass') ? 0 : 1;
}

if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCheckApp(process.argv.slice(2));
}
