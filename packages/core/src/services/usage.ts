import { randomBytes } from "node:crypto";
import { notFound, OrgKitError } from "../errors.js";
import { newKey } from "../internal/ids.js";
import type { OutgoingMessage } from "../mail.js";
import { UsageBatchSchema, type UsageEventInput } from "../schemas/billing.js";
import { parseInput } from "../schemas/common.js";
import type { AppIds, BillingRoute } from "../storage/billing-store.js";
import type { Stores } from "../storage/storage.js";
import { type UsageEventRecord, usagePeriodOf } from "../storage/usage-store.js";
import { meterCatalogue } from "./billing.js";
import { assertWithinBudgets, type BudgetState, budgetStates, deliverAll, raiseAlerts } from "./budgets.js";
import { cmp } from "./pricing.js";
import type { CallContext, Runtime } from "./runtime.js";

let idCounter = 0;

/**
 * Random bytes for {@link usageEventId}, drawn 6 KiB at a time: one `randomBytes` call per id
 * cost more than everything else ingest does in JavaScript per event (a native call and a
 * buffer each).
 */
const RANDOM_POOL_BYTES = 6 * 1024;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** The last clock reading's base-36 prefix: ingest stamps thousands of ids in the same millisecond. */
let stampedAt = Number.NaN;
let stamp = "";

/**
 * A usage event id that sorts by creation time (base-36 milliseconds, a counter, random bits), so
 * that ingest appends to the primary key's index instead of splitting pages at random: on
 * SQLite that is twice the insert rate of a random UUID.
 */
export function usageEventId(now = Date.now()): string {
  idCounter = (idCounter + 1) % 1_679_616;
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = now.toString(36).padStart(9, "0");
  }
  if (randomOffset + 6 > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  const random = randomPool.toString("hex", randomOffset, randomOffset + 6);
  randomOffset += 6;
  return `${stamp}${idCounter.toString(36).padStart(4, "0")}${random}`;
}

/** How far ahead of the clock an event may be dated (clock skew between hosts). */
export const MAX_USAGE_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Where one event is billed. */
export interface BilledTo {
  /** The public id of the billed account: the organization, or the user. */
  readonly accountId: string;
  /** The billed organization's internal key, or null when the user pays. */
  readonly organizationKey: string | null;
}

/**
 * Routes usage to an account. While the member's organization has consolidated billing on, the
 * organization pays for everything the member does, in its apps or in their personal ones (the
 * seed: "consolidate the billing for all member accounts"); otherwise, or once they have left,
 * the user pays. In an organization's app the member's membership there decides; elsewhere their
 * earliest membership does (one, by default).
 */
export function routeUsage(
  userId: string,
  memberships: readonly BillingRoute[],
  appOrganizationKey: string | null,
): BilledTo {
  let route =
    appOrganizationKey === null
      ? undefined
      : memberships.find((m) => m.organizationKey === appOrganizationKey);
  if (route === undefined) {
    route = [...memberships].sort(
      (a, b) => a.joinedAt.getTime() - b.joinedAt.getTime() || cmp(a.organizationId, b.organizationId),
    )[0];
  }
  return route?.consolidated
    ? { accountId: route.organizationId, organizationKey: route.organizationKey }
    : { accountId: userId, organizationKey: null };
}

/** An event ready to record, with where it is billed and the input field to blame. */
export interface BillableEvent {
  readonly record: UsageEventRecord;
  readonly organizationKey: string | null;
  /** The input path of the event (`events.3`), for errors. */
  readonly param: string;
}

/**
 * Records billable events in `tx`: refuses events dated in a closed period (PERIOD_CLOSED) and
 * events of members a hard-stopped budget covers (BUDGET_EXCEEDED); records the rest with their
 * rollups; claims the budget alerts they cross. Returns what was inserted and the alert mail to
 * deliver after commit.
 */
export async function ingestUsage(
  tx: Stores,
  rt: Runtime,
  events: readonly BillableEvent[],
): Promise<{ inserted: UsageEventRecord[]; messages: OutgoingMessage[] }> {
  // Per organization and period: the events billed there (maps by organization, then period,
  // rather than a composite string key built for each of thousands of events).
  type Group = { organization: { key: string; id: string }; period: string; events: BillableEvent[] };
  const byOrganizationPeriod = new Map<string, Map<string, Group>>();
  const groups = new Map<string, Group>();
  for (const e of events) {
    if (e.organizationKey === null) continue;
    const period = usagePeriodOf(e.record.at);
    let periods = byOrganizationPeriod.get(e.organizationKey);
    if (periods === undefined) {
      periods = new Map();
      byOrganizationPeriod.set(e.organizationKey, periods);
    }
    let group = periods.get(period);
    if (group === undefined) {
      group = { organization: { key: e.organizationKey, id: e.record.billedAccountId }, period, events: [] };
      periods.set(period, group);
      groups.set(`${e.organizationKey}\u0000${period}`, group);
    }
    group.events.push(e);
  }
  for (const [organizationKey, periods] of byOrganizationPeriod) {
    const closed = new Set(await tx.billing.closedPeriods(organizationKey, [...periods.keys()]));
    if (closed.size === 0) continue;
    const late = events.find(
      (e) => e.organizationKey === organizationKey && closed.has(usagePeriodOf(e.record.at)),
    );
    if (late !== undefined) throw new OrgKitError("PERIOD_CLOSED", { param: `${late.param}.at` });
  }
  const states = new Map<string, BudgetState[]>();
  for (const [id, g] of groups) {
    const s = await budgetStates(tx, g.organization, g.period);
    states.set(id, s);
    if (s.length > 0) for (const e of g.events) assertWithinBudgets(s, e.record.userKey);
  }
  const inserted = await tx.usage.recordBatch(events.map((e) => e.record));
  const messages: OutgoingMessage[] = [];
  if (inserted.length > 0) {
    for (const [id, g] of groups) {
      if ((states.get(id) ?? []).length === 0) continue;
      const after = await budgetStates(tx, g.organization, g.period);
      messages.push(...(await raiseAlerts(tx, rt, g.organization, g.period, after)));
    }
  }
  return { inserted, messages };
}

/** A billable action's usage, as {@link recordBillableUsage} and {@link assertBillable} take it. */
export interface BillableUsage {
  readonly userKey: string | null;
  readonly app: {
    readonly key: string;
    readonly ownerType: string;
    readonly ownerKey: string;
    readonly ownerId: string;
  } | null;
  readonly meter: string;
  readonly quantity: number;
  readonly idempotencyKey?: string | undefined;
}

/** Who pays for a billable action's usage. */
async function billedFor(tx: Stores, usage: BillableUsage): Promise<BilledTo> {
  const appOrganizationKey = usage.app?.ownerType === "organization" ? usage.app.ownerKey : null;
  // The system actor: the owning account pays.
  if (usage.userKey === null) {
    return { accountId: usage.app?.ownerId ?? "system", organizationKey: appOrganizationKey };
  }
  const [user] = await tx.billing.usersByKeys([usage.userKey]);
  return routeUsage(user?.id ?? usage.userKey, await tx.billing.routes([usage.userKey]), appOrganizationKey);
}

/**
 * BUDGET_EXCEEDED now when a hard-stopped budget would refuse the usage, so that a billable
 * action (training, a prediction) fails before it does its work rather than after. Advisory:
 * {@link recordBillableUsage} checks again in its transaction, which is what holds.
 */
export async function assertBillable(stores: Stores, ctx: CallContext, usage: BillableUsage): Promise<void> {
  const billed = await billedFor(stores, usage);
  if (billed.organizationKey === null) return;
  const states = await budgetStates(
    stores,
    { key: billed.organizationKey, id: billed.accountId },
    usagePeriodOf(ctx.rt.clock.now()),
  );
  assertWithinBudgets(states, usage.userKey);
}

/**
 * The guarded call behind every billable action of orgkit (`models.train`, `models.predict`):
 * routes one event of the acting user, refuses it with BUDGET_EXCEEDED under a hard stop, and
 * records it with its rollups in the caller's transaction. Deliver the returned mail after commit.
 */
export async function recordBillableUsage(
  tx: Stores,
  ctx: CallContext,
  usage: BillableUsage,
): Promise<OutgoingMessage[]> {
  const { rt } = ctx;
  const billed = await billedFor(tx, usage);
  const { messages } = await ingestUsage(tx, rt, [
    {
      record: {
        id: usageEventId(),
        idempotencyKey: usage.idempotencyKey ?? newKey(),
        meter: usage.meter,
        quantity: usage.quantity,
        userKey: usage.userKey,
        appKey: usage.app?.key ?? null,
        billedAccountId: billed.accountId,
        at: rt.clock.now(),
      },
      organizationKey: billed.organizationKey,
      param: "usage",
    },
  ]);
  return messages;
}

/** What recording a batch did. */
export interface RecordedUsage {
  /** Events recorded now. */
  readonly recorded: number;
  /** Events ignored because their idempotency key was recorded before (or earlier in the batch). */
  readonly ignored: number;
}

/** Usage metering for trusted host code (`orgkit.system().usage`). */
export interface UsageService {
  /**
   * Records one event or a batch (up to 10,000) in one transaction, each billed per the routing
   * rules (see {@link routeUsage}); a repeated idempotency key is ignored. Refuses the whole batch,
   * recording nothing, on bad input (negative or non-whole quantity, unknown meter, user or app,
   * an event more than 5 minutes ahead), an event in a closed period (PERIOD_CLOSED) or a member
   * under a hard-stopped budget (BUDGET_EXCEEDED).
   *
   * @example
   * ```ts
   * await orgkit.system().usage.record([
   *   { idempotencyKey: "req-81f2", meter: "model.predict", quantity: 1, userId: "bob", appId: "acme/support" },
   * ]);
   * ```
   */
  record(events: UsageEventInput | readonly UsageEventInput[]): Promise<RecordedUsage>;
}

/** Builds the usage service for one actor. */
export function usageService(ctx: CallContext): UsageService {
  const { rt } = ctx;
  return {
    async record(input) {
      const batch = Array.isArray(input) ? input : [input];
      const events = parseInput(UsageBatchSchema, batch, "events");
      if (ctx.actor.type !== "system") {
        throw new OrgKitError("FORBIDDEN", {
          message: "Usage is recorded by trusted host code (orgkit.system()).",
        });
      }
      const now = rt.clock.now();
      const meters = await meterCatalogue(rt.storage);
      events.forEach((e, i) => {
        if (!meters.has(e.meter)) {
          throw new OrgKitError("VALIDATION_FAILED", {
            param: `events.${i}.meter`,
            message: "Unknown meter.",
          });
        }
        if (e.at !== undefined && e.at.getTime() > now.getTime() + MAX_USAGE_CLOCK_SKEW_MS) {
          throw new OrgKitError("VALIDATION_FAILED", {
            param: `events.${i}.at`,
            message: "An event cannot be dated in the future.",
          });
        }
      });
      const users = new Map(
        (await rt.storage.billing.usersByIds(events.map((e) => e.userId))).map((u) => [u.id, u.key]),
      );
      const apps = new Map<string, AppIds>();
      for (const [i, e] of events.entries()) {
        if (!users.has(e.userId)) throw notFound(`events.${i}.userId`);
        if (e.appId !== undefined && !apps.has(e.appId)) {
          const [ownerId, appId] = e.appId.split("/") as [string, string];
          const app = await rt.storage.billing.appByPath(ownerId, appId);
          if (app === null) throw notFound(`events.${i}.appId`);
          apps.set(e.appId, app);
        }
      }
      const out = await rt.storage.transaction(async (tx) => {
        const routes = new Map<string, BillingRoute[]>();
        for (const r of await tx.billing.routes([...users.values()])) {
          routes.set(r.userKey, [...(routes.get(r.userKey) ?? []), r]);
        }
        // A batch repeats the same few users and apps: route each pair once.
        const billedTo = new Map<string, BilledTo>();
        const billable: BillableEvent[] = events.map((e, i) => {
          const userKey = users.get(e.userId)!;
          const app = e.appId === undefined ? null : apps.get(e.appId)!;
          const appOrganizationKey = app?.organizationKey ?? null;
          const pair = appOrganizationKey === null ? userKey : `${userKey}\u0000${appOrganizationKey}`;
          let billed = billedTo.get(pair);
          if (billed === undefined) {
            billed = routeUsage(e.userId, routes.get(userKey) ?? [], appOrganizationKey);
            billedTo.set(pair, billed);
          }
          return {
            record: {
              id: usageEventId(),
              idempotencyKey: e.idempotencyKey,
              meter: e.meter,
              quantity: e.quantity,
              userKey,
              appKey: app?.key ?? null,
              billedAccountId: billed.accountId,
              at: e.at ?? now,
            },
            organizationKey: billed.organizationKey,
            param: `events.${i}`,
          };
        });
        return ingestUsage(tx, rt, billable);
      });
      await deliverAll(rt, out.messages);
      return { recorded: out.inserted.length, ignored: events.length - out.inserted.length };
    },
  };
}
