// Structured logs: one JSON object per line on stdout, so any log pipeline can parse them.
import type { Fields, Logger } from '../telemetry.js';
import type { LogLevel } from './config.js';

export type { Fields, Logger };

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(
  level: LogLevel,
  base: Fields = {},
  write: (line: string) => void = (l) => process.stdout.write(l),
): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Fields) => {
    if (RANK[lvl] < RANK[level]) return;
    const record: Fields = { time: new Date().toISOString(), level: lvl, msg, ...base, ...fields };
    write(JSON.stringify(record, errorReplacer) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

// Errors stringify to {} by default; keep what helps an operator at 3 a.m.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) };
  }
  return value;
}
