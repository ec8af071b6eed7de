import { OPERATOR_ENV } from '../../../contract/index.js';
import { configHelp, readCommandLine } from '../../../operator/runtime/config.js';

describe('operator --help', () => {
  it('lists every environment variable of the config table once, with its default and what it does', () => {
    const help = configHelp();
    for (const name of Object.values(OPERATOR_ENV)) {
      const lines = help.split('\n').filter((l) => l.trimStart().startsWith(`${name} `) || l.trim() === name);
      expect({ name, count: lines.length }).toEqual({ name, count: 1 });
    }
    expect(help).toMatch(/PONYEXPRESS_LEASE_DURATION_SECONDS\s+\(default 15\)\s+How long a Lease stays valid/);
    expect(help).toMatch(/PONYEXPRESS_LOG_LEVEL\s+\(default info; one of debug, info, warn, error\)/);
    expect(help).toContain('--help');
  });

  it('reads --help and -h, runs with no arguments, and names an unknown argument', () => {
    expect(readCommandLine(['--help'])).toEqual({ help: true });
    expect(readCommandLine(['-h'])).toEqual({ help: true });
    expect(readCommandLine([])).toEqual({ help: false });
    expect(readCommandLine(['--namespace=x'])).toEqual({
      problem:
        'unknown argument "--namespace=x": the operator takes no arguments but --help; it is configured by environment variables (see --help)',
    });
  });
});
