// The optional smoke check: one GET with a timeout, no redirects followed (a redirect to a
// login page is not a healthy app), the result remembered for the next reconcile.
import type { CheckSmoke, SmokeResult } from '../core/types.js';
import { fetchFailure } from './fetch-failure.js';

export async function checkSmoke(
  action: CheckSmoke,
  timeoutMs: number,
  now: () => Date = () => new Date(),
): Promise<SmokeResult> {
  try {
    const res = await fetch(action.url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return { url: action.url, image: action.image, statusCode: res.status, checkedAt: now() };
  } catch (err) {
    return { url: action.url, image: action.image, error: fetchFailure(err, timeoutMs), checkedAt: now() };
  }
}
