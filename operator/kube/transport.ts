// HTTP/2 to the apiserver (node:http2), as client-go does: many requests and watches share a
// few TLS connections instead of one socket each. Three lanes with separate connections, so
// no kind of traffic can starve another (issue 12: one HTTPS agent of 16 sockets, 8 of them
// held by each pipeline's watches, deadlocked the operator at two pipelines):
//   lease    leader election only: renewals never wait behind anything;
//   request  lists, gets and writes;
//   watch    long-lived streams, more connections opened as each fills its stream budget.
// Every request has a deadline covering the rate limit, connect, waiting for a stream slot and
// the response.
// Connections carrying streams are pinged and dropped when a ping goes unanswered, so a silent
// apiserver fails the streams on it at once instead of at the watch timeout.
import { readFileSync } from 'node:fs';
import { constants, type ClientHttp2Stream } from 'node:http2';
import { once } from 'node:events';
import type { ClusterAccess } from './access.js';
import { readLines } from './lines.js';
import { TurnBudget } from './turn-budget.js';
import { Pool, reasonOf, type Conn, type Lane, type PoolHost } from './h2-pool.js';
import { TokenBucket } from './rate-limit.js';

export type { Lane };

/** Where a request queues in the client rate limit. */
export interface Priority {
  /** A write of a promotion in flight: ahead of the other requests waiting for a token. */
  ahead?: boolean;
  /**
   * A Kubernetes Event: its tokens come from a bucket of its own (the same QPS and burst), as client-go's
   * event recorder has a client of its own, so a burst of Events never delays the writes that move a promotion.
   */
  event?: boolean;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
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
   * priority-and-fairness limits as 429s. Events have a bucket of their own with the same numbers.
   * @default 100 per second, bursts of 200
   */
  qps?: number;
  burst?: number;
  /** Seconds each request or watch open waited in this process (rate limit, stream slot) before it went out (a metric). */
  onWait?: (lane: Lane, seconds: number) => void;
}

/**
 * The client rate limit's defaults. 500 promotions at once: operator-side p99 4.3-7.8 s at 50/s,
 * 1.6-2.3 s at 100/s (four runs), where the client-side wait fell from seconds to within 5 ms
 * (docs/operator-bench.md, runs Z0-Z5).
 */
export const DEFAULT_RATE_LIMIT = { qps: 100, burst: 200 } as const;

const STREAMS: Record<Lane, number> = { request: 100, watch: 250, lease: 4 };
const CONNECTIONS: Record<Lane, number> = { request: 2, watch: 64, lease: 1 };

export class Transport implements PoolHost {
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  private readonly pools: Record<Lane, Pool>;
  /** The client rate limit, and the Events' own (Priority.event). */
  private readonly limiters: { requests: TokenBucket; events: TokenBucket };
  private readonly onWait?: TransportOptions['onWait'];
  /** Watch events handled per turn of the event loop, across all watches (lines.ts). */
  private readonly watchBudget = new TurnBudget(10);
  private tokenCache?: { value: string; readAt: number };
  /** Since when the apiserver has not answered anything (connection-level failures only). */
  private failingSinceMs?: number;
  private lastFailure?: string;

  constructor(
    readonly access: ClusterAccess,
    o: TransportOptions = {},
  ) {
    this.pingIntervalMs = o.pingIntervalMs ?? 15_000;
    this.pingTimeoutMs = o.pingTimeoutMs ?? 10_000;
    const pool = (lane: Lane) =>
      new Pool(
        lane,
        this,
        o.streamsPerConnection?.[lane] ?? STREAMS[lane],
        o.maxConnections?.[lane] ?? CONNECTIONS[lane],
      );
    this.pools = { request: pool('request'), watch: pool('watch'), lease: pool('lease') };
    const bucket = () => new TokenBucket(o.qps ?? DEFAULT_RATE_LIMIT.qps, o.burst ?? DEFAULT_RATE_LIMIT.burst);
    this.limiters = { requests: bucket(), events: bucket() };
    this.onWait = o.onWait;
  }

  /** Open connections per lane (a metric, and the benchmark's "open connections"). */
  connections(): Record<Lane, number> {
    return {
      request: this.pools.request.conns.length,
      watch: this.pools.watch.conns.length,
      lease: this.pools.lease.conns.length,
    };
  }

  /** Requests waiting for the rate limit or a stream slot. */
  queued(): number {
    const buckets = this.limiters.requests.waiting + this.limiters.events.waiting;
    return buckets + this.pools.request.waiting + this.pools.watch.waiting + this.pools.lease.waiting;
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
  async send(
    method: string,
    url: string,
    opts: { body?: string; contentType?: string; timeoutMs: number; lane?: Lane } & Priority,
  ): Promise<{ status: number; text: string }> {
    const lane = opts.lane ?? 'request';
    const deadline = AbortSignal.timeout(Math.max(1, Math.ceil(opts.timeoutMs)));
    const headers: Record<string, string> =
      opts.body !== undefined ? { 'content-type': opts.contentType ?? 'application/json' } : {};
    try {
      return await this.exchange(lane, method, url, headers, deadline, undefined, opts.body, opts, async (stream) => {
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
  async stream(
    url: string,
    onLine: (line: string) => void,
    opts: { signal: AbortSignal; idleMs: number },
  ): Promise<void> {
    const idle = new AbortController();
    const signal = AbortSignal.any([opts.signal, idle.signal]);
    const timer = setTimeout(() => idle.abort(new Error(`watch silent for ${opts.idleMs} ms`)), opts.idleMs).unref();
    try {
      await this.exchange(
        'watch',
        'GET',
        url,
        {},
        signal,
        opts.signal,
        undefined,
        {},
        async (stream) => {
          await readLines(stream, onLine, () => timer.refresh(), this.watchBudget);
          return '';
        },
        true,
      );
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
  private async exchange(
    lane: Lane,
    method: string,
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal,
    cancel: AbortSignal | undefined,
    body: string | undefined,
    priority: Priority,
    read: (stream: ClientHttp2Stream) => Promise<string>,
    streaming = false,
  ): Promise<{ status: number; text: string }> {
    const pool = this.pools[lane];
    let conn: Conn;
    const queuedAt = performance.now();
    try {
      if (lane !== 'lease') {
        await (priority.event ? this.limiters.events : this.limiters.requests).take(signal, priority.ahead);
      }
      conn = await pool.acquire(signal);
      this.onWait?.(lane, (performance.now() - queuedAt) / 1000);
    } catch (err) {
      if (!signal.aborted) this.noteFailure(lane, err as Error);
      throw err;
    }
    try {
      const { pathname, search } = new URL(url);
      const token = this.token();
      const stream = conn.session.request(
        {
          [constants.HTTP2_HEADER_METHOD]: method,
          [constants.HTTP2_HEADER_PATH]: pathname + search,
          accept: 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        { signal, endStream: body === undefined },
      );
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
      if (!cancel?.aborted && !(err instanceof HttpError))
        this.noteFailure(lane, signal.aborted ? new Error(`no answer: ${reasonOf(signal).message}`) : (err as Error));
      throw err;
    } finally {
      pool.release(conn);
    }
  }
}
