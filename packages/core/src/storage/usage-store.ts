/** A metered event: what one call consumed, for the billing statements. */
export interface UsageEventRecord {
  readonly id: string;
  /** Unique: recording the same key twice records once. */
  readonly idempotencyKey: string;
  /** `model.train`, `model.predict`, ... */
  readonly meter: string;
  readonly quantity: number;
  /** The acting user's internal key; null for the system actor. */
  readonly userKey: string | null;
  /** The app's internal key, when the usage happened in one. */
  readonly appKey: string | null;
  /** The public id of the account billed (the organization under consolidated billing). */
  readonly billedAccountId: string;
  readonly at: Date;
}

/** Usage events. Append-only here; the billing service aggregates them. */
export interface UsageStore {
  /**
   * Records an event in the caller's transaction; returns false, writing nothing, when an event
   * with the same idempotency key exists (an atomic insert-or-ignore on a unique index).
   */
  record(event: UsageEventRecord): Promise<boolean>;
  /** The most recent events of an app, newest first (for tests and dashboards). */
  listForApp(appKey: string, limit: number): Promise<UsageEventRecord[]>;
}
