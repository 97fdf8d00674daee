/**
 * Request rate limits per API token and per client address (rate-limiter-flexible, in memory).
 * A token bucket of RATE_LIMIT_BURST requests refilled at RATE_LIMIT_PER_SECOND is approximated
 * with rate-limiter-flexible's BurstyRateLimiter: RATE_LIMIT_PER_SECOND requests per second, plus
 * a burst allowance of RATE_LIMIT_BURST - RATE_LIMIT_PER_SECOND that refills over
 * RATE_LIMIT_BURST / RATE_LIMIT_PER_SECOND seconds.
 * A request with a credential draws on that credential's bucket only (behind one ingress address,
 * users do not share a bucket); a request without one draws on its client address's bucket.
 */
import { createHash } from "node:crypto";
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export interface RateLimitSettings {
  rateLimitPerSecond: number;
  rateLimitBurst: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number; scope: string };

function bucket(keyPrefix: string, s: RateLimitSettings): BurstyRateLimiter {
  const extra = Math.max(s.rateLimitBurst - s.rateLimitPerSecond, 1);
  return new BurstyRateLimiter(
    new RateLimiterMemory({ keyPrefix, points: s.rateLimitPerSecond, duration: 1 }),
    new RateLimiterMemory({
      keyPrefix: `${keyPrefix}-burst`,
      points: extra,
      duration: Math.max(Math.ceil(s.rateLimitBurst / s.rateLimitPerSecond), 1),
    }),
  );
}

/**
 * The rate-limit key of a bearer credential, without keeping the secret: an API token's public
 * prefix, or a hash of any other bearer value (JWT). Null without a credential.
 */
export function credentialKey(authorization: string | undefined): string | null {
  const m = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(authorization ?? "");
  const credential = m?.[1];
  if (!credential) return null;
  const api = /^cpam_([a-z0-9]{10})_/.exec(credential);
  if (api) return `token:${api[1]}`;
  return `bearer:${createHash("sha256").update(credential).digest("base64url").slice(0, 22)}`;
}

export class RequestRateLimiter {
  private readonly perToken: BurstyRateLimiter;
  private readonly perAddress: BurstyRateLimiter;

  constructor(settings: RateLimitSettings) {
    this.perToken = bucket("cloudpam-token", settings);
    this.perAddress = bucket("cloudpam-addr", settings);
  }

  /** Takes one request from the credential's bucket, or without a credential from the address's. */
  async take(address: string, credential: string | null): Promise<RateDecision> {
    const [limiter, key, scope] = credential
      ? [this.perToken, credential, "this credential"]
      : [this.perAddress, address, `client address ${address}`];
    try {
      await limiter.consume(key);
      return { ok: true };
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(e.msBeforeNext / 1000)), scope };
    }
  }
}
