import { notFound, OrgKitError } from "../errors.js";
import {
  type BillingAccount,
  type MemberActivity,
  type Meter,
  type MeterInput,
  MeterInputSchema,
  PeriodSchema,
  type Price,
  type PriceInput,
  PriceInputSchema,
  type Statement,
  TimeRangeSchema,
  type UpdateBillingAccountInput,
  UpdateBillingAccountInputSchema,
} from "../schemas/billing.js";
import { parseInput } from "../schemas/common.js";
import { organizationAuditChain } from "../storage/audit-store.js";
import type { BillingAccountRecord, MeterRecord, PriceRecord } from "../storage/billing-store.js";
import type { OrganizationRecord } from "../storage/records.js";
import type { Stores } from "../storage/storage.js";
import { usageDayOf, usagePeriodOf } from "../storage/usage-store.js";
import { authorizeOrganization, lockAndRecheck, requireUser } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { cmp, periodEnd, periodStart, priceCells, pricesInEffect } from "./pricing.js";
import type { CallContext } from "./runtime.js";

/** The meters every orgkit has (what `models.train` and `models.predict` record); a host may add more. */
export const BUILT_IN_METERS: readonly Meter[] = [
  { id: "model.train", name: "Model trainings", unit: "training", aggregation: "sum" },
  { id: "model.predict", name: "Predictions", unit: "prediction", aggregation: "sum" },
];

/** The defaults of an organization without a billing account row. */
export function accountOf(
  organizationKey: string,
  record: BillingAccountRecord | null,
): BillingAccountRecord {
  return (
    record ?? {
      organizationKey,
      consolidated: true,
      currency: "USD",
      period: "month",
      createdAt: new Date(0),
      updatedAt: new Date(0),
    }
  );
}

/** The meter catalogue: the built-in meters overlaid with the stored ones. */
export async function meterCatalogue(stores: Stores): Promise<Map<string, MeterRecord>> {
  const out = new Map<string, MeterRecord>();
  for (const m of BUILT_IN_METERS) out.set(m.id, { ...m, createdAt: new Date(0), updatedAt: new Date(0) });
  for (const m of await stores.billing.listMeters()) out.set(m.id, m);
  return out;
}

/** Priced usage of an organization's period, by internal keys, with the names a statement needs. */
export async function pricePeriod(stores: Stores, organization: { key: string; id: string }, period: string) {
  const account = accountOf(organization.key, await stores.billing.getAccount(organization.key));
  const [cells, meters, prices] = await Promise.all([
    stores.usage.periodCells(organization.id, period),
    meterCatalogue(stores),
    stores.billing.listPrices(account.currency),
  ]);
  const userKeys = [...new Set(cells.map((c) => c.userKey).filter((k): k is string => k !== null))];
  const users = new Map((await stores.billing.usersByKeys(userKeys)).map((u) => [u.key, u.id]));
  const order = (key: string | null) => (key === null ? "\uffff" : (users.get(key) ?? `\uffff${key}`));
  const priced = priceCells(cells, meters, pricesInEffect(prices, periodStart(period)), order);
  return { account, cells, meters, priced, users };
}

/** Builds an open period's statement from the rollups. */
export async function buildStatement(
  stores: Stores,
  organization: { key: string; id: string },
  period: string,
): Promise<Statement> {
  const { account, meters, priced, users } = await pricePeriod(stores, organization, period);
  const appKeys = new Set<string>();
  for (const line of priced.lines) for (const key of line.apps.keys()) if (key !== null) appKeys.add(key);
  const apps = new Map(
    (await stores.billing.appsByKeys([...appKeys])).map((a) => [a.key, `${a.ownerId}/${a.id}`]),
  );
  const userId = (key: string | null) => (key === null ? null : (users.get(key) ?? null));
  const memberTotals = new Map<string | null, number>();
  const memberByKey = new Map<string, number>();
  const appTotals = new Map<string | null, number>();
  for (const line of priced.lines) {
    const id = userId(line.userKey);
    memberTotals.set(id, (memberTotals.get(id) ?? 0) + line.amount);
    if (line.userKey !== null)
      memberByKey.set(line.userKey, (memberByKey.get(line.userKey) ?? 0) + line.amount);
    for (const [appKey, amount] of line.apps) {
      const appId = appKey === null ? null : (apps.get(appKey) ?? null);
      appTotals.set(appId, (appTotals.get(appId) ?? 0) + amount);
    }
  }
  const teamTotals = new Map<string, number>();
  for (const { teamId, userKey } of await stores.billing.teamMembers(organization.key)) {
    teamTotals.set(teamId, (teamTotals.get(teamId) ?? 0) + (memberByKey.get(userKey) ?? 0));
  }
  const nullsLast = (a: string | null, b: string | null) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : cmp(a, b);
  const unit = (meter: string) => meters.get(meter)?.unit ?? "unit";
  return {
    organizationId: organization.id,
    period,
    currency: account.currency,
    status: "open",
    closedAt: null,
    lines: priced.lines
      .map((l) => ({
        userId: userId(l.userKey),
        meter: l.meter,
        unit: unit(l.meter),
        quantity: l.quantity,
        amount: l.amount,
      }))
      .sort((a, b) => nullsLast(a.userId, b.userId) || cmp(a.meter, b.meter)),
    members: [...memberTotals]
      .map(([id, amount]) => ({ userId: id, amount }))
      .sort((a, b) => nullsLast(a.userId, b.userId)),
    meters: [...priced.meters]
      .map(([meter, m]) => ({
        meter,
        unit: unit(meter),
        quantity: m.quantity,
        amount: m.amount,
        priced: m.priced,
      }))
      .sort((a, b) => cmp(a.meter, b.meter)),
    teams: [...teamTotals]
      .map(([teamId, amount]) => ({ teamId, amount }))
      .sort((a, b) => cmp(a.teamId, b.teamId)),
    apps: [...appTotals]
      .map(([appId, amount]) => ({ appId, amount }))
      .sort((a, b) => nullsLast(a.appId, b.appId)),
    total: priced.total,
  };
}

/** A statement as CSV: one row per line, then the grand total. */
export function statementCsv(statement: Statement): string {
  const field = (value: string | number | null) => {
    let text = value === null ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const rows = [["period", "currency", "userId", "meter", "unit", "quantity", "amount"].join(",")];
  for (const l of statement.lines) {
    rows.push(
      [statement.period, statement.currency, l.userId, l.meter, l.unit, l.quantity, l.amount]
        .map(field)
        .join(","),
    );
  }
  rows.push(
    [statement.period, statement.currency, "TOTAL", "", "", "", statement.total].map(field).join(","),
  );
  return `${rows.join("\n")}\n`;
}

/** Billing of an organization (read: `billing:get`; write: `billing:manage`) and the price book. */
export interface BillingService {
  /** The organization's billing account: billing email, consolidated billing (default on), currency, period. */
  getAccount(organizationId: string): Promise<BillingAccount>;
  /**
   * Edits the billing account (needs `billing:manage`).
   *
   * @example
   * ```ts
   * await asAdmin.billing.updateAccount("acme", { billingEmail: "ap@acme.test", consolidated: false });
   * ```
   */
  updateAccount(organizationId: string, input: UpdateBillingAccountInput): Promise<BillingAccount>;
  /** The meter catalogue (any signed-in user). */
  meters(): Promise<Meter[]>;
  /** Adds or edits a meter (trusted host code only: `orgkit.system()`). */
  setMeter(input: MeterInput): Promise<Meter>;
  /** The price book of a currency (default USD), oldest first per meter. */
  prices(currency?: string): Promise<Price[]>;
  /**
   * Sets the price of a meter from a period on (trusted host code only). A price applies to whole
   * periods and only from the current one on, so it can never change a closed period.
   *
   * @example
   * ```ts
   * await orgkit.system().billing.setPrice({ meter: "model.predict", effectiveFrom: "2026-02", per: 1000,
   *   tiers: [{ upTo: 1_000_000, amount: 120 }, { upTo: null, amount: 90 }] });
   * ```
   */
  setPrice(input: PriceInput): Promise<Price>;
  /** The statement of a `YYYY-MM` period: live from the rollups while open, as frozen once closed. */
  statement(organizationId: string, period: string): Promise<Statement>;
  /** The statement as CSV. */
  exportStatement(organizationId: string, period: string, options?: { format?: "csv" }): Promise<string>;
  /**
   * Closes an ended period (needs `billing:manage`): its statement is stored and never changes,
   * and usage dated in it is refused (PERIOD_CLOSED) from then on.
   */
  closePeriod(organizationId: string, period: string): Promise<Statement>;
  /**
   * Per member, usage billed to the organization and audited actions over [from, to). Admins and
   * financial managers (`billing:get`) see every member; any member sees their own (pass `userId`).
   * Usage is counted per whole UTC day of the range.
   */
  activity(
    organizationId: string,
    range: { from: Date; to: Date; userId?: string },
  ): Promise<MemberActivity[]>;
}

function toPrice(p: PriceRecord): Price {
  return {
    meter: p.meter,
    currency: p.currency,
    effectiveFrom: usagePeriodOf(p.effectiveFrom),
    per: p.per,
    tiers: p.tiers.map((t) => ({ upTo: t.upTo, amount: t.amount })),
  };
}

function toMeter(m: MeterRecord): Meter {
  return { id: m.id, name: m.name, unit: m.unit, aggregation: m.aggregation };
}

function toAccount(organization: OrganizationRecord, account: BillingAccountRecord): BillingAccount {
  return {
    organizationId: organization.id,
    billingEmail: organization.billingEmail,
    consolidated: account.consolidated,
    currency: account.currency,
    period: account.period,
  };
}

function requireSystem(ctx: CallContext, what: string): void {
  if (ctx.actor.type !== "system") {
    throw new OrgKitError("FORBIDDEN", { message: `Only trusted host code (orgkit.system()) may ${what}.` });
  }
}

/** Builds the billing service for one actor. */
export function billingService(ctx: CallContext): BillingService {
  const { rt } = ctx;

  async function organizationRecord(stores: Stores, key: string): Promise<OrganizationRecord> {
    const record = await stores.organizations.getByKey(key);
    if (record === null) throw notFound("organizationId");
    return record;
  }

  return {
    async getAccount(organizationId) {
      const granted = await authorizeOrganization(ctx, organizationId, "billing:get");
      const organization = await organizationRecord(rt.storage, granted.organization.key);
      return toAccount(
        organization,
        accountOf(organization.key, await rt.storage.billing.getAccount(organization.key)),
      );
    },

    async updateAccount(organizationId, input) {
      const data = parseInput(UpdateBillingAccountInputSchema, input);
      const granted = await authorizeOrganization(ctx, organizationId, "billing:manage");
      return rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "billing:manage");
        const at = rt.clock.now();
        let organization = locked.record;
        const before = toAccount(
          organization,
          accountOf(organization.key, await tx.billing.getAccount(organization.key)),
        );
        if (data.billingEmail !== undefined && data.billingEmail !== organization.billingEmail) {
          organization =
            (await tx.organizations.update(organization.key, { billingEmail: data.billingEmail }, at)) ??
            organization;
        }
        const current = accountOf(organization.key, await tx.billing.getAccount(organization.key));
        const next: BillingAccountRecord = {
          ...current,
          consolidated: data.consolidated ?? current.consolidated,
          currency: data.currency ?? current.currency,
          createdAt: current.createdAt.getTime() === 0 ? at : current.createdAt,
          updatedAt: at,
        };
        await tx.billing.putAccount(next);
        const after = toAccount(organization, next);
        await recordAudit(tx, ctx, {
          organizationId: organization.id,
          organizationKey: organization.key,
          action: "BILLING_ACCOUNT_UPDATE",
          targetType: "billing_account",
          targetId: organization.id,
          before,
          after,
        });
        return after;
      });
    },

    async meters() {
      if (ctx.actor.type === "anonymous") throw new OrgKitError("UNAUTHENTICATED");
      return [...(await meterCatalogue(rt.storage)).values()].map(toMeter).sort((a, b) => cmp(a.id, b.id));
    },

    async setMeter(input) {
      const data = parseInput(MeterInputSchema, input);
      requireSystem(ctx, "define meters");
      return rt.storage.transaction(async (tx) => {
        const at = rt.clock.now();
        const existing = (await tx.billing.listMeters()).find((m) => m.id === data.id);
        await tx.billing.putMeter({ ...data, createdAt: existing?.createdAt ?? at, updatedAt: at });
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "BILLING_METER_SET",
          targetType: "meter",
          targetId: data.id,
          before: existing ? toMeter(existing) : null,
          after: data,
        });
        return { ...data };
      });
    },

    async prices(currency = "USD") {
      if (ctx.actor.type === "anonymous") throw new OrgKitError("UNAUTHENTICATED");
      if (!/^[A-Z]{3}$/.test(currency)) {
        throw new OrgKitError("VALIDATION_FAILED", {
          param: "currency",
          message: "A currency is an ISO 4217 code.",
        });
      }
      return (await rt.storage.billing.listPrices(currency)).map(toPrice);
    },

    async setPrice(input) {
      const data = parseInput(PriceInputSchema, input);
      requireSystem(ctx, "set prices");
      if (data.effectiveFrom < usagePeriodOf(rt.clock.now())) {
        throw new OrgKitError("VALIDATION_FAILED", {
          param: "effectiveFrom",
          message:
            "A price takes effect from the current period or a later one; past periods keep their prices.",
        });
      }
      return rt.storage.transaction(async (tx) => {
        if (!(await meterCatalogue(tx)).has(data.meter)) {
          throw new OrgKitError("VALIDATION_FAILED", { param: "meter", message: "Unknown meter." });
        }
        const record: PriceRecord = {
          meter: data.meter,
          currency: data.currency,
          effectiveFrom: periodStart(data.effectiveFrom),
          per: data.per,
          tiers: data.tiers,
          createdAt: rt.clock.now(),
        };
        await tx.billing.putPrice(record);
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "BILLING_PRICE_SET",
          targetType: "price",
          targetId: `${data.currency}/${data.meter}/${data.effectiveFrom}`,
          after: toPrice(record),
        });
        return toPrice(record);
      });
    },

    async statement(organizationId, period) {
      const p = parseInput(PeriodSchema, period, "period");
      const granted = await authorizeOrganization(ctx, organizationId, "billing:get");
      const closed = await rt.storage.billing.getClosedPeriod(granted.organization.key, p);
      if (closed !== null) return closed.statement as Statement;
      return buildStatement(rt.storage, granted.organization, p);
    },

    async exportStatement(organizationId, period, options = {}) {
      if ((options.format ?? "csv") !== "csv") {
        throw new OrgKitError("VALIDATION_FAILED", { param: "format", message: "Statements export as csv." });
      }
      return statementCsv(await this.statement(organizationId, period));
    },

    async closePeriod(organizationId, period) {
      const p = parseInput(PeriodSchema, period, "period");
      const granted = await authorizeOrganization(ctx, organizationId, "billing:manage");
      if (periodEnd(p) > rt.clock.now()) {
        throw new OrgKitError("VALIDATION_FAILED", {
          param: "period",
          message: "Only an ended period can be closed.",
        });
      }
      return rt.storage.transaction(async (tx) => {
        // The organization's lock orders this close after every usage write already holding it.
        const locked = await lockAndRecheck(tx, ctx, granted, "billing:manage");
        const at = rt.clock.now();
        const open = await buildStatement(tx, locked.organization, p);
        const statement: Statement = { ...open, status: "closed", closedAt: at.toISOString() };
        const closedBy = ctx.actor.type === "user" ? ctx.actor.userId : null;
        if (
          !(await tx.billing.closePeriod({
            organizationKey: locked.organization.key,
            period: p,
            statement,
            closedAt: at,
            closedBy,
          }))
        ) {
          throw new OrgKitError("PERIOD_CLOSED", { param: "period" });
        }
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "BILLING_PERIOD_CLOSE",
          targetType: "billing_period",
          targetId: p,
          after: { total: statement.total, currency: statement.currency, lines: statement.lines.length },
        });
        return statement;
      });
    },

    async activity(organizationId, range) {
      const r = parseInput(TimeRangeSchema, range);
      const own = ctx.actor.type === "user" && r.userId === ctx.actor.userId;
      const granted = await authorizeOrganization(ctx, organizationId, own ? null : "billing:get");
      if (own) await requireUser(ctx);
      const stores = rt.storage;
      let userKey: string | undefined;
      if (r.userId !== undefined) {
        const [user] = await stores.billing.usersByIds([r.userId]);
        if (user === undefined) throw notFound("userId");
        userKey = user.key;
      }
      const fromDay = usageDayOf(r.from);
      const toDay = usageDayOf(r.to.getTime() - 1) + 86_400_000;
      const cells = await stores.usage.dailyCells(granted.organization.id, {
        fromDay,
        toDay,
        ...(userKey ? { userKey } : {}),
      });
      const meters = await meterCatalogue(stores);
      const priced = priceCells(cells, meters, new Map(), (k) => k ?? "");
      const counts = new Map<string, number>();
      for (const c of cells) {
        const id = `${c.userKey ?? ""}\u0000${c.meter}`;
        counts.set(id, (counts.get(id) ?? 0) + c.count);
      }
      const keys = new Set<string | null>(priced.lines.map((l) => l.userKey));
      const users = new Map(
        (await stores.billing.usersByKeys([...keys].filter((k): k is string => k !== null))).map((u) => [
          u.key,
          u.id,
        ]),
      );
      const out = new Map<
        string | null,
        { usage: MemberActivity["usage"]; actions: Record<string, number> }
      >();
      const entry = (id: string | null) => {
        let e = out.get(id);
        if (e === undefined) {
          e = { usage: [], actions: {} };
          out.set(id, e);
        }
        return e;
      };
      for (const line of priced.lines) {
        const id = line.userKey === null ? null : (users.get(line.userKey) ?? null);
        entry(id).usage.push({
          meter: line.meter,
          unit: meters.get(line.meter)?.unit ?? "unit",
          quantity: line.quantity,
          events: counts.get(`${line.userKey ?? ""}\u0000${line.meter}`) ?? 0,
        });
      }
      // Actions from the organization's audit chain, newest first, a page at a time.
      const chain = organizationAuditChain(granted.organization.key);
      let before: number | undefined;
      for (;;) {
        const page = await stores.audit.query({
          chain,
          actorId: r.userId,
          from: r.from,
          to: r.to,
          before,
          limit: 1000,
        });
        for (const event of page) {
          if (event.actor.type !== "user") continue;
          const e = entry(event.actor.id);
          e.actions[event.action] = (e.actions[event.action] ?? 0) + 1;
        }
        if (page.length < 1000) break;
        before = page.at(-1)!.sequence;
      }
      if (r.userId !== undefined) entry(r.userId);
      return [...out]
        .filter(([id]) => r.userId === undefined || id === r.userId)
        .map(([userId, e]) => ({
          userId,
          usage: e.usage.sort((a, b) => cmp(a.meter, b.meter)),
          actions: e.actions,
        }))
        .sort((a, b) => cmp(a.userId ?? "\uffff", b.userId ?? "\uffff"));
    },
  };
}
