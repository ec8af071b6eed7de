import { Manager, type Runnable } from '../../../operator/runtime/manager.js';
import { silentLogger } from '../../../operator/telemetry.js';

function recorder() {
  const log: string[] = [];
  const runnable = (name: string, o: { failStart?: boolean; failStop?: boolean } = {}): Runnable => ({
    name,
    start: async () => {
      if (o.failStart) throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    stop: async () => {
      log.push(`stop ${name}`);
      if (o.failStop) throw new Error(`${name} cannot stop`);
    },
  });
  return { log, runnable };
}

describe('Manager', () => {
  it('starts runnables in order and stops them in reverse', async () => {
    const { log, runnable } = recorder();
    const m = new Manager(silentLogger)
      .add(runnable('probes'))
      .add(runnable('cache'))
      .add(runnable('leader'))
      .add(runnable('queue'));
    await m.start();
    await m.stop();
    expect(log).toEqual([
      'start probes',
      'start cache',
      'start leader',
      'start queue',
      'stop queue',
      'stop leader',
      'stop cache',
      'stop probes',
    ]);
  });

  it('stops what it started when a later runnable fails to start', async () => {
    const { log, runnable } = recorder();
    const m = new Manager(silentLogger)
      .add(runnable('probes'))
      .add(runnable('cache', { failStart: true }))
      .add(runnable('queue'));
    await expect(m.start()).rejects.toThrow('cache cannot start');
    expect(log).toEqual(['start probes', 'stop probes']);
  });

  it('keeps stopping the rest when one runnable fails to stop', async () => {
    const { log, runnable } = recorder();
    const m = new Manager(silentLogger)
      .add(runnable('probes'))
      .add(runnable('cache', { failStop: true }))
      .add(runnable('queue'));
    await m.start();
    await m.stop();
    expect(log.slice(3)).toEqual(['stop queue', 'stop cache', 'stop probes']);
  });
});
