import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeadlineExceededError, IntegrationError, RetryPresets, withRetry, type RetryOptions } from '../../src/resilience/index.js';

/** Runs withRetry on a function that always fails, under fake timers, and returns what happened. */
async function runFailing(options: RetryOptions): Promise<{ calls: number; delays: number[]; attempts: number[]; error: unknown }> {
  let calls = 0;
  const delays: number[] = [];
  const attempts: number[] = [];
  const promise = withRetry(
    () => {
      calls += 1;
      throw new Error(`failure ${calls}`);
    },
    {
      ...options,
      onRetry: (attempt, _error, delay) => {
        attempts.push(attempt);
        delays.push(delay);
      },
    },
  );
  const settled = promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  await jest.runAllTimersAsync();
  return { calls, delays, attempts, error: await settled };
}

describe('withRetry', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it.each([
    ['network', 3],
    ['aggressive', 5],
    ['conservative', 2],
  ] as const)('the %s preset makes %i attempts in total', async (name, expected) => {
    const outcome = await runFailing({ ...RetryPresets[name] });
    expect(outcome.calls).toBe(expected);
    expect(outcome.attempts).toEqual(Array.from({ length: expected - 1 }, (_, index) => index + 1));
    expect((outcome.error as Error).message).toBe(`failure ${expected}`);
  });

  it('presets order their delays: aggressive shorter than network, conservative longer', () => {
    expect(RetryPresets.aggressive.initialDelay).toBeLessThan(RetryPresets.network.initialDelay);
    expect(RetryPresets.conservative.initialDelay).toBeGreaterThan(RetryPresets.network.initialDelay);
  });

  it('options override the preset (maxAttempts)', async () => {
    const outcome = await runFailing({ ...RetryPresets.network, maxAttempts: 5 });
    expect(outcome.calls).toBe(5);
  });

  it('without jitter waits exactly initialDelay × 2^n, capped by maxDelay', async () => {
    const outcome = await runFailing({ maxAttempts: 7, initialDelay: 100, maxDelay: 1_000, jitter: false });
    expect(outcome.delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('full jitter draws each wait from [0, bound) and spreads it over the range', async () => {
    const byRetry: number[][] = [[], [], [], []];
    for (let run = 0; run < 150; run += 1) {
      const outcome = await runFailing({ maxAttempts: 5, initialDelay: 100, maxDelay: 500 });
      outcome.delays.forEach((delay, index) => byRetry[index]?.push(delay));
    }
    const bounds = [100, 200, 400, 500];
    byRetry.forEach((delays, index) => {
      const bound = bounds[index] as number;
      expect(delays).toHaveLength(150);
      for (const delay of delays) {
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(bound);
      }
      // Uniform over [0, bound): with 150 draws both ends of the range are visited.
      expect(Math.min(...delays)).toBeLessThan(bound * 0.2);
      expect(Math.max(...delays)).toBeGreaterThan(bound * 0.8);
    });
  });

  it('passes the retry number, the error and the delay to onRetry', async () => {
    const seen: [number, string, number][] = [];
    let calls = 0;
    const promise = withRetry(
      () => {
        calls += 1;
        if (calls < 3) throw new Error(`boom ${calls}`);
        return 'done';
      },
      { maxAttempts: 3, initialDelay: 10, jitter: false, onRetry: (attempt, error, delay) => seen.push([attempt, error.message, delay]) },
    );
    await jest.runAllTimersAsync();
    await expect(promise).resolves.toBe('done');
    expect(seen).toEqual([
      [1, 'boom 1', 10],
      [2, 'boom 2', 20],
    ]);
  });

  it('gives fn its 1-based attempt number', async () => {
    const attempts: number[] = [];
    const promise = withRetry(
      ({ attempt }) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Error('again');
        return attempt;
      },
      { maxAttempts: 3, initialDelay: 1 },
    );
    await jest.runAllTimersAsync();
    await expect(promise).resolves.toBe(3);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('does not retry what isRetryable refuses, nor a non-retryable IntegrationError', async () => {
    const refused = await runFailing({ maxAttempts: 5, isRetryable: () => false });
    expect(refused.calls).toBe(1);

    let calls = 0;
    const promise = withRetry(
      () => {
        calls += 1;
        throw new IntegrationError('nope', { service: 'x', code: 'PROVIDER_REQUEST_REJECTED', statusCode: 404 });
      },
      { maxAttempts: 5 },
    );
    const settled = promise.catch((error: unknown) => error);
    await jest.runAllTimersAsync();
    expect(await settled).toBeInstanceOf(IntegrationError);
    expect(calls).toBe(1);
  });

  it('waits the Retry-After an IntegrationError carries instead of the backoff', async () => {
    const delays: number[] = [];
    let calls = 0;
    const promise = withRetry(
      () => {
        calls += 1;
        if (calls === 1) throw new IntegrationError('slow down', { service: 'x', code: 'RATE_LIMITED', statusCode: 429, retryAfterMs: 7_000, retryable: true });
        return 'ok';
      },
      { maxAttempts: 2, initialDelay: 10, onRetry: (_attempt, _error, delay) => delays.push(delay) },
    );
    await jest.runAllTimersAsync();
    await expect(promise).resolves.toBe('ok');
    expect(delays).toEqual([7_000]);
  });

  it('an abort during the backoff wait rejects at once with the signal reason, without another attempt', async () => {
    const controller = new AbortController();
    let calls = 0;
    const promise = withRetry(
      () => {
        calls += 1;
        throw new Error('down');
      },
      { maxAttempts: 3, initialDelay: 60_000, jitter: false, signal: controller.signal, onRetry: () => controller.abort(new Error('caller gave up')) },
    );
    const settled = promise.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1);
    expect(((await settled) as Error).message).toBe('caller gave up');
    await jest.runAllTimersAsync();
    expect(calls).toBe(1);
  });

  it('the overall deadline ends the call across attempts with DeadlineExceededError', async () => {
    let calls = 0;
    const promise = withRetry(
      () => {
        calls += 1;
        throw new Error('down');
      },
      { maxAttempts: 10, initialDelay: 400, jitter: false, deadline: 1_000 },
    );
    const settled = promise.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1_000);
    const error = await settled;
    expect(error).toBeInstanceOf(DeadlineExceededError);
    // Attempts at 0 ms, 400 ms (after 400), then a wait of 800 ms that the deadline cuts.
    expect(calls).toBe(2);
    await jest.runAllTimersAsync();
  });
});

describe('withRetry: the process during a wait', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  /** Runs support/retry-wait.ts in its own process: what it printed and how long it lived. */
  async function runScript(mode: 'wait' | 'abort'): Promise<{ output: string; ms: number }> {
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', './scripts/register.mjs', 'test/resilience/support/retry-wait.ts', mode], { cwd: root, timeout: 20_000 });
    return { output: stdout.trim(), ms: Date.now() - started };
  }

  it('is kept alive by a wait it still needs: the retry happens', async () => {
    await expect(runScript('wait')).resolves.toMatchObject({ output: 'retried' });
  });

  it('is not held by a wait its caller gave up: it exits without waiting the 30 s out', async () => {
    const { output, ms } = await runScript('abort');
    expect(output).toBe('rejected: caller gave up');
    expect(ms).toBeLessThan(15_000);
  });
});
