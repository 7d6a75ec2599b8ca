import { notFound, OrgKitError } from "../errors.js";
import { newKey } from "../internal/ids.js";
import type { BudgetAlertMailData, OutgoingMessage } from "../mail.js";
import {
  type Budget,
  type BudgetInput,
  BudgetInputSchema,
  type BudgetStatus,
  PeriodSchema,
} from "../schemas/billing.js";
import { parseInput } from "../schemas/common.js";
import type { BudgetRecord } from "../storage/billing-store.js";
import { isUniqueViolation } from "../storage/errors.js";
import type { Stores } from "../storage/storage.js";
import { usagePeriodOf } from "../storage/usage-store.js";
import { authorizeOrganization, lockAndRecheck } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { accountOf, pricePeriod } from "./billing.js";
import { deliver, enqueueMessage } from "./mail-delivery.js";
import type { CallContext, Runtime } from "./runtime.js";

/** The alert thresholds, in percent of a budget. */
export const BUDGET_THRESHOLDS = [75, 90, 100] as const;

/** A budget with what it has spent in one period. */
export interface BudgetState {
  readonly budget: BudgetRecord;
  readonly spent: number;
  /** The internal keys of the members it covers (every member for the organization: null). */
  readonly members: ReadonlySet<string> | null;
  readonly currency: string;
}

/** The organization's budgets with their spend in `period`, from the rollups; empty without budgets. */
export async function budgetStates(
  stores: Stores,
  organization: { key: string; id: string },
  period: string,
): Promise<BudgetState[]> {
  const budgets = await stores.billing.listBudgets(organization.key);
  if (budgets.length === 0) return [];
  const { priced, account } = await pricePeriod(stores, organization, period);
  const byMember = new Map<string, number>();
  for (const line of priced.lines) {
    if (line.userKey !== null) byMember.set(line.userKey, (byMember.get(line.userKey) ?? 0) + line.amount);
  }
  const teams = new Map<string, Set<string>>();
  if (budgets.some((b) => b.scope === "team")) {
    for (const { teamKey, userKey } of await stores.billing.teamMembers(organization.key)) {
      const set = teams.get(teamKey) ?? new Set<string>();
      set.add(userKey);
      teams.set(teamKey, set);
    }
  }
  return budgets.map((budget) => {
    if (budget.scope === "organization") {
      return { budget, spent: priced.total, members: null, currency: account.currency };
    }
    const members =
      budget.scope === "member"
        ? new Set([budget.scopeKey])
        : (teams.get(budget.scopeKey) ?? new Set<string>());
    let spent = 0;
    for (const key of members) spent += byMember.get(key) ?? 0;
    return { budget, spent, members, currency: account.currency };
  });
}

/** True when the state's hard stop is in force for a member. */
export function blocks(state: BudgetState, userKey: string | null): boolean {
  if (!state.budget.hardStop || state.spent < state.budget.amount) return false;
  return state.members === null || (userKey !== null && state.members.has(userKey));
}

/** Throws BUDGET_EXCEEDED when a hard-stopped budget covers the member. */
export function assertWithinBudgets(states: readonly BudgetState[], userKey: string | null): void {
  const blocking = states.find((s) => blocks(s, userKey));
  if (blocking !== undefined) {
    throw new OrgKitError("BUDGET_EXCEEDED", { details: { budgetId: blocking.budget.key } });
  }
}

function scopeLabel(budget: BudgetRecord): string {
  return budget.scope === "organization"
    ? "organization"
    : `${budget.scope}:${budget.scopeId ?? budget.scopeKey}`;
}

/**
 * Claims and sends the alerts newly crossed in `period`, in the caller's transaction: each
 * threshold is claimed at most once per budget and period (an atomic insert-or-ignore); one mail
 * (to the billing email, through the outbox) and one audit event name the highest threshold
 * newly crossed. Returns the messages to deliver after commit.
 */
export async function raiseAlerts(
  tx: Stores,
  rt: Runtime,
  organization: { key: string; id: string },
  period: string,
  states: readonly BudgetState[],
): Promise<OutgoingMessage[]> {
  const messages: OutgoingMessage[] = [];
  const system: CallContext = { rt, actor: { type: "system", ip: null } };
  for (const state of states) {
    const { budget, spent } = state;
    if (spent <= 0) continue;
    const crossed = BUDGET_THRESHOLDS.filter(
      (t) => BigInt(spent) * 100n >= BigInt(budget.amount) * BigInt(t),
    );
    let highest: number | null = null;
    for (const threshold of crossed) {
      if (await tx.billing.claimAlert(budget.key, period, threshold, rt.clock.now())) highest = threshold;
    }
    if (highest === null) continue;
    const record = await tx.organizations.getByKey(organization.key);
    if (record === null) continue;
    const data: BudgetAlertMailData = {
      organizationId: record.id,
      organizationName: record.name,
      scope: scopeLabel(budget),
      period,
      threshold: highest,
      spent,
      amount: budget.amount,
      currency: state.currency,
      hardStop: budget.hardStop,
      productName: rt.productName,
    };
    const money = (minor: number) => `${(minor / 100).toFixed(2)} ${state.currency}`;
    messages.push(
      await enqueueMessage(tx, rt, {
        template: "budget-alert",
        to: record.billingEmail,
        subject: `${record.name}: ${highest}% of the ${data.scope} budget used for ${period}`,
        text: [
          `${record.name} has used ${highest}% of its ${data.scope} budget for ${period}: ${money(spent)} of ${money(budget.amount)}.`,
          budget.hardStop && highest >= 100
            ? "The budget has a hard stop: billable actions are refused until it is raised or the period ends."
            : "",
        ]
          .filter(Boolean)
          .join("\n\n"),
        data: { ...data },
      }),
    );
    await recordAudit(tx, system, {
      organizationId: record.id,
      organizationKey: record.key,
      action: "BILLING_BUDGET_ALERT",
      targetType: "budget",
      targetId: budget.key,
      after: { period, threshold: highest, spent, amount: budget.amount, hardStop: budget.hardStop },
    });
  }
  return messages;
}

/** Hands committed messages to the mailer. */
export async function deliverAll(rt: Runtime, messages: readonly OutgoingMessage[]): Promise<void> {
  for (const message of messages) await deliver(rt, message);
}

/** Budgets of an organization (read: `billing:get`; write: `billing:manage`). */
export interface BudgetsService {
  /**
   * Sets the budget of a scope (the organization, a team or a member) per period, in minor units;
   * one budget per scope, so setting it again raises or lowers it.
   *
   * @example
   * ```ts
   * await asAdmin.budgets.set("acme", { scope: { type: "team", teamId: "vision" }, amount: 50_000, hardStop: true });
   * ```
   */
  set(organizationId: string, input: BudgetInput): Promise<Budget>;
  /** Every budget with its spend and alerts in a period (default: the current one). */
  list(organizationId: string, period?: string): Promise<BudgetStatus[]>;
  /** Deletes a budget (needs `billing:manage`). */
  delete(organizationId: string, budgetId: string): Promise<void>;
}

function toBudget(b: BudgetRecord, currency: string): Budget {
  return {
    id: b.key,
    scope:
      b.scope === "organization"
        ? { type: "organization" }
        : b.scope === "team"
          ? { type: "team", teamId: b.scopeId }
          : { type: "member", userId: b.scopeId },
    amount: b.amount,
    hardStop: b.hardStop,
    currency,
  };
}

/** Builds the budgets service for one actor. */
export function budgetsService(ctx: CallContext): BudgetsService {
  const { rt } = ctx;
  return {
    async set(organizationId, input) {
      if (input === null || typeof input !== "object" || (input as { scope?: unknown }).scope === undefined) {
        throw new OrgKitError("VALIDATION_FAILED", { param: "scope", message: "A budget needs a scope." });
      }
      const data = parseInput(BudgetInputSchema, input);
      const granted = await authorizeOrganization(ctx, organizationId, "billing:manage");
      const out = await rt.storage
        .transaction(async (tx) => {
          const locked = await lockAndRecheck(tx, ctx, granted, "billing:manage");
          let scopeKey = "";
          if (data.scope.type === "team") {
            const team = await tx.teams.get(locked.organization.key, data.scope.teamId);
            if (team === null) throw notFound("scope.teamId");
            scopeKey = team.key;
          } else if (data.scope.type === "member") {
            const [user] = await tx.billing.usersByIds([data.scope.userId]);
            if (user === undefined || (await tx.members.get(locked.organization.key, user.key)) === null) {
              throw notFound("scope.userId");
            }
            scopeKey = user.key;
          }
          const at = rt.clock.now();
          const existing = (await tx.billing.listBudgets(locked.organization.key)).find(
            (b) => b.scope === data.scope.type && b.scopeKey === scopeKey,
          );
          const stored = await tx.billing.putBudget({
            key: existing?.key ?? newKey(),
            organizationKey: locked.organization.key,
            scope: data.scope.type,
            scopeKey,
            amount: data.amount,
            hardStop: data.hardStop,
            createdAt: existing?.createdAt ?? at,
            updatedAt: at,
          });
          const account = accountOf(
            locked.organization.key,
            await tx.billing.getAccount(locked.organization.key),
          );
          await recordAudit(tx, ctx, {
            organizationId: locked.organization.id,
            organizationKey: locked.organization.key,
            action: "BILLING_BUDGET_SET",
            targetType: "budget",
            targetId: stored.key,
            before: existing ? toBudget(existing, account.currency) : null,
            after: toBudget(stored, account.currency),
          });
          // A lowered budget may already be crossed: alert now rather than at the next usage.
          const states = await budgetStates(tx, locked.organization, usagePeriodOf(at));
          const messages = await raiseAlerts(
            tx,
            rt,
            locked.organization,
            usagePeriodOf(at),
            states.filter((s) => s.budget.key === stored.key),
          );
          return { budget: toBudget(stored, account.currency), messages };
        })
        .catch((error: unknown) => {
          if (isUniqueViolation(error, "budget_scope")) {
            throw new OrgKitError("CONFLICT", {
              param: "scope",
              message: "This scope has a budget already.",
            });
          }
          throw error;
        });
      await deliverAll(rt, out.messages);
      return out.budget;
    },

    async list(organizationId, period) {
      const p =
        period === undefined ? usagePeriodOf(rt.clock.now()) : parseInput(PeriodSchema, period, "period");
      const granted = await authorizeOrganization(ctx, organizationId, "billing:get");
      const states = await budgetStates(rt.storage, granted.organization, p);
      const out: BudgetStatus[] = [];
      for (const s of states) {
        out.push({
          ...toBudget(s.budget, s.currency),
          period: p,
          spent: s.spent,
          alerted: await rt.storage.billing.listAlerts(s.budget.key, p),
          blocked: s.budget.hardStop && s.spent >= s.budget.amount,
        });
      }
      return out;
    },

    async delete(organizationId, budgetId) {
      if (typeof budgetId !== "string" || budgetId.length === 0 || budgetId.length > 64)
        throw notFound("budgetId");
      const granted = await authorizeOrganization(ctx, organizationId, "billing:manage");
      await rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "billing:manage");
        const existing = (await tx.billing.listBudgets(locked.organization.key)).find(
          (b) => b.key === budgetId,
        );
        if (existing === undefined || !(await tx.billing.deleteBudget(locked.organization.key, budgetId))) {
          throw notFound("budgetId");
        }
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "BILLING_BUDGET_DELETE",
          targetType: "budget",
          targetId: budgetId,
          before: { scope: scopeLabel(existing), amount: existing.amount, hardStop: existing.hardStop },
        });
      });
    },
  };
}
