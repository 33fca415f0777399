/**
 * A process whose only work is one `withRetry` call: the first attempt fails, then the call
 * waits before its retry. Prints how the call ended, for `retry.test.ts`.
 *   wait:  a 300 ms wait, then a successful retry (the wait must keep the process alive);
 *   abort: the caller aborts at the start of a 30 s wait (the process must not wait it out).
 */
import { withRetry } from '../../../src/resilience/retry.js';

const mode = process.argv[2];
const controller = new AbortController();
let calls = 0;

withRetry(
  () => {
    calls += 1;
    if (calls === 1) throw new Error('flaky');
    return 'retried';
  },
  {
    maxAttempts: 2,
    initialDelay: mode === 'abort' ? 30_000 : 300,
    maxDelay: 30_000,
    jitter: false,
    signal: controller.signal,
    onRetry: () => {
      if (mode === 'abort') controller.abort(new Error('caller gave up'));
    },
  },
).then(
  (value) => console.log(value),
  (error: unknown) => console.log(`rejected: ${(error as Error).message}`),
);
