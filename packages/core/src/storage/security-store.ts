/** An organization's security settings as stored (JSON documents validated by the services). */
export interface SecuritySettingsRecord {
  readonly organizationKey: string;
  /** The password policy document, or null for the defaults. */
  readonly passwordPolicy: unknown;
  /** The token policy document, or null for the defaults. */
  readonly tokenPolicy: unknown;
  readonly updatedAt: Date;
}

/**
 * Per-organization security settings.
 */
export interface SecuritySettingsStore {
  /** The organization's settings, or null when it never set any. */
  get(organizationKey: string): Promise<SecuritySettingsRecord | null>;
  /** The settings of every organization the user belongs to (those that set any). */
  listForUser(userKey: string): Promise<SecuritySettingsRecord[]>;
  /** Creates or replaces one or both documents (an omitted one is kept). */
  put(
    organizationKey: string,
    documents: { readonly passwordPolicy?: unknown; readonly tokenPolicy?: unknown },
    at: Date,
  ): Promise<void>;
}

/**
 * Fixed-window counters shared by every host instance (the default rate limiter's storage).
 */
export interface RateLimitStore {
  /**
   * Adds one hit to `bucket` in the window starting at `windowStart` (epoch ms) and returns the
   * count in that window after the hit. A hit in a newer window resets the count to 1. MUST be
   * one atomic write (an upsert), so that concurrent hits are all counted.
   */
  hit(bucket: string, windowStart: number): Promise<number>;
  /** Deletes counters whose window started before `before` (epoch ms); returns how many. */
  prune(before: number): Promise<number>;
}
