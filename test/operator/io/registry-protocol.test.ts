import { createHash } from 'node:crypto';
import {
  isLoopback,
  manifestDigest,
  parseChallenges,
  registryEndpoint,
  tokenFromAnswer,
  tokenUrl,
} from '../../../operator/io/registry-protocol.js';

describe('parseChallenges (WWW-Authenticate)', () => {
  it('reads a Docker Hub style Bearer challenge', () => {
    const header =
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"';
    expect(parseChallenges(header)).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ]);
  });

  it('handles spaces, unquoted values, escapes, commas inside quotes and several challenges', () => {
    const header =
      'Basic realm="Registry Realm", Bearer  realm = "https://t.example/token?x=1" , service=reg, scope="repository:a/b:pull,push", error="say \\"hi\\""';
    expect(parseChallenges(header)).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      {
        scheme: 'bearer',
        params: {
          realm: 'https://t.example/token?x=1',
          service: 'reg',
          scope: 'repository:a/b:pull,push',
          error: 'say "hi"',
        },
      },
    ]);
  });

  it('gives nothing for an empty header', () => {
    expect(parseChallenges('')).toEqual([]);
  });
});

describe('registryEndpoint', () => {
  it('maps Docker Hub short names to registry-1.docker.io over https', () => {
    expect(registryEndpoint('nginx')).toEqual({
      host: 'registry-1.docker.io',
      name: 'library/nginx',
      baseUrl: 'https://registry-1.docker.io',
    });
    expect(registryEndpoint('docker.io/bitnami/redis')).toMatchObject({
      name: 'bitnami/redis',
      baseUrl: 'https://registry-1.docker.io',
    });
  });

  it('uses https for other registries unless configured insecure; loopback is plain http', () => {
    expect(registryEndpoint('ghcr.io/ponyexpress/ponyshop')).toEqual({
      host: 'ghcr.io',
      name: 'ponyexpress/ponyshop',
      baseUrl: 'https://ghcr.io',
    });
    expect(registryEndpoint('reg.internal:5000/app').baseUrl).toBe('https://reg.internal:5000');
    expect(registryEndpoint('reg.internal:5000/app', ['reg.internal:5000']).baseUrl).toBe('http://reg.internal:5000');
    expect(registryEndpoint('127.0.0.1:5000/ponyshop').baseUrl).toBe('http://127.0.0.1:5000');
    expect(registryEndpoint('localhost:5000/a/b')).toMatchObject({ name: 'a/b', baseUrl: 'http://localhost:5000' });
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1:5000', 'localhost', '[::1]:5000', '127.1.2.3'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['10.0.0.1:5000', 'localhost.example', 'ghcr.io'].map(isLoopback)).toEqual([false, false, false]);
  });
});

describe('tokenUrl', () => {
  const secure = registryEndpoint('ghcr.io/o/app');
  it('asks the realm for the challenge scope and service', () => {
    const url = tokenUrl(
      {
        scheme: 'bearer',
        params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:o/app:pull' },
      },
      secure,
    );
    expect(url instanceof URL ? url.href : url).toBe(
      'https://ghcr.io/token?service=ghcr.io&scope=repository%3Ao%2Fapp%3Apull',
    );
  });

  it('defaults the scope to pull on the repository', () => {
    const url = tokenUrl({ scheme: 'bearer', params: { realm: 'https://ghcr.io/token' } }, secure) as URL;
    expect(url.searchParams.get('scope')).toBe('repository:o/app:pull');
  });

  it('refuses a realm that is missing, not a URL, or plain http for an https registry', () => {
    expect(tokenUrl({ scheme: 'bearer', params: {} }, secure)).toEqual({
      problem: 'the Bearer challenge has no realm',
    });
    expect(tokenUrl({ scheme: 'bearer', params: { realm: 'nope' } }, secure)).toEqual({
      problem: 'the Bearer realm "nope" is not a URL',
    });
    expect(tokenUrl({ scheme: 'bearer', params: { realm: 'http://ghcr.io/token' } }, secure)).toEqual({
      problem: 'the Bearer realm http://ghcr.io/token is not https',
    });
    expect(
      tokenUrl(
        { scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/token' } },
        registryEndpoint('127.0.0.1:5000/a'),
      ),
    ).toBeInstanceOf(URL);
  });

  it('reads token or access_token from the answer', () => {
    expect(tokenFromAnswer({ token: 't1' })).toBe('t1');
    expect(tokenFromAnswer({ access_token: 't2' })).toBe('t2');
    expect(tokenFromAnswer({ token: '' })).toBeUndefined();
    expect(tokenFromAnswer('t')).toBeUndefined();
  });
});

describe('manifestDigest', () => {
  const body = new TextEncoder().encode('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const OCI = 'application/vnd.oci.image.manifest.v1+json';

  it('is the sha256 of the body, matching the header', () => {
    expect(manifestDigest(body, OCI, digest)).toEqual({ digest });
    expect(manifestDigest(body, `${OCI}; charset=utf-8`, null)).toEqual({ digest });
  });

  it('rejects a header that does not match the body', () => {
    const other = `sha256:${'0'.repeat(64)}`;
    expect(manifestDigest(body, OCI, other)).toEqual({
      problem: `Docker-Content-Digest ${other} does not match the manifest body (${digest})`,
    });
    expect(manifestDigest(body, OCI, 'md5:abc')).toEqual({
      problem: 'Docker-Content-Digest "md5:abc" is not a sha256 digest',
    });
  });

  it('rejects media types other than OCI index/manifest and Docker v2 list/manifest (e.g. schema 1)', () => {
    const result = manifestDigest(body, 'application/vnd.docker.distribution.manifest.v1+prettyjws', digest);
    expect(result).toMatchObject({
      problem: expect.stringContaining(
        'media type "application/vnd.docker.distribution.manifest.v1+prettyjws", expected one of',
      ),
    });
    expect(manifestDigest(body, 'application/vnd.docker.distribution.manifest.list.v2+json', digest)).toEqual({
      digest,
    });
  });
});
