// How every outbound HTTP check in operator/io words a fetch that threw, so status messages read alike.

/** Why a fetch threw, in a few words: the timeout, or the socket error's code. */
export function fetchFailure(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.name === 'TimeoutError'
    ? `no answer within ${timeoutMs} ms`
    : (e.cause?.code ?? e.cause?.message ?? e.message);
}
