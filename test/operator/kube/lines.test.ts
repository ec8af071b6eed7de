// readLines: the watch body reader (newline-delimited JSON) on plain stream listeners.
import { PassThrough } from 'node:stream';
import { readLines } from '../../../operator/kube/lines.js';
import { TurnBudget } from '../../../operator/kube/turn-budget.js';
import { burn, countTurns, perTurn } from '../support/turns.js';

describe('readLines', () => {
  it('hands over whole lines however the chunks cut them, multi-byte characters included', async () => {
    const s = new PassThrough();
    const lines: string[] = [];
    let chunks = 0;
    const done = readLines(
      s,
      (l) => lines.push(l),
      () => chunks++,
    );
    const text = Buffer.from('{"a":"é"}\n\n{"b":"日本"}\n{"c":1}\n', 'utf8');
    // Cut inside "é" (2 bytes) and inside "日" (3 bytes), and between lines.
    const cuts = [7, 8, 20, 21, 22, text.length];
    let at = 0;
    for (const c of cuts) {
      s.write(text.subarray(at, c));
      at = c;
    }
    s.end();
    await done;
    expect(lines).toEqual(['{"a":"é"}', '{"b":"日本"}', '{"c":1}']);
    expect(chunks).toBe(cuts.length);
  });

  it('passes a last line without a newline at the end', async () => {
    const s = new PassThrough();
    const lines: string[] = [];
    const done = readLines(s, (l) => lines.push(l));
    s.end('{"x":1}\n{"y":2}');
    await done;
    expect(lines).toEqual(['{"x":1}', '{"y":2}']);
  });

  it('rejects when the stream fails or closes before its end', async () => {
    const failed = new PassThrough();
    const a = readLines(failed, () => {});
    failed.destroy(new Error('boom'));
    await expect(a).rejects.toThrow('boom');

    const closed = new PassThrough();
    const b = readLines(closed, () => {});
    closed.write('{"half":');
    closed.destroy();
    await expect(b).rejects.toThrow('closed before its end');
  });

  it('rejects with the error of a line handler that throws, and stops reading', async () => {
    const s = new PassThrough();
    const seen: string[] = [];
    const done = readLines(s, (l) => {
      seen.push(l);
      if (l === 'bad') throw new SyntaxError('not JSON');
    });
    s.write('ok\nbad\nnever\n');
    await expect(done).rejects.toThrow('not JSON');
    expect(seen).toEqual(['ok', 'bad']);
  });

  it('handles at most a turn budget of lines per turn across streams, in order, and still ends', async () => {
    const turns = countTurns();
    const budget = new TurnBudget(10);
    const handled: { stream: number; line: string; turn: number }[] = [];
    const streams = [new PassThrough(), new PassThrough()];
    const done = streams.map((s, i) =>
      readLines(
        s,
        (line) => {
          handled.push({ stream: i, line, turn: turns.now });
          burn(3); // parsing and caching one watch event
        },
        undefined,
        budget,
      ),
    );
    // A flood: each stream gets 8 events in 8 chunks at once, then ends.
    for (const [i, s] of streams.entries()) {
      for (let n = 0; n < 8; n++) s.write(`{"s":${i},"n":${n}}\n`);
      s.end();
    }
    await Promise.all(done);
    turns.stop();
    expect(handled.filter((h) => h.stream === 0).map((h) => h.line)).toEqual(
      Array.from({ length: 8 }, (_, n) => `{"s":0,"n":${n}}`),
    );
    expect(handled.filter((h) => h.stream === 1)).toHaveLength(8);
    const lines = perTurn(handled.map((h) => h.turn));
    // 10 ms per turn at 3 ms a line: about four lines a turn (the budget is per turn only roughly: a
    // turn's clock restarts in its check phase, so up to two slices), never all sixteen at once.
    expect(Math.max(...lines)).toBeLessThanOrEqual(8);
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });
});
