// HTTP/2 to the apiserver (node:http2), as client-go does: many requests and watches share a
// few TLS connections instead of one socket each. Three lanes with separate connections, so
// no kind of traffic can starve another (issue 12: one HTTPS agent of 16 sockets, 8 of them
// held by each pipeline's watches, deadlocked the operator at two pipelines):
//   lease    leader election only: renewals never wait behind anything;
//   request  lists, gets and writes;
//   watch    long-lived streams, more connections opened as each fills its stream budget.
// Every request has a deadline covering connect, waiting for a stream slot and the response.
// Connections are pinged when idle and dropped when a ping goes unanswered, so a silent
// apiserver fails the streams on it at once instead of at the watch timeout.
import { readFileSync } from 'node:fs';
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { once } from 'node:events';
import type { ClusterAccess } from './access.js';

export type Lane = 'request' | 'watch' | 'lease';

export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly body: string) {
    super(`HTTP ${statusCode}`);
  }
}

/** A deadline passed (while connecting, queued for a stream, or waiting for the answer). */
export class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export interface TransportOptions {
  /** Streams one connection may carry per lane (capped by the server's SETTINGS). */
  streamsPerConnection?: Partial<Record<Lane, number>>;
  /** Connections per lane. @default request 2, watch 64, lease 1 */
  maxConnections?: Partial<Record<Lane, number>>;
  /** Ping a connection idle this long. @default 15000 */
  pingIntervalMs?: number;
  /** Drop a connection whose ping is not answered within this. @default 10000 */
  pingTimeoutMs?: number;
  /**
   * Client-side rate limit of requests and watch opens (not Lease traffic), like client-go's
   * QPS/burst: a fleet's start-up burst of lists and watches otherwise meets the apiserver's
   * priority-and-fairness limits as 429s. @default 50 per second, bursts of 100
   */
  qps?: number;
  burst?: number;
}

const STREAMS: Record<Lane, number> = { request: 100, watch: 250, lease: 4 };
const CONNECTIONS: Record<Lane, number> = { request: 2, watch: 64, lease: 1 };

interface Conn {
  session: ClientHttp2Session;
  ready: Promise<void>;
  active: number;
  lastUsedMs: number;
  pinger: NodeJS.Timeout;
}

interface Waiter {
  resolve: (c: Conn) => void;
}

/** The connections of one lane and the requests waiting for a stream slot. */
class Pool {
  readonly conns: Conn[] = [];
  private readonly waiters: Waiter[] = [];

  constructor(readonly lane: Lane, private readonly t: Transport, private readonly streams: number, private readonly maxConns: number) {}

  get waiting(): number {
    return this.waiters.length;
  }

  /** A connected connection with a free stream slot; rejects when `signal` fires first. */
  async acquire(signal: AbortSignal): Promise<Conn> {
    signal.throwIfAborted();
    let conn = this.conns.find((c) => c.active < this.limit(c));
    if (!conn && this.conns.length < this.maxConns) conn = this.open();
    if (conn) {
      conn.active++;
      conn.session.ref();
      try {
        await untilReady(conn.ready, signal);
      } catch (err) {
        this.release(conn);
        throw err;
      }
      return conn;
    }
    // Every connection is full: wait for a slot, but never past the deadline.
    return new Promise<Conn>((resolve, reject) => {
      const waiter: Waiter = { resolve };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(signal.reason);
      };
      waiter.resolve = (c) => {
        signal.removeEventListener('abort', onAbort);
        resolve(c);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(conn: Conn): void {
    conn.lastUsedMs = Date.now();
    const next = this.conns.includes(conn) ? this.waiters.shift() : undefined;
    if (next) return next.resolve(conn); // the slot passes on: active stays
    conn.active--;
    if (conn.active === 0) conn.session.unref(); // an idle connection never keeps the process alive
    // A waiter whose connection died takes a slot elsewhere.
    if (this.waiters.length && this.conns.length < this.maxConns) {
      const fresh = this.open();
      fresh.active++;
      this.waiters.shift()!.resolve(fresh);
    }
  }

  close(): void {
    for (const c of [...this.conns]) c.session.close();
  }

  private limit(c: Conn): number {
    const remote = c.session.remoteSettings?.maxConcurrentStreams;
    return Math.min(this.streams, remote && remote > 0 ? remote : this.streams);
  }

  private open(): Conn {
    const { access } = this.t;
    const session = connect(access.server, { ca: access.ca, cert: access.cert, key: access.key, rejectUnauthorized: !access.insecureSkipTlsVerify });
    const conn: Conn = {
      session,
      active: 0,
      lastUsedMs: Date.now(),
      ready: once(session, 'connect').then(() => {
        // Many watch streams share this connection's flow-control window: make it wide.
        session.setLocalWindowSize(16 * 1024 * 1024);
      }),
      pinger: setInterval(() => this.ping(conn), this.t.pingIntervalMs),
    };
    conn.ready.catch(() => {}); // observed by acquire(); here only to avoid an unhandled rejection
    conn.pinger.unref();
    const drop = (err?: Error) => {
      clearInterval(conn.pinger);
      const i = this.conns.indexOf(conn);
      if (i >= 0) this.conns.splice(i, 1);
      if (err) this.t.noteFailure(this.lane, err);
    };
    session.on('error', drop);
    session.on('goaway', () => drop());
    session.on('close', () => drop());
    session.unref();
    this.conns.push(conn);
    return conn;
  }

  /** Pings a connection carrying streams; closes one unused for a minute. */
  private ping(conn: Conn): void {
    if (conn.active === 0) {
      if (Date.now() - conn.lastUsedMs > 60_000) conn.session.close();
      return;
    }
    const timer = setTimeout(() => conn.session.destroy(new Error(`apiserver did not answer a ping within ${this.t.pingTimeoutMs} ms`)), this.t.pingTimeoutMs);
    timer.unref();
    const sent = conn.session.ping((err) => {
      clearTimeout(timer);
      if (err && !conn.session.destroyed) conn.session.destroy(err);
    });
    if (!sent) clearTimeout(timer);
  }
}

/** A token bucket; waiting for a token is abortable (it counts against the request's deadline). */
class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private readonly waiters: { resolve: () => void }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly qps: number, private readonly burst: number) {
    this.tokens = burst;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  take(signal: AbortSignal): Promise<void> {
    this.refill();
    if (this.tokens >= 1 && this.waiters.length === 0) {
      this.tokens--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(signal.reason);
      };
      waiter.resolve = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.tokens >= 1 && this.waiters.length) {
        this.tokens--;
        this.waiters.shift()!.resolve();
      }
      this.schedule();
    }, Math.max(1, Math.ceil(((1 - this.tokens) / this.qps) * 1000)));
  }
}

/** `ready`, or the signal's reason if it fires first (the listener is removed either way). */
function untilReady(ready: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    ready.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class Transport {
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  private readonly pools: Record<Lane, Pool>;
  private readonly limiter: TokenBucket;
  private tokenCache?: { value: string; readAt: number };
  /** Since when the apiserver has not answered anything (connection-level failures only). */
  private failingSinceMs?: number;
  private lastFailure?: string;

  constructor(readonly access: ClusterAccess, o: TransportOptions = {}) {
    this.pingIntervalMs = o.pingIntervalMs ?? 15_000;
    this.pingTimeoutMs = o.pingTimeoutMs ?? 10_000;
    const pool = (lane: Lane) => new Pool(lane, this, o.streamsPerConnection?.[lane] ?? STREAMS[lane], o.maxConnections?.[lane] ?? CONNECTIONS[lane]);
    this.pools = { request: pool('request'), watch: pool('watch'), lease: pool('lease') };
    this.limiter = new TokenBucket(o.qps ?? 50, o.burst ?? 100);
  }

  /** Open connections per lane (a metric, and the benchmark's "open connections"). */
  connections(): Record<Lane, number> {
    return { request: this.pools.request.conns.length, watch: this.pools.watch.conns.length, lease: this.pools.lease.conns.length };
  }

  /** Requests waiting for the rate limit or a stream slot. */
  queued(): number {
    return this.limiter.waiting + this.pools.request.waiting + this.pools.watch.waiting + this.pools.lease.waiting;
  }

  /** Why the apiserver counts as unreachable: no answer at all for `graceMs` since a failure. */
  unreachableReason(graceMs: number, now = Date.now()): string | undefined {
    if (this.failingSinceMs === undefined || now - this.failingSinceMs < graceMs) return undefined;
    return `apiserver unreachable for ${Math.round((now - this.failingSinceMs) / 1000)} s (${this.lastFailure})`;
  }

  noteFailure(lane: Lane, err: Error): void {
    this.failingSinceMs ??= Date.now();
    this.lastFailure = `${lane}: ${err.message}`;
  }

  close(): void {
    for (const p of Object.values(this.pools)) p.close();
  }

  /** One request; resolves with the status and body text (any status). */
  async send(method: string, url: string, opts: { body?: string; contentType?: string; timeoutMs: number; lane?: Lane }): Promise<{ status: number; text: string }> {
    const lane = opts.lane ?? 'request';
    const deadline = AbortSignal.timeout(Math.max(1, Math.ceil(opts.timeoutMs)));
    const headers: Record<string, string> = opts.body !== undefined ? { 'content-type': opts.contentType ?? 'application/json' } : {};
    try {
      return await this.exchange(lane, method, url, headers, deadline, undefined, opts.body, async (stream) => {
        let text = '';
        stream.setEncoding('utf8');
        for await (const chunk of stream) text += chunk;
        return text;
      });
    } catch (err) {
      if (deadline.aborted) throw new DeadlineExceeded(`${method} ${new URL(url).pathname}`, opts.timeoutMs);
      throw err;
    }
  }

  /**
   * A streaming GET (watch): calls onLine per line until the server ends the stream (resolves)
   * or it fails, is aborted, or stays silent for idleMs (rejects). Non-200 answers throw HttpError.
   */
  async stream(url: string, onLine: (line: string) => void, opts: { signal: AbortSignal; idleMs: number }): Promise<void> {
    const idle = new AbortController();
    const signal = AbortSignal.any([opts.signal, idle.signal]);
    const arm = () => setTimeout(() => idle.abort(new Error(`watch silent for ${opts.idleMs} ms`)), opts.idleMs).unref();
    let timer = arm();
    try {
      await this.exchange('watch', 'GET', url, {}, signal, opts.signal, undefined, async (stream) => {
        let buffered = '';
        stream.setEncoding('utf8');
        for await (const chunk of stream) {
          clearTimeout(timer);
          timer = arm();
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (line.trim()) onLine(line);
          }
        }
        return '';
      }, true);
    } catch (err) {
      throw idle.signal.aborted ? idle.signal.reason : err;
    } finally {
      clearTimeout(timer);
    }
  }

  private token(): string | undefined {
    if (!this.access.tokenFile) return this.access.token;
    if (!this.tokenCache || Date.now() - this.tokenCache.readAt > 60_000) {
      this.tokenCache = { value: readFileSync(this.access.tokenFile, 'utf8').trim(), readAt: Date.now() };
    }
    return this.tokenCache.value;
  }

  /**
   * Opens a stream on `lane`, waits for the response headers and hands the body to `read`.
   * Failures count towards "unreachable" once the request was sent (a deadline that fires while
   * queued says nothing about the apiserver), unless the caller itself cancelled (`cancel`).
   */
  private async exchange(lane: Lane, method: string, url: string, headers: Record<string, string>, signal: AbortSignal, cancel: AbortSignal | undefined,
    body: string | undefined, read: (stream: ClientHttp2Stream) => Promise<string>, streaming = false): Promise<{ status: number; text: string }> {
    const pool = this.pools[lane];
    let conn: Conn;
    try {
      if (lane !== 'lease') await this.limiter.take(signal);
      conn = await pool.acquire(signal);
    } catch (err) {
      if (!signal.aborted) this.noteFailure(lane, err as Error);
      throw err;
    }
    try {
      const { pathname, search } = new URL(url);
      const token = this.token();
      const stream = conn.session.request({
        [constants.HTTP2_HEADER_METHOD]: method,
        [constants.HTTP2_HEADER_PATH]: pathname + search,
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      }, { signal, endStream: body === undefined });
      // Errors reach us through once()/the body iterator; an abort after once() gave up would
      // otherwise be an unhandled 'error' event.
      stream.on('error', () => {});
      if (body !== undefined) stream.end(body);
      const [response] = (await once(stream, 'response', { signal })) as [Record<string, string | number>];
      const status = Number(response[constants.HTTP2_HEADER_STATUS]);
      this.failingSinceMs = undefined;
      if (streaming && status !== 200) {
        let text = '';
        stream.setEncoding('utf8');
        for await (const chunk of stream) text += chunk;
        throw new HttpError(status, text);
      }
      return { status, text: await read(stream) };
    } catch (err) {
      if (!cancel?.aborted && !(err instanceof HttpError)) this.noteFailure(lane, signal.aborted ? new Error(`no answer: ${String(signal.reason?.message ?? signal.reason)}`) : (err as Error));
      throw err;
    } finally {
      pool.release(conn);
    }
  }
}
