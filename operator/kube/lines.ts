// Newline-delimited reading of a watch body with plain listeners. `for await` over a stream (and
// setEncoding) keeps an async iterator, its promises and a decoder alive per stream: measured
// ~5.8 KB each, 23 MiB of RSS at the 4,000 watches of 500 pipelines. Lines are cut at the byte
// 0x0A, which never occurs inside a multi-byte UTF-8 character, so a character split across two
// chunks is decoded whole.
import type { Readable } from 'node:stream';

const NL = 0x0a;

/**
 * Calls onLine for every non-blank line until the stream ends (resolves), fails or closes early
 * (rejects); onChunk hears every chunk (e.g. to re-arm an idle timer). A throwing onLine rejects.
 */
export function readLines(stream: Readable, onLine: (line: string) => void, onChunk?: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let rest: Buffer | undefined;
    let ended = false;
    const fail = (err: unknown) => {
      stream.off('data', onData);
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onData = (chunk: Buffer) => {
      onChunk?.();
      let buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      rest = undefined;
      try {
        let nl: number;
        while ((nl = buf.indexOf(NL)) >= 0) {
          const line = buf.toString('utf8', 0, nl);
          buf = buf.subarray(nl + 1);
          if (line.trim()) onLine(line);
        }
      } catch (err) {
        stream.destroy();
        fail(err);
        return;
      }
      // Copy the tail: a subarray would keep the whole chunk alive until the next one.
      if (buf.length) rest = Buffer.from(buf);
    };
    stream.on('data', onData);
    stream.once('end', () => {
      ended = true;
      if (rest?.toString('utf8').trim()) {
        try {
          onLine(rest.toString('utf8'));
        } catch (err) {
          fail(err);
          return;
        }
      }
      resolve();
    });
    stream.once('error', fail);
    stream.once('close', () => {
      if (!ended) fail(new Error('stream closed before its end'));
    });
  });
}
