import { CircuitBreaker, CircuitBreakerPresets, type CircuitBreakerConfig, type CircuitStateName, type ProviderHealth } from './circuit-breaker.js';
import { providerCircuitState, providerCircuitTransitions } from './metrics.js';

const STATE_VALUE: Record<CircuitStateName, number> = { CLOSED: 0, OPEN: 1, HALF_OPEN: 2 };

/** A provider never called in this process: closed, no failures. */
const UNTRIED: ProviderHealth = Object.freeze({ circuitState: 'CLOSED', consecutiveFailures: 0, lastFailureAt: null, lastError: null });

export interface ProviderHealthEntry extends ProviderHealth {
  provider: string;
}

/**
 * One circuit breaker per provider per process, shared by every client of that provider, and
 * exported as Prometheus metrics. The process has one ({@link providerBreakers}); tests may
 * make their own and pass it to the clients.
 */
export class ProviderBreakerRegistry {
  readonly #breakers = new Map<string, CircuitBreaker>();

  /** @param defaults the breaker settings of providers whose first client gives none. @default CircuitBreakerPresets.standard */
  constructor(private readonly defaults: CircuitBreakerConfig = CircuitBreakerPresets.standard) {}

  /**
   * The breaker of `provider`, made on first use with `config` over the defaults. Later
   * configs are ignored: the first client of a provider sets its breaker.
   */
  get(provider: string, config?: CircuitBreakerConfig): CircuitBreaker {
    const existing = this.#breakers.get(provider);
    if (existing) return existing;
    const breaker = new CircuitBreaker({
      failureThreshold: config?.failureThreshold ?? this.defaults.failureThreshold,
      resetTimeout: config?.resetTimeout ?? this.defaults.resetTimeout,
      name: provider,
      onStateChange: (state) => {
        providerCircuitState.set({ provider }, STATE_VALUE[state]);
        providerCircuitTransitions.inc({ provider, to: state });
      },
    });
    providerCircuitState.set({ provider }, STATE_VALUE.CLOSED);
    this.#breakers.set(provider, breaker);
    return breaker;
  }

  health(provider: string): ProviderHealth {
    return this.#breakers.get(provider)?.getHealth() ?? { ...UNTRIED };
  }

  /** Every provider called so far in this process. */
  list(): ProviderHealthEntry[] {
    return [...this.#breakers].map(([provider, breaker]) => ({ provider, ...breaker.getHealth() }));
  }

  /** Forgets every breaker (clients made afterwards get fresh, closed ones). For tests. */
  reset(): void {
    for (const provider of this.#breakers.keys()) providerCircuitState.set({ provider }, STATE_VALUE.CLOSED);
    this.#breakers.clear();
  }
}

/** The process's registry: what clients use unless given another. */
export const providerBreakers = new ProviderBreakerRegistry();

/** The breaker state of a provider in this process (`CLOSED`, 0 failures when never called). */
export const getProviderHealth = (provider: string): ProviderHealth => providerBreakers.health(provider);

export const listProviderHealth = (): ProviderHealthEntry[] => providerBreakers.list();

/**
 * Test-only: forgets the process registry's breakers; the next call of any client starts
 * with a fresh, closed one (clients look their breaker up per call).
 */
export const resetProviderBreakers = (): void => providerBreakers.reset();
