// /healthz (the process and its event loop are alive), /readyz (caches synced: a follower is
// ready too, it only waits for the Lease) and /metrics, on one small HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProbeSources {
  /** Extra liveness check, e.g. "no informer stuck beyond the watchdog". @default always healthy */
  healthy?: () => string | undefined;
  /** Returns a reason while not ready, undefined when ready. */
  notReadyReason: () => string | undefined;
  metrics: () => string;
}

export interface ProbeServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startProbeServer(host: string, port: number, sources: ProbeSources): Promise<ProbeServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz' || path === '/livez') {
      const problem = sources.healthy?.();
      return problem ? reply(503, `unhealthy: ${problem}\n`) : reply(200, 'ok\n');
    }
    if (path === '/readyz') {
      const reason = sources.notReadyReason();
      return reason ? reply(503, `not ready: ${reason}\n`) : reply(200, 'ok\n');
    }
    if (path === '/metrics') return reply(200, sources.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
    return reply(404, 'not found\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
