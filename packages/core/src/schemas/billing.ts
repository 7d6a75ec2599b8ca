import { z } from "zod";
import { BUDGET_SCOPES, METER_AGGREGATIONS } from "../storage/billing-store.js";
import { EmailSchema } from "./common.js";

/** A billing period: a calendar month, `YYYY-MM` (UTC). */
export const PeriodSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "A period is a month written YYYY-MM.")
  .meta({ id: "BillingPeriod", description: "A calendar month (UTC), YYYY-MM." });

/** An ISO 4217 currency code. */
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, "A currency is an ISO 4217 code such as USD.");

/** A whole number of units or minor units: non-negative, finite, at most 2^53 - 1. */
const Whole = z
  .number({ error: "Enter a number." })
  .int("Use a whole number (minor units, or integer units of the meter).")
  .min(0, "Must not be negative.")
  .max(Number.MAX_SAFE_INTEGER, "Too large.");

/** Edits of an organization's billing account. */
export const UpdateBillingAccountInputSchema = z
  .object({
    billingEmail: EmailSchema.optional(),
    /** Bill every member's usage to the organization. */
    consolidated: z.boolean().optional(),
    currency: CurrencySchema.optional(),
  })
  .strict()
  .meta({ id: "UpdateBillingAccountInput" });
/** Input of `billing.updateAccount`. */
export type UpdateBillingAccountInput = z.input<typeof UpdateBillingAccountInputSchema>;

/** A meter id: lower-case words separated by `.`, `-` or `_` (`model.predict`). */
export const MeterIdSchema = z
  .string()
  .min(1, "Enter a meter id.")
  .max(64, "A meter id has at most 64 characters.")
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*$/, "Use lower-case letters and digits separated by '.', '-' or '_'.");

/** A meter of the catalogue. */
export const MeterInputSchema = z
  .object({
    id: MeterIdSchema,
    name: z.string().trim().min(1).max(100),
    unit: z.string().trim().min(1).max(32),
    aggregation: z.enum(METER_AGGREGATIONS),
  })
  .strict()
  .meta({ id: "MeterInput" });
/** Input of `billing.setMeter`. */
export type MeterInput = z.input<typeof MeterInputSchema>;

/** A price: graduated tiers in minor units per `per` units, in effect from the start of a period. */
export const PriceInputSchema = z
  .object({
    meter: MeterIdSchema,
    currency: CurrencySchema.default("USD"),
    /** The first period it prices; prices apply to whole periods. */
    effectiveFrom: PeriodSchema,
    per: Whole.min(1, "per is at least 1.").default(1),
    tiers: z
      .array(z.object({ upTo: Whole.min(1).nullable(), amount: Whole }).strict())
      .min(1, "A price has at least one tier.")
      .max(20)
      .refine(
        (tiers) =>
          tiers.every((t, i) =>
            i === tiers.length - 1
              ? t.upTo === null
              : t.upTo !== null && (i === 0 || t.upTo > tiers[i - 1]!.upTo!),
          ),
        "Tiers rise strictly, and only the last has no upper bound (upTo: null).",
      ),
  })
  .strict()
  .meta({ id: "PriceInput" });
/** Input of `billing.setPrice`. */
export type PriceInput = z.input<typeof PriceInputSchema>;

/** One usage event to record. */
export const UsageEventInputSchema = z
  .object({
    /** Unique per event; a repeated key is ignored, never counted twice. */
    idempotencyKey: z.string().min(1, "Enter an idempotency key.").max(200),
    meter: MeterIdSchema,
    /** Whole units of the meter (use micro-units in the meter's unit for fractions). */
    quantity: Whole,
    /** The public id of the user who generated it. */
    userId: z.string().min(1).max(64),
    /** The app it happened in, as `ownerId/appId`. */
    appId: z
      .string()
      .regex(/^[^/\s]{1,64}\/[^/\s]{1,64}$/, "An app is named ownerId/appId.")
      .optional(),
    /** When it happened. Default: now. At most 5 minutes ahead of the clock. */
    at: z.date().optional(),
  })
  .strict()
  .meta({ id: "UsageEventInput" });
/** Input of `usage.record`. */
export type UsageEventInput = z.input<typeof UsageEventInputSchema>;

/** A batch of up to 10,000 usage events. */
export const UsageBatchSchema = z
  .array(UsageEventInputSchema)
  .min(1, "Record at least one event.")
  .max(10_000);

/** What a budget limits: the organization, one team or one member. */
export const BudgetScopeInputSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("organization") }).strict(),
  z.object({ type: z.literal("team"), teamId: z.string().min(1).max(64) }).strict(),
  z.object({ type: z.literal("member"), userId: z.string().min(1).max(64) }).strict(),
]);

/** A budget per period, in minor units of the organization's currency. */
export const BudgetInputSchema = z
  .object({
    scope: BudgetScopeInputSchema,
    amount: Whole,
    /** When true, billable actions fail with BUDGET_EXCEEDED once the budget is used up. Default false. */
    hardStop: z.boolean().default(false),
  })
  .strict()
  .meta({ id: "BudgetInput" });
/** Input of `budgets.set`. */
export type BudgetInput = z.input<typeof BudgetInputSchema>;

/** A time range, `from` inclusive, `to` exclusive. */
export const TimeRangeSchema = z
  .object({ from: z.date(), to: z.date(), userId: z.string().min(1).max(64).optional() })
  .strict()
  .refine((r) => r.from < r.to, { message: "from must be before to.", path: ["from"] });

/** `BudgetBase` aside: the scopes, re-exported for UIs. */
export { BUDGET_SCOPES, METER_AGGREGATIONS };

/** An organization's billing account. */
export interface BillingAccount {
  readonly organizationId: string;
  readonly billingEmail: string;
  readonly consolidated: boolean;
  readonly currency: string;
  readonly period: "month";
}

/** A meter of the catalogue. */
export interface Meter {
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  readonly aggregation: (typeof METER_AGGREGATIONS)[number];
}

/** A price of the price book. */
export interface Price {
  readonly meter: string;
  readonly currency: string;
  readonly effectiveFrom: string;
  readonly per: number;
  readonly tiers: readonly { upTo: number | null; amount: number }[];
}

/** One line of a statement: one member × one meter. */
export interface StatementLine {
  /** The member's public id (null for usage without a user). */
  readonly userId: string | null;
  readonly meter: string;
  readonly unit: string;
  readonly quantity: number;
  /** Minor units. */
  readonly amount: number;
}

/**
 * A statement of one period: lines per member × meter, totals per member, meter, team and app,
 * and the grand total, in minor units of `currency`. Team totals add up the totals of each team's
 * members (a member of two teams counts in both), so they need not add up to the grand total.
 */
export interface Statement {
  readonly organizationId: string;
  readonly period: string;
  readonly currency: string;
  readonly status: "open" | "closed";
  /** ISO instant the period was closed, or null while open. */
  readonly closedAt: string | null;
  readonly lines: StatementLine[];
  readonly members: { readonly userId: string | null; readonly amount: number }[];
  readonly meters: {
    readonly meter: string;
    readonly unit: string;
    readonly quantity: number;
    readonly amount: number;
    /** False when no price was in effect: the meter is listed at 0. */
    readonly priced: boolean;
  }[];
  readonly teams: { readonly teamId: string; readonly amount: number }[];
  /** Per app (`ownerId/appId`; null for usage outside an app or in a deleted app). */
  readonly apps: { readonly appId: string | null; readonly amount: number }[];
  readonly total: number;
}

/** A budget with its spend in a period. */
export interface Budget {
  readonly id: string;
  readonly scope:
    | { readonly type: "organization" }
    | { readonly type: "team"; readonly teamId: string | null }
    | { readonly type: "member"; readonly userId: string | null };
  readonly amount: number;
  readonly hardStop: boolean;
  readonly currency: string;
}

/** A budget's state in one period. */
export interface BudgetStatus extends Budget {
  readonly period: string;
  readonly spent: number;
  /** Thresholds (75, 90, 100) already alerted this period. */
  readonly alerted: number[];
  /** True when the hard stop is in force. */
  readonly blocked: boolean;
}

/** A member's usage and actions over a time range. */
export interface MemberActivity {
  readonly userId: string | null;
  /** Usage billed to the organization, per meter (days of the range, UTC). */
  readonly usage: {
    readonly meter: string;
    readonly unit: string;
    readonly quantity: number;
    readonly events: number;
  }[];
  /** Audit events the member caused in the organization, per action. */
  readonly actions: Record<string, number>;
}
