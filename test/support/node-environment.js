/**
 * jest's node environment, plus the one global of the process a test context lacks: the
 * dispatcher Node's `fetch` keeps on `globalThis[Symbol.for('undici.globalDispatcher.1')]`.
 * jest runs each test file in a vm context with a `globalThis` of its own, while `fetch` and
 * its dispatcher live in the process's; the resilient client's per-attempt timeouts go through
 * that dispatcher (src/resilience/dispatcher-attempt.ts). The context's property reads and
 * writes the process's, as in a plain Node process, so the tests exercise the path production runs.
 */
import { TestEnvironment } from 'jest-environment-node';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

export default class NodeEnvironmentWithFetchDispatcher extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.defineProperty(this.global, GLOBAL_DISPATCHER, {
      configurable: true,
      enumerable: false,
      get: () => globalThis[GLOBAL_DISPATCHER],
      set: (dispatcher) => {
        globalThis[GLOBAL_DISPATCHER] = dispatcher;
      },
    });
  }
}
