import { exampleDir, pythonVenv } from './services/python-env.js';

/**
 * What the contract test needs to know about the app it runs. The contract itself is the same for
 * every app; `extras` are checks that only make sense for an app that provides them (example/ does).
 */
export interface AppProfile {
  /** The image's /app: the directory holding manage.py. */
  appDir: string;
  /** A virtualenv with the app's requirements (its bin/ plays the image's PATH). */
  venv: () => string;
  /** Test-only env layered over the manifests', per container. Every entry is a deliberate deviation. */
  extraEnv?: Record<string, Record<string, string>>;
  extras?: {
    /** `/` answers 200 to the probes' Host (example/'s index page). */
    indexAnswers200?: boolean;
    /** A migration the migrate Job must apply on the empty database. */
    migrationApplied?: RegExp;
    /** A periodic task writing one row per run: proves beat -> broker -> worker -> database, once per period. */
    ticks?: { periodSeconds: number; startsSql: string; unfinishedSql: string };
    /** A task that works for N seconds: proves the worker's warm shutdown lets it finish. */
    warmShutdown?: { enqueueCode: (workSeconds: number) => string; rowsSql: string };
  };
}

/** The one deliberate deviation for example/: beat ticks every few seconds instead of every minute. */
const EXAMPLE_TICK_SECONDS = 3;

export const exampleProfile: AppProfile = {
  appDir: exampleDir,
  venv: pythonVenv,
  extraEnv: { beat: { PONYSHOP_TICK_INTERVAL_SECONDS: String(EXAMPLE_TICK_SECONDS) } },
  extras: {
    indexAnswers200: true,
    migrationApplied: /Applying shop\.0001_initial\.\.\. OK/,
    ticks: {
      periodSeconds: EXAMPLE_TICK_SECONDS,
      startsSql:
        "SELECT extract(epoch FROM started_at), finished_at IS NOT NULL FROM shop_tick WHERE source = 'beat' ORDER BY started_at",
      unfinishedSql: "SELECT count(*) FROM shop_tick WHERE source = 'beat' AND finished_at IS NULL",
    },
    warmShutdown: {
      enqueueCode: (work) =>
        `import django; django.setup(); from shop.tasks import record_tick; record_tick.delay(source="warm-shutdown", work_seconds=${work})`,
      rowsSql: "SELECT id, finished_at IS NOT NULL FROM shop_tick WHERE source = 'warm-shutdown'",
    },
  },
};

/**
 * For apps without example/'s schedule: beat wakes at least this often. `celery beat` reads
 * CELERY_BEAT_MAX_INTERVAL as its `--max-interval` option, so the manifest's command stays as written.
 */
export const GENERIC_BEAT_MAX_INTERVAL_SECONDS = 3;

/**
 * example/ by default. CONTRACT_APP_DIR=<dir> with CONTRACT_VENV=<venv> runs the contract, without extras,
 * against another app (its venv must hold its requirements and, for the beat check, ponyexpress-django).
 */
export function contractProfile(): AppProfile {
  const appDir = process.env.CONTRACT_APP_DIR;
  if (!appDir) return exampleProfile;
  const venv = process.env.CONTRACT_VENV;
  if (!venv)
    throw new Error(
      "CONTRACT_APP_DIR is set but CONTRACT_VENV is not: name a virtualenv with the app's requirements installed",
    );
  return {
    appDir,
    venv: () => venv,
    extraEnv: { beat: { CELERY_BEAT_MAX_INTERVAL: String(GENERIC_BEAT_MAX_INTERVAL_SECONDS) } },
  };
}
