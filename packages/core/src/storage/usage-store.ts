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

/** The UTC day an instant falls in, as epoch milliseconds of its midnight. */
export function usageDayOf(at: Date | number): number {
  const ms = typeof at === "number" ? at : at.getTime();
  return ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000);
}

/** The calendar-month billing period (UTC) an instant falls in, as `YYYY-MM`. */
export function usagePeriodOf(at: Date | number): string {
  const day = usageDayOf(at);
  let period = periodByDay.get(day);
  if (period === undefined) {
    period = new Date(day).toISOString().slice(0, 7);
    if (periodByDay.size > 10_000) periodByDay.clear();
    periodByDay.set(day, period);
  }
  return period;
}

/** Periods of recently seen days: ingest asks for thousands of events of the same few days. */
const periodByDay = new Map<number, string>();

/**
 * One rollup cell: the events of one billed account × period (or day) × user × meter × app,
 * with every aggregate a meter may ask for, so that any aggregation reads from rollups alone.
 */
export interface UsageCell {
  readonly accountId: string;
  /** `YYYY-MM` for period cells; for daily cells the day's midnight (UTC) as epoch ms, as a string. */
  readonly bucket: string;
  /** The user's internal key, or null for usage without a user (the system actor). */
  readonly userKey: string | null;
  readonly meter: string;
  /** The app's internal key, or null for usage outside an app. */
  readonly appKey: string | null;
  /** Sum of quantities. */
  readonly sum: number;
  /** Number of events. */
  readonly count: number;
  /** Largest quantity. */
  readonly max: number;
  /** The quantity of the latest event (by time, then idempotency key, code-point order). */
  readonly last: number;
  readonly lastAt: number;
  readonly lastKey: string;
}

/** Usage events. Append-only here; the billing service aggregates them. */
export interface UsageStore {
  /**
   * Records an event in the caller's transaction; returns false, writing nothing, when an event
   * with the same idempotency key exists (an atomic insert-or-ignore on a unique index). Updates
   * the rollups exactly like {@link UsageStore.recordBatch}.
   */
  record(event: UsageEventRecord): Promise<boolean>;
  /**
   * Records a batch atomically (in the caller's transaction, or one of its own): events whose
   * idempotency key exists already, or repeats one earlier in the batch, are ignored. MUST update
   * the daily and period rollups ({@link UsageCell}) of the events actually inserted in the SAME
   * transaction, so that rollups always equal a recount of the raw events. Returns the inserted events.
   */
  recordBatch(events: readonly UsageEventRecord[]): Promise<UsageEventRecord[]>;
  /** The period cells of an account for a `YYYY-MM` period (the statement's input). */
  periodCells(accountId: string, period: string): Promise<UsageCell[]>;
  /**
   * The daily cells of an account for days in [fromDay, toDay) (UTC midnights), optionally of
   * one user; MUST walk an index on (account, user, day) or (account, day).
   */
  dailyCells(
    accountId: string,
    query: { readonly fromDay: number; readonly toDay: number; readonly userKey?: string },
  ): Promise<UsageCell[]>;
  /** Raw events billed to an account with `at` in [from, to), oldest first (for recounts and exports). */
  listForAccount(accountId: string, from: Date, to: Date, limit: number): Promise<UsageEventRecord[]>;
  /** The most recent events of an app, newest first (for tests and dashboards). */
  listForApp(appKey: string, limit: number): Promise<UsageEventRecord[]>;
}
