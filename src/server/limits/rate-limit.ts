/**
 * Request rate limits per API token and per client address (rate-limiter-flexible, in memory).
 * A token bucket of RATE_LIMIT_BURST requests refilled at RATE_LIMIT_PER_SECOND is approximated
 * with rate-limiter-flexible's BurstyRateLimiter: RATE_LIMIT_PER_SECOND requests per second, plus
 * a burst allowance of RATE_LIMIT_BURST - RATE_LIMIT_PER_SECOND that refills over
 * RATE_LIMIT_BURST / RATE_LIMIT_PER_SECOND seconds.
 * A request with a verified credential draws on that credential's bucket only (behind one ingress
 * address, users do not share a bucket). A request without one, or with a credential that has not
 * authenticated recently, draws on its client address's bucket: a stream of made-up tokens is limited
 * like any unauthenticated traffic, and each real token pays the address bucket once per
 * VERIFIED_TTL_MS. A 401 forgets the credential at once.
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

/** How long a credential counts as verified after it last authenticated. */
export const VERIFIED_TTL_MS = 10 * 60_000;
const MAX_VERIFIED = 10_000;

/** Requests whose credential authenticated (set by the routes that authenticate). */
const authenticatedRequests = new WeakSet<object>();

/** Marks a request whose credential authenticated, so its credential gets a bucket of its own. */
export function markAuthenticated(req: object): void {
  authenticatedRequests.add(req);
}

export function wasAuthenticated(req: object): boolean {
  return authenticatedRequests.has(req);
}

export class RequestRateLimiter {
  private readonly perToken: BurstyRateLimiter;
  private readonly perAddress: BurstyRateLimiter;
  /** Credential key -> when it last authenticated (insertion order = age; bounded). */
  private readonly verified = new Map<string, number>();

  constructor(
    settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.perToken = bucket("cloudpam-token", settings);
    this.perAddress = bucket("cloudpam-addr", settings);
  }

  /** Records that `credential` authenticated: from now on it draws on its own bucket. */
  verify(credential: string): void {
    this.verified.delete(credential);
    this.verified.set(credential, this.now());
    if (this.verified.size > MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
  }

  /** Forgets a credential that failed to authenticate. */
  forget(credential: string): void {
    this.verified.delete(credential);
  }

  private isVerified(credential: string): boolean {
    const at = this.verified.get(credential);
    if (at === undefined) return false;
    if (this.now() - at <= VERIFIED_TTL_MS) return true;
    this.verified.delete(credential);
    return false;
  }

  /**
   * Takes one request from the credential's bucket when the credential is verified (or
   * `alreadyVerified`, as on an authenticated WebSocket), else from the address's.
   */
  async take(address: string, credential: string | null, alreadyVerified = false): Promise<RateDecision> {
    const own = credential !== null && (alreadyVerified || this.isVerified(credential));
    const [limiter, key, scope] = own
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
