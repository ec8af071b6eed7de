// web.probes and the worker/beat liveness choices. Every default is today's behaviour, written once here.
import { z } from 'zod';
import { integer } from './common-schema.js';

const URL_PATH = 'a URL path starting with "/" (no query, no spaces), e.g. "/healthz"';
export const urlPath = z.string(URL_PATH).regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, URL_PATH);

interface ProbeDefaults {
  path?: string;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

/** One HTTP probe of the web container; `path` omitted on startup means "the liveness path". */
function httpProbe(d: ProbeDefaults) {
  return z
    .strictObject({
      /** Request path. @default per probe: liveness /healthz, readiness /readiness, startup = liveness path */
      path: d.path ? urlPath.default(d.path) : urlPath.optional(),
      /** Container port. @default the web container's `http` port (8000) */
      port: integer(1, 65_535).optional(),
      /** @default 0 */
      initialDelaySeconds: integer(0, 3600).default(0),
      /** @default per probe (liveness 10, readiness 10, startup 5) */
      periodSeconds: integer(1, 3600).default(d.periodSeconds),
      /** @default per probe (liveness 3, readiness 5, startup 3) */
      timeoutSeconds: integer(1, 3600).default(d.timeoutSeconds),
      /** @default per probe (liveness 3, readiness 3, startup 60: five minutes to boot) */
      failureThreshold: integer(1, 1000).default(d.failureThreshold),
    })
    .prefault({});
}

export const webProbes = z
  .strictObject({
    /** Never touches the database: a slow DB must not restart healthy web pods. */
    liveness: httpProbe({ path: '/healthz', periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
    /** The helper bounds its DB check below 5 s; three misses before leaving the endpoints avoids flapping. */
    readiness: httpProbe({ path: '/readiness', periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
    /** Up to 5 minutes to boot; liveness only starts counting afterwards. */
    startup: httpProbe({ periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 }),
  })
  .prefault({});
export type WebProbesConfig = z.infer<typeof webProbes>;

/**
 * How the kubelet decides a worker is alive.
 * - heartbeat: the heartbeat file's age (the helper's bootstep, or your own, touches it)
 * - inspect-ping: `celery inspect ping` to this pod's own node, no app code; a Python start and a broker
 *   round trip per probe, so it runs every 60 s
 * - none: no liveness probe (and no startup probe)
 */
export const workerLiveness = z.enum(['heartbeat', 'inspect-ping', 'none']);
export type WorkerLiveness = z.infer<typeof workerLiveness>;

/** tick: `python -m ponyexpress_django.check beat` (needs the helper's beat hook); none: no probe. */
export const beatLiveness = z.enum(['tick', 'none']);
export type BeatLiveness = z.infer<typeof beatLiveness>;
