import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { CircuitBreaker, CircuitBreakerPresets, CircuitOpenError, IntegrationError, type CircuitStateName } from '../../src/resilience/index.js';

const fail = (): Promise<never> => Promise.reject(new Error('provider down'));
const succeed = (): Promise<string> => Promise.resolve('fine');

function breakerWithLog(threshold = 3, resetTimeout = 1_000): { breaker: CircuitBreaker; transitions: [CircuitStateName, CircuitStateName][] } {
  const transitions: [CircuitStateName, CircuitStateName][] = [];
  const breaker = new CircuitBreaker({
    name: 'test-api',
    failureThreshold: threshold,
    resetTimeout,
    onStateChange: (state, previous) => transitions.push([state, previous]),
  });
  return { breaker, transitions };
}

async function failTimes(breaker: CircuitBreaker, times: number): Promise<void> {
  for (let index = 0; index < times; index += 1) await expect(breaker.execute(fail)).rejects.toThrow('provider down');
}

describe('CircuitBreaker', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('has the seed presets', () => {
    expect(CircuitBreakerPresets.standard).toEqual({ failureThreshold: 5, resetTimeout: 60_000 });
    expect(CircuitBreakerPresets.aggressive).toEqual({ failureThreshold: 3, resetTimeout: 30_000 });
    expect(CircuitBreakerPresets.tolerant).toEqual({ failureThreshold: 10, resetTimeout: 120_000 });
  });

  it('opens after the threshold of consecutive failures, and a success resets the count', async () => {
    const { breaker } = breakerWithLog(3);
    await failTimes(breaker, 2);
    await expect(breaker.execute(succeed)).resolves.toBe('fine');
    expect(breaker.getHealth().consecutiveFailures).toBe(0);
    await failTimes(breaker, 2);
    expect(breaker.getState()).toBe('CLOSED');
    await failTimes(breaker, 1);
    expect(breaker.getState()).toBe('OPEN');
  });

  it('fails fast while open: a typed error and no call', async () => {
    const { breaker } = breakerWithLog(2, 5_000);
    await failTimes(breaker, 2);
    const fn = jest.fn(succeed);
    const error = await breaker.execute(fn).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', breakerName: 'test-api', retryAfterMs: 5_000 });
    expect(fn).not.toHaveBeenCalled();
  });

  it('goes CLOSED → OPEN → HALF_OPEN → CLOSED when the probe succeeds', async () => {
    const { breaker, transitions } = breakerWithLog(2, 1_000);
    await failTimes(breaker, 2);
    jest.advanceTimersByTime(999);
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    jest.advanceTimersByTime(1);
    let stateDuringProbe: CircuitStateName | undefined;
    await expect(
      breaker.execute(async () => {
        stateDuringProbe = breaker.getState();
        return 'recovered';
      }),
    ).resolves.toBe('recovered');
    expect(stateDuringProbe).toBe('HALF_OPEN');
    expect(breaker.getState()).toBe('CLOSED');
    expect(transitions).toEqual([
      ['OPEN', 'CLOSED'],
      ['HALF_OPEN', 'OPEN'],
      ['CLOSED', 'HALF_OPEN'],
    ]);
  });

  it('goes HALF_OPEN → OPEN when the probe fails, for another full timeout', async () => {
    const { breaker, transitions } = breakerWithLog(2, 1_000);
    await failTimes(breaker, 2);
    jest.advanceTimersByTime(1_000);
    await failTimes(breaker, 1);
    expect(breaker.getState()).toBe('OPEN');
    expect(transitions).toEqual([
      ['OPEN', 'CLOSED'],
      ['HALF_OPEN', 'OPEN'],
      ['OPEN', 'HALF_OPEN'],
    ]);
    jest.advanceTimersByTime(999);
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    jest.advanceTimersByTime(1);
    await expect(breaker.execute(succeed)).resolves.toBe('fine');
    expect(breaker.getState()).toBe('CLOSED');
  });

  it('lets one probe through in HALF_OPEN; concurrent callers wait for its verdict', async () => {
    const { breaker } = breakerWithLog(1, 100);
    await failTimes(breaker, 1);
    jest.advanceTimersByTime(100);
    let release: (value: string) => void = () => undefined;
    const probe = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const other = jest.fn(succeed);
    const first = breaker.execute(probe);
    const second = breaker.execute(other);
    await Promise.resolve();
    expect(probe).toHaveBeenCalledTimes(1);
    expect(other).not.toHaveBeenCalled();
    release('probe ok');
    await expect(first).resolves.toBe('probe ok');
    await expect(second).resolves.toBe('fine');
    expect(other).toHaveBeenCalledTimes(1);
  });

  it('does not count "your request is wrong" errors, only provider failures', async () => {
    const { breaker } = breakerWithLog(2);
    const rejected = new IntegrationError('nope', { service: 'x', code: 'PROVIDER_REQUEST_REJECTED', statusCode: 404 });
    for (let index = 0; index < 5; index += 1) await expect(breaker.execute(() => Promise.reject(rejected))).rejects.toBe(rejected);
    expect(breaker.getState()).toBe('CLOSED');
    expect(breaker.getHealth().consecutiveFailures).toBe(0);
    const down = new IntegrationError('down', { service: 'x', code: 'PROVIDER_UNAVAILABLE', statusCode: 503, providerFault: true });
    for (let index = 0; index < 2; index += 1) await expect(breaker.execute(() => Promise.reject(down))).rejects.toBe(down);
    expect(breaker.getState()).toBe('OPEN');
  });

  it('reports its health: state, consecutive failures, last failure time and message', async () => {
    jest.setSystemTime(new Date('2026-01-02T03:04:05.000Z'));
    const { breaker } = breakerWithLog(3);
    expect(breaker.getHealth()).toEqual({ circuitState: 'CLOSED', consecutiveFailures: 0, lastFailureAt: null, lastError: null });
    await failTimes(breaker, 3);
    expect(breaker.getHealth()).toEqual({
      circuitState: 'OPEN',
      consecutiveFailures: 3,
      lastFailureAt: new Date('2026-01-02T03:04:05.000Z'),
      lastError: 'provider down',
    });
  });
});
