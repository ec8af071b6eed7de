// The HTTP/2 connections of one transport lane: a connection per `streams` concurrent streams
// (capped by the server's SETTINGS_MAX_CONCURRENT_STREAMS), at most `maxConns`, and a queue of
// requests waiting for a slot that each leave at their own deadline. Connections carrying
// streams are pinged; one that does not answer is destroyed, failing its streams at once.
import { connect, type ClientHttp2Session } from 'node:http2';
import { once } from 'node:events';
import type { ClusterAccess } from './access.js';

export type Lane = 'request' | 'watch' | 'lease';

/** What a pool needs from its transport. */
export interface PoolHost {
  readonly access: ClusterAccess;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  noteFailure(lane: Lane, err: Error): void;
}

export interface Conn {
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
export class Pool {
  readonly conns: Conn[] = [];
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly lane: Lane,
    private readonly t: PoolHost,
    private readonly streams: number,
    private readonly maxConns: number,
  ) {}

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
        reject(reasonOf(signal));
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
    const session = connect(access.server, {
      ca: access.ca,
      cert: access.cert,
      key: access.key,
      rejectUnauthorized: !access.insecureSkipTlsVerify,
    });
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
    const timer = setTimeout(
      () => conn.session.destroy(new Error(`apiserver did not answer a ping within ${this.t.pingTimeoutMs} ms`)),
      this.t.pingTimeoutMs,
    );
    timer.unref();
    const sent = conn.session.ping((err) => {
      clearTimeout(timer);
      if (err && !conn.session.destroyed) conn.session.destroy(err);
    });
    if (!sent) clearTimeout(timer);
  }
}

/** `ready`, or the signal's reason if it fires first (the listener is removed either way). */
function untilReady(ready: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(reasonOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    ready.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The signal's reason as an Error (AbortSignal.timeout gives a DOMException, which is one). */
export function reasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}
