import { jest } from '@jest/globals';
import { TokenBucket } from '../../../operator/kube/rate-limit.js';

afterEach(() => jest.useRealTimers());

test('a request marked ahead takes the next token before the ones already waiting; the others keep their order', async () => {
  jest.useFakeTimers({ now: 0 });
  const bucket = new TokenBucket(10, 1); // one token every 100 ms
  const never = new AbortController().signal;
  const order: string[] = [];
  const take = (name: string, ahead = false) => bucket.take(never, ahead).then(() => order.push(name));
  const all = [take('first'), take('status 1'), take('event 1'), take('status 2')];
  await jest.advanceTimersByTimeAsync(50);
  all.push(take('job', true));
  expect(bucket.waiting).toBe(4);
  await jest.advanceTimersByTimeAsync(400);
  await Promise.all(all);
  expect(order).toEqual(['first', 'job', 'status 1', 'event 1', 'status 2']);
});

test('a waiter marked ahead still leaves at its deadline', async () => {
  jest.useFakeTimers({ now: 0 });
  const bucket = new TokenBucket(1, 1);
  const never = new AbortController().signal;
  await bucket.take(never);
  const deadline = new AbortController();
  const waiting = bucket.take(deadline.signal, true);
  deadline.abort(new Error('deadline'));
  await expect(waiting).rejects.toThrow('deadline');
  expect(bucket.waiting).toBe(0);
});
