// Deliberately bad releases, each one small layer FROM the good example image (built here, never committed):
//   BROKEN_MIGRATION_TAG: adds shop/migrations/0002_broken.py, whose RunPython raises, so `migrate` fails;
//   CRASHING_TAG: gunicorn replaced by a script that exits 1, so web crashes at start (migrate, worker and beat
//   are untouched, so only the soak can catch it).
// Both are pushed to the cluster's registry like the real releases.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_IMAGE, BROKEN_MIGRATION_TAG, CRASHING_TAG, NEXT_TAG, run } from './kind-env.js';

export const BROKEN_MIGRATION_MESSAGE = 'deliberately broken migration (ponyexpress kind test)';
export const CRASH_MESSAGE = 'deliberate crash at start (ponyexpress kind test)';

const brokenMigration = `from django.db import migrations


def fail(apps, schema_editor):
    raise RuntimeError(${JSON.stringify(BROKEN_MIGRATION_MESSAGE)})


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(fail, migrations.RunPython.noop)]
`;

const images: { tag: string; dockerfile: string; files: Record<string, string> }[] = [
  {
    tag: BROKEN_MIGRATION_TAG,
    dockerfile: `FROM ${APP_IMAGE}:${NEXT_TAG}\nCOPY 0002_broken.py /app/shop/migrations/0002_broken.py\n`,
    files: { '0002_broken.py': brokenMigration },
  },
  {
    tag: CRASHING_TAG,
    dockerfile: [
      `FROM ${APP_IMAGE}:${NEXT_TAG}`,
      'USER 0',
      `RUN printf '#!/bin/sh\\necho "${CRASH_MESSAGE}" >&2\\nexit 1\\n' >/opt/venv/bin/gunicorn`,
      'USER 10001:10001',
      '',
    ].join('\n'),
    files: {},
  },
];

/** Builds both (Docker's layer cache makes a second build take about a second) and pushes them. */
export function buildAndPushBadImages(): void {
  for (const { tag, dockerfile, files } of images) {
    const ctx = mkdtempSync(join(tmpdir(), 'px-kind-bad-'));
    try {
      writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(ctx, name), text);
      const built = spawnSync('docker', ['build', '-q', '-t', `${APP_IMAGE}:${tag}`, ctx], {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
      });
      if (built.status !== 0) throw new Error(`building ${APP_IMAGE}:${tag} failed:\n${built.stdout}${built.stderr}`);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }
  run(
    'kind/registry.sh',
    images.map(({ tag }) => `${APP_IMAGE}:${tag}`),
  );
}
