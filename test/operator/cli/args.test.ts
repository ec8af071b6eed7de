import { parseCommand, UsageError } from '../../../operator/cli/args.js';

const target = { namespace: undefined, allNamespaces: false, context: undefined, kubeconfig: undefined };

describe('parseCommand', () => {
  test('status with flags in any position', () => {
    expect(parseCommand(['status', '-A', '-o', 'json'])).toEqual({
      verb: 'status',
      promotion: undefined,
      output: 'json',
      target: { ...target, allNamespaces: true },
    });
    expect(parseCommand(['-n', 'prod', 'status', 'ponyshop', '--context', 'kind'])).toEqual({
      verb: 'status',
      promotion: 'ponyshop',
      output: 'table',
      target: { ...target, namespace: 'prod', context: 'kind' },
    });
  });

  test('write commands carry their arguments', () => {
    expect(parseCommand(['approve', 'ponyshop', '1.5.0'])).toMatchObject({
      verb: 'approve',
      promotion: 'ponyshop',
      ref: '1.5.0',
    });
    expect(parseCommand(['rollback', 'ponyshop', 'sha256:abc1234'])).toMatchObject({
      verb: 'rollback',
      ref: 'sha256:abc1234',
    });
    expect(parseCommand(['hold', 'ponyshop', '--reason', '  incident 42 '])).toMatchObject({
      verb: 'hold',
      reason: 'incident 42',
    });
    expect(parseCommand(['release', 'ponyshop', '--kubeconfig', '/k'])).toMatchObject({
      verb: 'release',
      target: { kubeconfig: '/k' },
    });
  });

  test('no command, help and -h print the usage', () => {
    for (const argv of [[], ['help'], ['status', '-h']]) expect(parseCommand(argv)).toMatchObject({ verb: 'help' });
  });

  test.each([
    [['deploy'], /unknown command "deploy"/],
    [['approve', 'ponyshop'], /approve takes <promotion> <tag\|digest>, got "ponyshop"/],
    [['rollback'], /got nothing/],
    [['hold', 'ponyshop'], /hold needs --reason/],
    [['hold', 'ponyshop', '--reason', '   '], /hold needs --reason/],
    [['approve', 'p', '1.0', '-A'], /--all-namespaces only works with status/],
    [['status', '-A', '-n', 'x'], /either --namespace or --all-namespaces/],
    [['status', '-o', 'yaml'], /--output must be table or json/],
    [['release', 'p', '--reason', 'x'], /--reason only works with hold/],
    [['status', '--bogus'], /Unknown option '--bogus'/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
