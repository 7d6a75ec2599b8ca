/**
 * Endpoints of billing (the account, the meter catalogue and price book, statements, member
 * activity), the caller's own usage, budgets and the audit log.
 *
 * Recording usage and editing meters or prices are trusted host code only
 * (`orgkit.system().usage.record`, `billing.setMeter`, `billing.setPrice`): the services refuse
 * every user, so they have no endpoint.
 */
import { z } from "zod";
import { AuditEventSchema, AuditVerificationSchema } from "../../schemas/audit.js";
import {
  BudgetInputSchema,
  CurrencySchema,
  METER_AGGREGATIONS,
  PeriodSchema,
  UpdateBillingAccountInputSchema,
} from "../../schemas/billing.js";
import { endpoint, pageQuery, pathParam, queryDate } from "../contract.js";
import { OrgParams } from "./shared.js";

/** A required query parameter holding an ISO 8601 instant (`?from=2026-01-01T00:00:00Z`). */
const requiredQueryDate = () =>
  z.iso
    .datetime({ offset: true, error: "Enter an ISO 8601 date and time." })
    .transform((value) => new Date(value));

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** `{orgId}/billing/statements/{period}`. */
const PeriodParams = z.object({ orgId: pathParam(), period: PeriodSchema });
/** `{orgId}/budgets/{budgetId}`. */
const BudgetParams = z.object({ orgId: pathParam(), budgetId: pathParam() });

/** An organization's billing account. */
export const BillingAccountSchema = z
  .object({
    organizationId: z.string(),
    billingEmail: z.string(),
    /** Every member's usage is billed to the organization. */
    consolidated: z.boolean(),
    currency: z.string(),
    period: z.literal("month"),
  })
  .meta({ id: "BillingAccount", description: "An organization's billing account." });

/** A meter of the catalogue. */
export const MeterSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    unit: z.string(),
    aggregation: z.enum(METER_AGGREGATIONS),
  })
  .meta({ id: "Meter", description: "A meter of the catalogue." });

/** A price of the price book: graduated tiers in minor units per `per` units. */
export const PriceSchema = z
  .object({
    meter: z.string(),
    currency: z.string(),
    /** The first period (YYYY-MM) it prices. */
    effectiveFrom: z.string(),
    per: z.number().int(),
    tiers: z.array(z.object({ upTo: z.number().int().nullable(), amount: z.number().int() })),
  })
  .meta({ id: "Price", description: "A price of the price book, in minor units." });

/** A statement of one period, amounts in minor units. */
export const StatementSchema = z
  .object({
    organizationId: z.string(),
    period: z.string(),
    currency: z.string(),
    status: z.enum(["open", "closed"]),
    /** ISO instant the period was closed, or null while open. */
    closedAt: z.string().nullable(),
    /** One line per member × meter (`userId` null for usage without a user). */
    lines: z.array(
      z.object({
        userId: z.string().nullable(),
        meter: z.string(),
        unit: z.string(),
        quantity: z.number(),
        amount: z.number().int(),
      }),
    ),
    members: z.array(z.object({ userId: z.string().nullable(), amount: z.number().int() })),
    meters: z.array(
      z.object({
        meter: z.string(),
        unit: z.string(),
        quantity: z.number(),
        amount: z.number().int(),
        /** False when no price was in effect: the meter is listed at 0. */
        priced: z.boolean(),
      }),
    ),
    /** Per team: the totals of its members (a member of two teams counts in both). */
    teams: z.array(z.object({ teamId: z.string(), amount: z.number().int() })),
    /** Per app (`ownerId/appId`; null outside an app). */
    apps: z.array(z.object({ appId: z.string().nullable(), amount: z.number().int() })),
    total: z.number().int(),
  })
  .meta({ id: "Statement", description: "A billing statement of one period, in minor units." });

/** A member's usage and audited actions over a time range. */
export const MemberActivitySchema = z
  .object({
    userId: z.string().nullable(),
    /** Usage billed to the organization, per meter (whole UTC days of the range). */
    usage: z.array(
      z.object({ meter: z.string(), unit: z.string(), quantity: z.number(), events: z.number().int() }),
    ),
    /** Audit events the member caused in the organization, per action. */
    actions: z.record(z.string(), z.number().int()),
  })
  .meta({ id: "MemberActivity", description: "A member's usage and actions over a time range." });

/** A budget per period, in minor units of the organization's currency. */
export const BudgetSchema = z
  .object({
    id: z.string(),
    scope: z.union([
      z.object({ type: z.literal("organization") }),
      z.object({ type: z.literal("team"), teamId: z.string().nullable() }),
      z.object({ type: z.literal("member"), userId: z.string().nullable() }),
    ]),
    amount: z.number().int(),
    hardStop: z.boolean(),
    currency: z.string(),
  })
  .meta({ id: "Budget", description: "A budget of the organization, a team or a member, per period." });

/** A budget with its spend and alerts in one period. */
export const BudgetStatusSchema = BudgetSchema.extend({
  period: z.string(),
  spent: z.number().int(),
  /** Thresholds (75, 90, 100) already alerted this period. */
  alerted: z.array(z.number().int()),
  /** True when the hard stop is in force. */
  blocked: z.boolean(),
}).meta({ id: "BudgetStatus", description: "A budget with its spend and alerts in one period." });

const activityRange = z.object({
  from: requiredQueryDate().meta({ description: "Inclusive (ISO 8601)." }),
  to: requiredQueryDate().meta({ description: "Exclusive (ISO 8601)." }),
});

/** `/orgs/{orgId}/billing` and the price book. */
export const billingContract = {
  getAccount: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/billing",
    tag: "billing",
    summary: "The organization's billing account.",
    scope: "billing:get",
    params: OrgParams,
    response: BillingAccountSchema,
  }),
  updateAccount: endpoint({
    method: "PATCH",
    path: "/orgs/{orgId}/billing",
    tag: "billing",
    summary: "Edit the billing account: billing email, consolidated billing, currency.",
    scope: "billing:manage",
    params: OrgParams,
    body: UpdateBillingAccountInputSchema,
    response: BillingAccountSchema,
  }),
  meters: endpoint({
    method: "GET",
    path: "/billing/meters",
    tag: "billing",
    summary: "The meter catalogue (the same for every organization).",
    description: "Meters are defined by trusted host code (`orgkit.system().billing.setMeter`).",
    query: pageQuery(),
    response: pageOf(MeterSchema),
    paginated: true,
  }),
  prices: endpoint({
    method: "GET",
    path: "/billing/prices",
    tag: "billing",
    summary: "The price book of a currency (default USD), by meter, oldest first.",
    description: "Prices are set by trusted host code (`orgkit.system().billing.setPrice`).",
    query: pageQuery().extend({ currency: CurrencySchema.optional() }),
    response: pageOf(PriceSchema),
    paginated: true,
  }),
  statement: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/billing/statements/{period}",
    tag: "billing",
    summary: "The statement of a YYYY-MM period: live while open, frozen once closed.",
    scope: "billing:get",
    params: PeriodParams,
    response: StatementSchema,
  }),
  exportStatement: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/billing/statements/{period}/export.csv",
    tag: "billing",
    summary: "The statement of a period as CSV: one row per member × meter, then the grand total.",
    scope: "billing:get",
    params: PeriodParams,
    response: z.string(),
    produces: "text/csv",
  }),
  closePeriod: endpoint({
    method: "POST",
    path: "/orgs/{orgId}/billing/statements/{period}/close",
    tag: "billing",
    summary: "Close an ended period: its statement is frozen and later usage dated in it is refused.",
    description: "PERIOD_CLOSED (409) when it is closed already; VALIDATION_FAILED when it has not ended.",
    scope: "billing:manage",
    params: PeriodParams,
    response: StatementSchema,
  }),
  activity: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/billing/activity",
    tag: "billing",
    summary: "Per member, usage billed to the organization and audited actions over [from, to).",
    description:
      "Needs `billing:get`, except for one's own activity (`userId` the caller). Usage counts whole UTC days.",
    scope: "billing:get",
    params: OrgParams,
    query: pageQuery()
      .extend(activityRange.shape)
      .extend({ userId: z.string().min(1).max(64).optional() }),
    response: pageOf(MemberActivitySchema),
    paginated: true,
  }),
};

/** `/orgs/{orgId}/usage`: what a member may see of usage (recording is host code). */
export const usageContract = {
  mine: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/usage",
    tag: "usage",
    summary: "The caller's own usage billed to the organization, and their actions, over [from, to).",
    params: OrgParams,
    query: activityRange,
    response: MemberActivitySchema,
  }),
};

/** `/orgs/{orgId}/budgets`. */
export const budgetsContract = {
  set: endpoint({
    method: "PUT",
    path: "/orgs/{orgId}/budgets",
    tag: "budgets",
    summary: "Set the budget of a scope (the organization, a team or a member): one per scope, replaced.",
    scope: "billing:manage",
    params: OrgParams,
    body: BudgetInputSchema,
    response: BudgetSchema,
  }),
  list: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/budgets",
    tag: "budgets",
    summary: "The budgets with their spend and alerts in a period (default: the current one).",
    scope: "billing:get",
    params: OrgParams,
    query: pageQuery().extend({ period: PeriodSchema.optional() }),
    response: pageOf(BudgetStatusSchema),
    paginated: true,
  }),
  get: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/budgets/{budgetId}",
    tag: "budgets",
    summary: "One budget with its spend and alerts in a period (default: the current one).",
    scope: "billing:get",
    params: BudgetParams,
    query: z.object({ period: PeriodSchema.optional() }),
    response: BudgetStatusSchema,
  }),
  delete: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}/budgets/{budgetId}",
    tag: "budgets",
    summary: "Delete a budget.",
    scope: "billing:manage",
    params: BudgetParams,
    response: null,
  }),
};

const auditRange = z.object({
  from: queryDate().meta({ description: "Inclusive (ISO 8601)." }),
  to: queryDate().meta({ description: "Exclusive (ISO 8601)." }),
});

/** `/orgs/{orgId}/audit`. */
export const auditContract = {
  query: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/audit",
    tag: "audit",
    summary: "The audit log, newest first: filter by actor, action, target and time range.",
    scope: "audit:get",
    params: OrgParams,
    query: pageQuery()
      .extend({
        actorId: z.string().min(1).max(64).optional(),
        action: z.string().min(1).max(64).optional(),
        targetType: z.string().min(1).max(64).optional(),
        targetId: z.string().min(1).max(128).optional(),
      })
      .extend(auditRange.shape),
    response: pageOf(AuditEventSchema),
    paginated: true,
  }),
  verify: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/audit/verify",
    tag: "audit",
    summary: "Recompute the organization's hash chain and report the first altered or missing event.",
    scope: "audit:get",
    params: OrgParams,
    response: AuditVerificationSchema,
  }),
  exportJsonl: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/audit/export.jsonl",
    tag: "audit",
    summary: "The audit log (optionally a time range) as JSON lines, oldest first.",
    scope: "audit:get",
    params: OrgParams,
    query: auditRange,
    response: z.string(),
    produces: "application/x-ndjson",
  }),
  exportCsv: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/audit/export.csv",
    tag: "audit",
    summary: "The audit log (optionally a time range) as CSV, oldest first.",
    scope: "audit:get",
    params: OrgParams,
    query: auditRange,
    response: z.string(),
    produces: "text/csv",
  }),
};

/** The billing groups: `billing`, `usage`, `budgets`, `audit`. */
export const billingContracts = {
  billing: billingContract,
  usage: usageContract,
  budgets: budgetsContract,
  audit: auditContract,
};
