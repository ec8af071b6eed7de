import {
  digestFromImageID,
  isAppContainer,
  movingReference,
  normalizeRepository,
  parseImageRef,
  sameImage,
} from '../../../operator/core/naming.js';
import { digestOf } from './fixtures.js';

const D = digestOf('x');

describe('parseImageRef', () => {
  test.each([
    ['ghcr.io/acme/shop:1.2.3', { repository: 'ghcr.io/acme/shop', tag: '1.2.3' }],
    [`ghcr.io/acme/shop@${D}`, { repository: 'ghcr.io/acme/shop', digest: D }],
    [`ghcr.io/acme/shop:1.2.3@${D}`, { repository: 'ghcr.io/acme/shop', tag: '1.2.3', digest: D }],
    ['registry.local:5000/shop:v1', { repository: 'registry.local:5000/shop', tag: 'v1' }],
    ['registry.local:5000/shop', { repository: 'registry.local:5000/shop' }],
    ['nginx:1.27', { repository: 'docker.io/library/nginx', tag: '1.27' }],
    ['acme/shop', { repository: 'docker.io/acme/shop' }],
  ])('%s', (ref, expected) => {
    expect(parseImageRef(ref)).toEqual({ tag: undefined, digest: undefined, ...expected });
  });

  test.each(['', 'shop:', 'shop@sha256:abc', 'shop:bad tag', '/shop:1', 'shop:-x', `shop@md5:${'a'.repeat(32)}`])(
    'rejects %j',
    (ref) => {
      expect(parseImageRef(ref)).toBeUndefined();
    },
  );
});

test('normalizeRepository matches how the kubelet reports Docker Hub names', () => {
  expect(normalizeRepository('index.docker.io/library/nginx')).toBe('docker.io/library/nginx');
  expect(normalizeRepository('localhost/shop')).toBe('localhost/shop');
});

test('digestFromImageID accepts repo digests and ignores bare image IDs', () => {
  expect(digestFromImageID(`docker-pullable://ghcr.io/acme/shop@${D}`)).toBe(D);
  expect(digestFromImageID(`ghcr.io/acme/shop@${D}`)).toBe(D);
  expect(digestFromImageID(D)).toBeUndefined();
  expect(digestFromImageID('')).toBeUndefined();
  expect(digestFromImageID(undefined)).toBeUndefined();
});

test('movingReference prefers the digest', () => {
  expect(movingReference('r', '1', D)).toBe(`r@${D}`);
  expect(movingReference('r', '1', undefined)).toBe('r:1');
});

test('sameImage compares digests when both are known, else tags', () => {
  expect(sameImage({ tag: '1', digest: D }, { tag: '2', digest: D })).toBe(true);
  expect(sameImage({ tag: '1', digest: D }, { tag: '1', digest: digestOf('y') })).toBe(false);
  expect(sameImage({ tag: '1' }, { tag: '1', digest: D })).toBe(true);
  expect(sameImage({ digest: D }, { tag: '1' })).toBe(false);
  expect(sameImage({}, {})).toBe(false);
});

test('isAppContainer: reserved names or the app repository', () => {
  expect(isAppContainer({ name: 'wait-for-migrations', image: 'busybox' }, 'ghcr.io/acme/shop')).toBe(true);
  expect(isAppContainer({ name: 'sidecar', image: 'ghcr.io/acme/shop:1' }, 'ghcr.io/acme/shop')).toBe(true);
  expect(isAppContainer({ name: 'sidecar', image: 'envoy:1' }, 'ghcr.io/acme/shop')).toBe(false);
});
