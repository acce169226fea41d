export const CIRCUIT_BREAKER_DEFAULTS = {
  /** Consecutive failures that open the circuit. Default: 5. */
  failureThreshold: 5,
  /** How long an open circuit fails calls at once before it lets one trial call through. Default: 10000 ms. */
  openMs: 10_000,
};

export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitBreakerOptions extends Partial<typeof CIRCUIT_BREAKER_DEFAULTS> {
  /** Names the dependency in errors and logs ("storage", "redis"). */
  name: string;
  /** Which errors count against the dependency (an outage), as opposed to answers (a missing object). */
  isFailure: (error: unknown) => boolean;
  onStateChange?: (state: CircuitState, name: string) => void;
  now?: () => number;
}

/** Thrown instead of calling a dependency whose circuit is open. Transient by nature. */
export class CircuitOpenError extends Error {
  readonly code = "CIRCUIT_OPEN";
  readonly transient = true;
  constructor(name: string, retryInMs: number) {
    super(`${name} is unavailable (circuit open after repeated failures; next try in ${Math.max(0, Math.round(retryInMs))} ms)`);
    this.name = "CircuitOpenError";
  }
}

export interface CircuitBreaker {
  /** Runs `fn` unless the circuit is open; counts its outcome. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  readonly state: CircuitState;
  /** Times the circuit opened, and calls refused while open: for readiness and metrics. */
  readonly stats: { opened: number; refused: number; consecutiveFailures: number };
}

/** A circuit breaker, so a dead dependency is not hammered: after `failureThreshold` failures in a
 * row every call fails at once for `openMs`; then one trial call goes through — success closes the
 * circuit, failure opens it again. Calls that fail with an answer (isFailure false) count as success. */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const threshold = options.failureThreshold ?? CIRCUIT_BREAKER_DEFAULTS.failureThreshold;
  const openMs = options.openMs ?? CIRCUIT_BREAKER_DEFAULTS.openMs;
  const now = options.now ?? Date.now;
  let state: CircuitState = "closed";
  let openedAt = 0;
  let trialInFlight = false;
  const stats = { opened: 0, refused: 0, consecutiveFailures: 0 };
  const move = (next: CircuitState) => {
    if (next === state) return;
    state = next;
    if (next === "open") {
      openedAt = now();
      stats.opened += 1;
    }
    options.onStateChange?.(next, options.name);
  };

  return {
    get state() {
      if (state === "open" && now() - openedAt >= openMs) return "half_open";
      return state;
    },
    stats,
    async run(fn) {
      if (state === "open") {
        const left = openMs - (now() - openedAt);
        if (left > 0 || trialInFlight) {
          stats.refused += 1;
          throw new CircuitOpenError(options.name, left);
        }
        move("half_open");
      }
      if (state === "half_open") {
        if (trialInFlight) {
          stats.refused += 1;
          throw new CircuitOpenError(options.name, 0);
        }
        trialInFlight = true;
      }
      const trial = state === "half_open";
      try {
        const result = await fn();
        stats.consecutiveFailures = 0;
        move("closed");
        return result;
      } catch (error) {
        if (options.isFailure(error)) {
          stats.consecutiveFailures += 1;
          if (trial || stats.consecutiveFailures >= threshold) move("open");
          if (trial) openedAt = now();
        } else {
          stats.consecutiveFailures = 0;
          move("closed");
        }
        throw error;
      } finally {
        if (trial) trialInFlight = false;
      }
    },
  };
}
