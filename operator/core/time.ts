// Time in and out of the core: inputs may be strings or Dates, status always holds RFC 3339 seconds.
import type { Time } from './types.js';

/** Milliseconds since the epoch, or undefined for a missing or unparsable time. */
export function millis(time: Time | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/** RFC 3339 with seconds precision, as metav1.Time serialises: equal instants give equal strings. */
export function rfc3339(time: Date | number): string {
  const date = typeof time === 'number' ? new Date(time) : time;
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Whole seconds from now until a deadline, at least 1 (for requeueAfterSeconds). */
export function secondsUntil(nowMs: number, deadlineMs: number): number {
  return Math.max(1, Math.ceil((deadlineMs - nowMs) / 1000));
}
