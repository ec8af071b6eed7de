// Polling helpers used while starting components.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** GET an https URL; resolves with the status code (0 when the connection fails). */
export function httpsStatus(url: string, tls: TlsFiles = {}, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'GET',
        timeout: timeoutMs,
        ca: tls.ca ? readFileSync(tls.ca) : undefined,
        cert: tls.cert ? readFileSync(tls.cert) : undefined,
        key: tls.key ? readFileSync(tls.key) : undefined,
        // kcm and the scheduler serve a self-signed certificate made at startup.
        rejectUnauthorized: Boolean(tls.ca),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  /** Checked each round; a non-null string aborts the wait with that error. */
  failIf?: () => string | null;
  /** @default 100 */
  intervalMs?: number;
}

/** Thrown by a wait check to end the wait at once (errors of other types mean "not yet"). */
export class StopWaiting extends Error {}

/** Polls `check` until it returns true, the timeout passes, or failIf reports an error. */
export async function waitUntil(check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const failure = options.failIf?.();
    if (failure) throw new Error(`${options.what}: ${failure}`);
    const done = await check().catch((error: unknown) => {
      if (error instanceof StopWaiting) throw error;
      return false;
    });
    if (done) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
