import { OrgKitError } from "../errors.js";
import type { RateLimitStore } from "../storage/security-store.js";
import type { Clock } from "./runtime.js";

/** A limit: at most `limit` hits per window of `windowSeconds`. */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** What a limiter answers for one hit. */
export interface RateLimitOutcome {
  readonly allowed: boolean;
  /** Seconds until the window that refused the hit ends; 0 when allowed. */
  readonly retryAfterSeconds: number;
}

/**
 * Counts hits per key. The default keeps its counters in orgkit's storage, so that every host
 * instance shares them; a host can plug another (Redis, say).
 */
export interface RateLimiter {
  hit(key: string, rule: RateLimitRule): Promise<RateLimitOutcome>;
}

/** The rate-limited actions and who each is limited per. */
export interface RateLimits {
  /** Password sign-in, per account (email) and per source address. Default 10 and 100 per 15 min. */
  readonly signIn: { readonly perAccount: RateLimitRule; readonly perAddress: RateLimitRule };
  /** Invitation creation and resend, per inviting account and per organization. Default 200 and 1,000 per hour. */
  readonly invitation: { readonly perAccount: RateLimitRule; readonly perOrganization: RateLimitRule };
  /** Personal access token creation per account. Default 30 per hour. */
  readonly tokenCreation: { readonly perAccount: RateLimitRule };
  /** SAML login and assertion consumption, per organization and per source address. Default 600 and 60 per 5 min. */
  readonly samlLogin: { readonly perOrganization: RateLimitRule; readonly perAddress: RateLimitRule };
  /**
   * Registration per source address (it tells whether an email has an account, so it is an
   * enumeration oracle worth slowing down). Default 30 per hour.
   */
  readonly registration: { readonly perAddress: RateLimitRule };
}

/** The default {@link RateLimits}. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  signIn: { perAccount: { limit: 10, windowSeconds: 900 }, perAddress: { limit: 100, windowSeconds: 900 } },
  invitation: {
    perAccount: { limit: 200, windowSeconds: 3600 },
    perOrganization: { limit: 1000, windowSeconds: 3600 },
  },
  tokenCreation: { perAccount: { limit: 30, windowSeconds: 3600 } },
  samlLogin: {
    perOrganization: { limit: 600, windowSeconds: 300 },
    perAddress: { limit: 60, windowSeconds: 300 },
  },
  registration: { perAddress: { limit: 30, windowSeconds: 3600 } },
};

/**
 * The default limiter: fixed windows counted in storage with one atomic upsert per hit.
 *
 * @example
 * ```ts
 * createOrgKit({ storage, baseUrl, rateLimiter: storageRateLimiter(storage.rateLimits) });
 * ```
 */
export function storageRateLimiter(
  store: RateLimitStore,
  clock: Clock = { now: () => new Date() },
): RateLimiter {
  return {
    async hit(key, rule) {
      const windowMs = rule.windowSeconds * 1000;
      const now = clock.now().getTime();
      const windowStart = now - (now % windowMs);
      const count = await store.hit(`${key}|${rule.windowSeconds}`, windowStart);
      if (count <= rule.limit) return { allowed: true, retryAfterSeconds: 0 };
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)),
      };
    },
  };
}

/**
 * Hits every (key, rule) pair and throws RATE_LIMITED with the longest wait when any refuses.
 * Every pair is counted, so that hammering one key also uses up the others.
 */
export async function enforceRateLimits(
  limiter: RateLimiter | null,
  hits: readonly (readonly [key: string | null | undefined, rule: RateLimitRule])[],
): Promise<void> {
  if (limiter === null) return;
  let wait = 0;
  for (const [key, rule] of hits) {
    if (key === null || key === undefined || key === "") continue;
    const outcome = await limiter.hit(key, rule);
    if (!outcome.allowed) wait = Math.max(wait, outcome.retryAfterSeconds);
  }
  if (wait > 0) {
    throw new OrgKitError("RATE_LIMITED", {
      message: `Too many attempts; try again in ${wait} seconds.`,
      details: { retryAfterSeconds: wait },
    });
  }
}
