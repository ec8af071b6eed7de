import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Socket } from 'node:net';
import type { Container, HttpGetAction, Probe } from './types.js';

/** Where the "pod" is reachable from the prober, and how to exec in its container. */
export interface ProbeTarget {
  /** The pod IP the kubelet would dial; here a loopback address. */
  podIP: string;
  /** containerPort -> the local port it is really served on. */
  portMap: ReadonlyMap<number, number>;
  container: Container;
  /** Run argv inside the container (its env and working dir); exit code, or null on timeout. */
  exec(argv: string[], timeoutMs: number): Promise<number | null>;
}

/** How strict a probe is beyond the kubelet's own rules. */
export interface ProbeOptions {
  /**
   * Count any 3xx as a failure. The kubelet counts it as success, so a probe answered by an SSL redirect
   * passes while checking nothing; the contract check refuses that. @default false (kubelet semantics)
   */
  redirectIsFailure?: boolean;
}

export interface ProbeResult {
  ok: boolean;
  /** HTTP status, exit code, or undefined (connection error, timeout). */
  status?: number | null;
  detail: string;
}

const KUBE_PROBE_USER_AGENT = 'kube-probe/1.27';
const MAX_REDIRECTS = 10;
const MAX_BODY = 10 * 1024;

/** One probe attempt with the kubelet's semantics (timeoutSeconds defaults to 1). */
export async function probeOnce(probe: Probe, target: ProbeTarget, options: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) return httpProbe(probe.httpGet, target, timeoutMs, options);
  if (probe.exec) {
    const argv = probe.exec.command ?? [];
    const code = await target.exec(argv, timeoutMs);
    return {
      ok: code === 0,
      status: code,
      detail: code === null ? `exec timed out after ${timeoutMs} ms` : `exit ${code}`,
    };
  }
  if (probe.tcpSocket) {
    const port = hostPort(probe.tcpSocket.port, target);
    return tcpProbe(probe.tcpSocket.host ?? target.podIP, port, timeoutMs);
  }
  throw new Error(`unsupported probe handler: ${JSON.stringify(probe)}`);
}

/**
 * A startup probe as the kubelet runs it: after initialDelaySeconds, every
 * periodSeconds, until it succeeds or fails failureThreshold times in a row.
 */
export async function runStartupProbe(
  probe: Probe,
  target: ProbeTarget,
  /** Stop early when this says the container is gone (the kubelet would restart it, not keep probing). */
  containerExited: () => boolean = () => false,
  options: ProbeOptions & {
    /** Give up at once on a result that waiting cannot change (e.g. a served 404). @default never */
    hopeless?: (result: ProbeResult) => boolean;
    /** Give up after this long even if the manifest's budget is larger. @default the manifest's budget */
    maxWaitMs?: number;
  } = {},
): Promise<{ result: ProbeResult; attempts: number }> {
  const period = (probe.periodSeconds ?? 10) * 1000;
  const threshold = probe.failureThreshold ?? 3;
  const deadline = Date.now() + (options.maxWaitMs ?? Infinity);
  await sleep((probe.initialDelaySeconds ?? 0) * 1000);
  for (let attempt = 1; ; attempt++) {
    const result = await probeOnce(probe, target, options);
    if (result.ok || attempt >= threshold) return { result, attempts: attempt };
    if (containerExited())
      return { result: { ...result, detail: `container exited; last probe: ${result.detail}` }, attempts: attempt };
    if (options.hopeless?.(result)) return { result, attempts: attempt };
    if (Date.now() + period > deadline)
      return {
        result: { ...result, detail: `gave up after ${attempt} attempts; last: ${result.detail}` },
        attempts: attempt,
      };
    await sleep(period);
  }
}

function hostPort(port: number | string, target: ProbeTarget): number {
  let containerPort: number;
  if (typeof port === 'number' || /^\d+$/.test(port)) {
    containerPort = Number(port);
  } else {
    const named = target.container.ports?.find((p) => p.name === port);
    if (!named) throw new Error(`container ${target.container.name} has no port named "${port}"`);
    containerPort = named.containerPort;
  }
  const mapped = target.portMap.get(containerPort);
  if (mapped === undefined) throw new Error(`container port ${containerPort} is not mapped to a local port`);
  return mapped;
}

async function httpProbe(
  action: HttpGetAction,
  target: ProbeTarget,
  timeoutMs: number,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const host = action.host ?? target.podIP;
  let url = new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${hostPort(action.port, target)}`);
  url = new URL(action.path ?? '', url);
  const headers: Record<string, string> = { 'User-Agent': KUBE_PROBE_USER_AGENT, Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) headers[canonicalHeader(h.name)] = h.value;
  const deadline = Date.now() + timeoutMs;

  // The kubelet follows redirects to the same host; a redirect elsewhere
  // counts as the 3xx it is (a success, with a warning event).
  for (let hop = 0; ; hop++) {
    let response: { status: number; location?: string; body: string };
    try {
      response = await get(url, headers, Math.max(1, deadline - Date.now()));
    } catch (err) {
      return { ok: false, detail: `GET ${url.pathname}: ${(err as Error).message}` };
    }
    const detail = `GET ${url.pathname} -> ${response.status} ${response.body.slice(0, 300)}`;
    if (options.redirectIsFailure && response.status >= 300 && response.status < 400) {
      const to = response.location ? ` to ${response.location}` : '';
      return {
        ok: false,
        status: response.status,
        detail: `GET ${url.pathname} -> ${response.status}, a redirect${to}: the kubelet would count it as a pass while it checks nothing`,
      };
    }
    if (response.status >= 300 && response.status < 400 && response.location && hop < MAX_REDIRECTS) {
      const next = new URL(response.location, url);
      if (next.hostname === url.hostname) {
        url = next;
        continue;
      }
    }
    return { ok: response.status >= 200 && response.status < 400, status: response.status, detail };
  }
}

function get(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Node sends the Host header we give verbatim, like Go's req.Host.
    const req = send(
      url,
      { method: 'GET', headers, rejectUnauthorized: false, timeout: timeoutMs },
      (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: body.slice(0, MAX_BODY) }),
        );
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (ok: boolean, detail: string) => {
      socket.destroy();
      resolve({ ok, detail });
    };
    socket.setTimeout(timeoutMs, () => finish(false, `tcp ${host}:${port}: timeout`));
    socket.once('error', (err) => finish(false, `tcp ${host}:${port}: ${err.message}`));
    socket.connect(port, host, () => finish(true, `tcp ${host}:${port}: connected`));
  });
}

function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
