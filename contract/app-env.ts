// The environment variables the charts set in app containers and the app reads: Django, Celery and the
// ponyexpress-django helper (ponyexpress-django/src/ponyexpress_django/{files,conf}.py reads the same names;
// test/charts/app-env.test.ts holds the two sides together).
export const APP_ENV = {
  djangoSettingsModule: 'DJANGO_SETTINGS_MODULE',
  djangoSecretKey: 'DJANGO_SECRET_KEY',
  djangoAllowedHosts: 'DJANGO_ALLOWED_HOSTS',
  brokerUrl: 'CELERY_BROKER_URL',
  databaseUrl: 'DATABASE_URL',
  serviceBindingRoot: 'SERVICE_BINDING_ROOT',
  /** The worker touches it; the heartbeat liveness probe reads its age. */
  workerHeartbeatFile: 'CELERY_WORKER_HEARTBEAT_FILE',
  /** Beat rewrites it after every tick; `python -m ponyexpress_django.check beat` reads it. */
  beatTickFile: 'PONYEXPRESS_BEAT_TICK_FILE',
  /** The helper's ProbeMiddleware answers these paths; the charts set them from web.probes. */
  livenessPath: 'PONYEXPRESS_LIVENESS_PATH',
  readinessPath: 'PONYEXPRESS_READINESS_PATH',
} as const;

/** libpq's connection variables the charts set from the database binding. */
export const PG_ENV = ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE', 'PGSSLMODE', 'PGSSLROOTCERT'] as const;
