/**
 * Resilience for cloud calls: every call of one account goes through one CallGate, which
 *  - limits how many calls of that account are in flight (p-limit; a backoff sleep holds no slot),
 *  - retries throttling and transient errors with exponential backoff and full jitter
 *    (sleep = random(0, min(maxDelay, baseDelay * 2^(attempt-1))), as in the AWS Architecture Blog's
 *    "Exponential Backoff And Jitter"), up to `maxAttempts` calls in total, then throws
 *    RetryExhaustedError,
 *  - times every attempt into the `cloudpam_provider_call_duration_seconds` histogram
 *    (outcome ok | throttled | transient | error).
 * The SDKs' own retries are switched off (EC2Client maxAttempts: 1; gax retryCodes: []), so this is
 * the only retry layer and tests can observe it.
 *
 * Why hand-written backoff: p-retry 8 needs Node 22, and p-retry 7's `randomize` multiplies the
 * delay by 1..2 instead of full jitter. The loop is ~30 lines; concurrency uses p-limit.
 */
import pLimit, { type LimitFunction } from "p-limit";
import { providerCallDuration } from "../metrics.js";
import { withSpan } from "../tracing.js";
import { ProviderError, RetryExhaustedError } from "./errors.js";
import type { ProviderName } from "./types.js";

export interface RetryPolicy {
  /** Total calls, first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 20_000 };
export const DEFAULT_CONCURRENCY = 8;

/** throttle and transient are retried; fatal is not. */
export type ErrorClass = "throttle" | "transient" | "fatal";

export function fullJitterDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

export interface CallGateOptions {
  provider: ProviderName;
  classify: (err: unknown) => ErrorClass;
  /** Turns a fatal SDK error into a ProviderError (not-found, conflict, ...). */
  translate: (err: unknown, operation: string) => ProviderError;
  retry?: Partial<RetryPolicy>;
  concurrency?: number;
  random?: () => number;
}

export class CallGate {
  readonly policy: RetryPolicy;
  readonly limit: LimitFunction;
  private readonly opts: CallGateOptions;

  constructor(opts: CallGateOptions) {
    this.opts = opts;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    if (this.policy.maxAttempts < 1) throw new RangeError("maxAttempts must be >= 1");
    this.limit = pLimit(opts.concurrency ?? DEFAULT_CONCURRENCY);
  }

  /**
   * Runs `fn` (one cloud call) under the concurrency limit, with metrics, retrying throttling and
   * transient errors. A non-idempotent call (`idempotent: false`, e.g. a create whose answer may be
   * lost after the cloud applied it) is tried once; a retryable failure is then thrown as
   * RetryExhaustedError(attempts = 1) so that the surrounding `unit` re-checks state and retries.
   */
  async run<T>(operation: string, fn: () => Promise<T>, opts: { idempotent?: boolean } = {}): Promise<T> {
    const { provider, classify, translate } = this.opts;
    const maxAttempts = opts.idempotent === false ? 1 : this.policy.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      let outcome: "ok" | ErrorClass = "ok";
      let failure: unknown;
      let result: T | undefined;
      await this.limit(async () => {
        const end = providerCallDuration.startTimer({ provider, operation });
        try {
          result = await withSpan(
            `provider ${provider} ${operation}`,
            {
              "cloudpam.provider": provider,
              "cloudpam.provider.operation": operation,
              "cloudpam.attempt": attempt,
            },
            () => fn(),
          );
        } catch (err) {
          failure = err;
          outcome = err instanceof ProviderError ? "fatal" : classify(err);
        } finally {
          end({ outcome: outcome === "fatal" ? "error" : outcome === "throttle" ? "throttled" : outcome });
        }
      });
      if (outcome === "ok") return result as T;
      if (outcome === "fatal") {
        throw failure instanceof ProviderError ? failure : translate(failure, operation);
      }
      if (attempt >= maxAttempts) {
        throw new RetryExhaustedError(provider, operation, attempt, outcome === "throttle", failure);
      }
      await sleep(fullJitterDelay(attempt, this.policy, this.opts.random));
    }
  }

  /**
   * Retries a multi-call unit of work (look up, then create) when one of its single-shot calls failed
   * retryably; a call that already used all its own attempts is not retried again.
   */
  async unit<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const retryable = err instanceof RetryExhaustedError && err.attempts < this.policy.maxAttempts;
        if (!retryable) throw err;
        if (attempt >= this.policy.maxAttempts) {
          throw new RetryExhaustedError(this.opts.provider, operation, attempt, err.throttled, err.cause);
        }
        await sleep(fullJitterDelay(attempt, this.policy, this.opts.random));
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
