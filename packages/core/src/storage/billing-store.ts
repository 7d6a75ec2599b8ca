/**
 * The billing port: billing accounts of organizations, the meter catalogue and price book,
 * closed periods with their frozen statements, budgets and the alerts they sent. Usage itself
 * (events and rollups) is the {@link UsageStore}'s.
 */

/** How a meter turns a period's events into one quantity per member. */
export const METER_AGGREGATIONS = ["sum", "count", "max", "last"] as const;
/** One of {@link METER_AGGREGATIONS}. */
export type MeterAggregation = (typeof METER_AGGREGATIONS)[number];

/** A billing account as stored; an organization without a row has the defaults. */
export interface BillingAccountRecord {
  readonly organizationKey: string;
  /** While true, usage of every member is billed to the organization. Default true. */
  readonly consolidated: boolean;
  /** ISO 4217 code. Default `USD`. */
  readonly currency: string;
  /** The billing period; only the calendar month (UTC) for now. */
  readonly period: "month";
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A meter of the catalogue. */
export interface MeterRecord {
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  readonly aggregation: MeterAggregation;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * One tier of a graduated price: the units from the previous tier's `upTo` (exclusive) to this
 * one's (inclusive; null for no limit) cost `amount` minor units per `per` units of the price.
 */
export interface PriceTier {
  readonly upTo: number | null;
  readonly amount: number;
}

/** A price of the price book: in effect from `effectiveFrom` until the next one of its meter and currency. */
export interface PriceRecord {
  readonly meter: string;
  readonly currency: string;
  readonly effectiveFrom: Date;
  /** The tiers' amounts are per this many units (1000 for "per thousand predictions"). */
  readonly per: number;
  readonly tiers: readonly PriceTier[];
  readonly createdAt: Date;
}

/** A closed period and the statement frozen when it was closed. */
export interface ClosedPeriodRecord {
  readonly organizationKey: string;
  /** `YYYY-MM`. */
  readonly period: string;
  /** The statement as closed (JSON); never rewritten. */
  readonly statement: unknown;
  readonly closedAt: Date;
  /** The public id of the user who closed it, or null for the system. */
  readonly closedBy: string | null;
}

/** What a budget limits. */
export const BUDGET_SCOPES = ["organization", "team", "member"] as const;
/** One of {@link BUDGET_SCOPES}. */
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** A budget per billing period, as stored. */
export interface BudgetRecord {
  readonly key: string;
  readonly organizationKey: string;
  readonly scope: BudgetScope;
  /** The team's or the member's internal key; `""` for the organization. */
  readonly scopeKey: string;
  /** The team's or member's public id as read with the budget (null for the organization, or when it is gone). */
  readonly scopeId: string | null;
  /** Minor units of the account's currency, per period. */
  readonly amount: number;
  /** When true, billable actions fail with BUDGET_EXCEEDED once it is used up. */
  readonly hardStop: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Where a user's usage may be billed: one of their memberships with its billing setting. */
export interface BillingRoute {
  readonly userKey: string;
  readonly organizationKey: string;
  readonly organizationId: string;
  /** The organization's consolidated-billing flag (true when it has no billing account row). */
  readonly consolidated: boolean;
  readonly joinedAt: Date;
}

/** A user's internal and public ids. */
export interface UserIds {
  readonly key: string;
  readonly id: string;
}

/** An app's internal key and its public path parts. */
export interface AppIds {
  readonly key: string;
  readonly ownerId: string;
  readonly id: string;
  /** The owning organization's internal key, or null for a personal app. */
  readonly organizationKey: string | null;
}

/** The billing store. Every lookup walks an index; writes run in the caller's transaction. */
export interface BillingStore {
  /** The organization's billing account row, or null when it still has the defaults. */
  getAccount(organizationKey: string): Promise<BillingAccountRecord | null>;
  /** Inserts or replaces the organization's billing account row. */
  putAccount(account: BillingAccountRecord): Promise<void>;
  /** Every meter, by id. */
  listMeters(): Promise<MeterRecord[]>;
  /** Inserts or updates a meter (its id is the key). */
  putMeter(meter: MeterRecord): Promise<void>;
  /** Prices of a currency (optionally one meter), by meter then `effectiveFrom`. */
  listPrices(currency: string, meter?: string): Promise<PriceRecord[]>;
  /** Inserts a price, replacing one of the same meter, currency and `effectiveFrom`. */
  putPrice(price: PriceRecord): Promise<void>;
  /** The closed period, or null while it is open. */
  getClosedPeriod(organizationKey: string, period: string): Promise<ClosedPeriodRecord | null>;
  /**
   * Which of `periods` are closed for the organization. In a transaction it also holds the
   * organization's row in share mode until the transaction ends (where writers are concurrent),
   * so that a usage batch and a close of its period, which locks the organization, are ordered:
   * the batch lands before the close counts it, or sees the period closed.
   */
  closedPeriods(organizationKey: string, periods: readonly string[]): Promise<string[]>;
  /** Closes a period; returns false, writing nothing, when it is closed already (atomic insert-or-ignore). */
  closePeriod(record: ClosedPeriodRecord): Promise<boolean>;
  /** The organization's budgets, with the public id of each one's team or member. */
  listBudgets(organizationKey: string): Promise<BudgetRecord[]>;
  /**
   * Inserts or updates the budget of one scope (unique per organization × scope × scope key,
   * `budget_scope`); returns the stored budget.
   */
  putBudget(budget: Omit<BudgetRecord, "scopeId">): Promise<BudgetRecord>;
  /** Deletes a budget; false when it does not exist. */
  deleteBudget(organizationKey: string, key: string): Promise<boolean>;
  /**
   * Claims the alert of a budget at `threshold` percent in a period; true for exactly one caller
   * (an atomic insert-or-ignore on (budget, period, threshold)), so each alert is sent once.
   */
  claimAlert(budgetKey: string, period: string, threshold: number, at: Date): Promise<boolean>;
  /** The thresholds already alerted for a budget in a period. */
  listAlerts(budgetKey: string, period: string): Promise<number[]>;
  /** The memberships of the given users with their organizations' consolidated-billing flag. */
  routes(userKeys: readonly string[]): Promise<BillingRoute[]>;
  /** Users by public id (missing ones are left out). */
  usersByIds(ids: readonly string[]): Promise<UserIds[]>;
  /** Users by internal key (missing ones are left out). */
  usersByKeys(keys: readonly string[]): Promise<UserIds[]>;
  /** Apps by internal key (missing ones are left out). */
  appsByKeys(keys: readonly string[]): Promise<AppIds[]>;
  /** An app by its owner's public id and its id, or null. */
  appByPath(ownerId: string, appId: string): Promise<AppIds | null>;
  /** Every (team id, member key) pair of an organization. */
  teamMembers(organizationKey: string): Promise<{ teamId: string; teamKey: string; userKey: string }[]>;
}
