import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSmoke } from '../../../operator/io/smoke.js';

describe('checkSmoke', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.writeHead(200).end('fine');
      else if (req.url === '/broken') res.writeHead(503).end('db down');
      else if (req.url === '/login') res.writeHead(302, { location: 'https://sso.example/' }).end();
      // /slow never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const check = (path: string, timeoutMs = 2000) =>
    checkSmoke({ type: 'CheckSmoke', url: `${base}${path}`, image: 'r/app:b2' }, timeoutMs);

  it('reports the status code of an answer', async () => {
    expect(await check('/ok')).toMatchObject({ statusCode: 200, image: 'r/app:b2', url: `${base}/ok` });
    expect(await check('/broken')).toMatchObject({ statusCode: 503 });
  });

  it('does not follow a redirect (a login page is not a healthy app)', async () => {
    expect(await check('/login')).toMatchObject({ statusCode: 302 });
  });

  it('reports a timeout and a refused connection as errors', async () => {
    expect(await check('/slow', 200)).toMatchObject({ error: 'no answer within 200 ms' });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await checkSmoke({ type: 'CheckSmoke', url: `http://127.0.0.1:${port}/`, image: 'x' }, 1000);
    expect(refused.statusCode).toBeUndefined();
    expect(refused.error).toBe('ECONNREFUSED');
  });
});
