import { ConfigError, loadConfig } from '../../../operator/runtime/config.js';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const c = loadConfig({ POD_NAMESPACE: 'ops', POD_NAME: 'op-0' });
    expect(c).toMatchObject({
      namespace: 'ops',
      identity: 'op-0',
      watchNamespaces: [],
      leaderElection: true,
      leaseName: 'ponyexpress-operator',
      leaseDurationSeconds: 15,
      leaseRetrySeconds: 2,
      metricsPort: 8080,
      logLevel: 'info',
      resyncSeconds: 300,
    });
  });

  it('leaves digest resolution off by default and reads its registry settings', () => {
    expect(loadConfig({})).toMatchObject({ resolveDigests: false, insecureRegistries: [], registryTimeoutSeconds: 10 });
    const c = loadConfig({
      PONYEXPRESS_RESOLVE_DIGESTS: 'true',
      PONYEXPRESS_INSECURE_REGISTRIES: '127.0.0.1:5000, reg.internal:5000,[::1]:5000',
      PONYEXPRESS_REGISTRY_TIMEOUT_SECONDS: '3',
    });
    expect(c).toMatchObject({
      resolveDigests: true,
      insecureRegistries: ['127.0.0.1:5000', 'reg.internal:5000', '[::1]:5000'],
      registryTimeoutSeconds: 3,
    });
    expect(() => loadConfig({ PONYEXPRESS_INSECURE_REGISTRIES: 'http://reg:5000' })).toThrow(
      '"http://reg:5000" is not host[:port]',
    );
  });

  it('parses lists, booleans and numbers', () => {
    const c = loadConfig({
      PONYEXPRESS_WATCH_NAMESPACES: ' prod-a, prod-b ,prod-a,',
      PONYEXPRESS_LEADER_ELECTION: 'false',
      PONYEXPRESS_LEASE_DURATION_SECONDS: '4',
      PONYEXPRESS_METRICS_PORT: '0',
    });
    expect(c.watchNamespaces).toEqual(['prod-a', 'prod-b']);
    expect(c.leaderElection).toBe(false);
    expect(c.leaseDurationSeconds).toBe(4);
    expect(c.metricsPort).toBe(0);
  });

  it('names every bad variable in one error', () => {
    const bad = () =>
      loadConfig({
        PONYEXPRESS_LOG_LEVEL: 'loud',
        PONYEXPRESS_METRICS_PORT: '70000',
        PONYEXPRESS_WATCH_NAMESPACES: 'Prod_A',
        PONYEXPRESS_LEADER_ELECTION: 'yes',
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PONYEXPRESS_LOG_LEVEL="loud"/);
    expect(bad).toThrow(/PONYEXPRESS_METRICS_PORT="70000"/);
    expect(bad).toThrow(/PONYEXPRESS_LEADER_ELECTION="yes"/);
  });

  it('rejects a namespace list entry that is not a DNS label', () => {
    expect(() => loadConfig({ PONYEXPRESS_WATCH_NAMESPACES: 'ok,Not_OK' })).toThrow(/"Not_OK" is not a namespace name/);
  });

  it('rejects a renew period that cannot keep the lease', () => {
    expect(() => loadConfig({ PONYEXPRESS_LEASE_DURATION_SECONDS: '4', PONYEXPRESS_LEASE_RETRY_SECONDS: '3' })).toThrow(
      /at most half/,
    );
  });

  it('rejects a watchdog shorter than the watch timeout', () => {
    expect(() =>
      loadConfig({ PONYEXPRESS_INFORMER_WATCHDOG_SECONDS: '30', PONYEXPRESS_WATCH_TIMEOUT_SECONDS: '60' }),
    ).toThrow(/must exceed/);
  });
});
