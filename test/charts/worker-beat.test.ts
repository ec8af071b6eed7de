import { execFileSync } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { byKind, exampleConfig, find, render, tempDir } from './support.js';

const staging = render(exampleConfig('staging'));
const worker = find(staging.objects, 'Deployment', 'ponyshop-worker');
const beat = find(staging.objects, 'Deployment', 'ponyshop-beat');

describe('worker', () => {
  const container = worker.spec.template.spec.containers[0];

  test('runs celery worker (never -B) with no Service', () => {
    expect(container.name).toBe('worker');
    expect(container.command).toEqual([
      'celery',
      '--app',
      'ponyshop',
      'worker',
      '--loglevel',
      'INFO',
      '--concurrency',
      '2',
    ]);
    expect(container.command).not.toContain('-B');
    expect(byKind(staging.objects, 'Service').map((s) => s.metadata.name)).toEqual(['ponyshop-web']);
  });

  test('has a grace period of at least 60 s by default, configurable', () => {
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBe(120);
    const production = render(exampleConfig('production'), 'production');
    expect(
      find(production.objects, 'Deployment', 'ponyshop-worker').spec.template.spec.terminationGracePeriodSeconds,
    ).toBe(300);
  });

  test('liveness is the cheap heartbeat-file check, with a PDB and an optional HPA', () => {
    expect(container.livenessProbe.exec.command.slice(0, 2)).toEqual(['python', '-c']);
    expect(container.livenessProbe.exec.command[2]).toContain('CELERY_WORKER_HEARTBEAT_FILE');
    expect(container.livenessProbe.periodSeconds).toBeGreaterThanOrEqual(30);
    expect(find(staging.objects, 'PodDisruptionBudget', 'ponyshop-worker').spec.maxUnavailable).toBe(1);
    const production = render(exampleConfig('production'), 'production');
    expect(find(production.objects, 'HorizontalPodAutoscaler', 'ponyshop-worker').spec.maxReplicas).toBe(10);
  });

  // The probe's script is real Python (python3 is a CI prerequisite anyway, for the contract test).
  test('the heartbeat script passes on a fresh file and fails on a stale or missing one', () => {
    const dir = tempDir('heartbeat');
    const file = path.join(dir, 'hb');
    const run = () => {
      try {
        execFileSync('python3', container.livenessProbe.exec.command.slice(1), {
          env: { CELERY_WORKER_HEARTBEAT_FILE: file },
        });
        return 0;
      } catch (e) {
        return (e as { status: number }).status;
      }
    };
    expect(run()).toBe(1);
    writeFileSync(file, '');
    expect(run()).toBe(0);
    const old = Date.now() / 1000 - 120;
    utimesSync(file, old, old);
    expect(run()).toBe(1);
  });
});

describe('beat', () => {
  test('is a singleton: replicas 1, Recreate, no HPA, no PDB', () => {
    expect(beat.spec.replicas).toBe(1);
    expect(beat.spec.strategy).toEqual({ type: 'Recreate' });
    const production = render(exampleConfig('production'), 'production');
    for (const objects of [staging.objects, production.objects]) {
      expect(find(objects, 'Deployment', 'ponyshop-beat').spec.replicas).toBe(1);
      expect(byKind(objects, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name)).not.toContain(
        'ponyshop-beat',
      );
      const beatLabels = find(objects, 'Deployment', 'ponyshop-beat').spec.selector.matchLabels;
      for (const pdb of byKind(objects, 'PodDisruptionBudget'))
        expect(pdb.spec.selector.matchLabels).not.toEqual(beatLabels);
    }
  });

  test('runs celery beat with its schedule on /tmp', () => {
    expect(beat.spec.template.spec.containers[0].command).toEqual([
      'celery',
      '--app',
      'ponyshop',
      'beat',
      '--loglevel',
      'INFO',
      '--schedule',
      '/tmp/celerybeat-schedule',
    ]);
  });
});
