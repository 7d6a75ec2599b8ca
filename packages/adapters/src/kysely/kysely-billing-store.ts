import type {
  AppIds,
  BillingAccountRecord,
  BillingRoute,
  BillingStore,
  BudgetRecord,
  BudgetScope,
  ClosedPeriodRecord,
  MeterAggregation,
  MeterRecord,
  PriceRecord,
  PriceTier,
  UserIds,
} from "@orgkit/core";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

/** Keys per `in (...)` list, well under every engine's parameter limit. */
const IN_CHUNK = 5000;

async function chunked<K, T>(keys: readonly K[], read: (chunk: K[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += IN_CHUNK) out.push(...(await read(unique.slice(i, i + IN_CHUNK))));
  return out;
}

/** {@link BillingStore} over Kysely. */
export class KyselyBillingStore implements BillingStore {
  constructor(private readonly ctx: StoreContext) {}

  async getAccount(organizationKey: string): Promise<BillingAccountRecord | null> {
    const row = await this.ctx.db
      .selectFrom("billing_accounts")
      .selectAll()
      .where("organization_key", "=", organizationKey)
      .executeTakeFirst();
    return row
      ? {
          organizationKey: row.organization_key,
          consolidated: row.consolidated === 1,
          currency: row.currency,
          period: "month",
          createdAt: toDate(row.created_at),
          updatedAt: toDate(row.updated_at),
        }
      : null;
  }

  async putAccount(account: BillingAccountRecord): Promise<void> {
    const values = {
      organization_key: account.organizationKey,
      consolidated: account.consolidated ? 1 : 0,
      currency: account.currency,
      period: account.period,
      created_at: account.createdAt.getTime(),
      updated_at: account.updatedAt.getTime(),
    };
    await this.ctx.db
      .insertInto("billing_accounts")
      .values(values)
      .onConflict((oc) =>
        oc.column("organization_key").doUpdateSet({
          consolidated: values.consolidated,
          currency: values.currency,
          period: values.period,
          updated_at: values.updated_at,
        }),
      )
      .execute();
  }

  async listMeters(): Promise<MeterRecord[]> {
    const rows = await this.ctx.db.selectFrom("meters").selectAll().orderBy("id").execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      unit: r.unit,
      aggregation: r.aggregation as MeterAggregation,
      createdAt: toDate(r.created_at),
      updatedAt: toDate(r.updated_at),
    }));
  }

  async putMeter(meter: MeterRecord): Promise<void> {
    await this.ctx.db
      .insertInto("meters")
      .values({
        id: meter.id,
        name: meter.name,
        unit: meter.unit,
        aggregation: meter.aggregation,
        created_at: meter.createdAt.getTime(),
        updated_at: meter.updatedAt.getTime(),
      })
      .onConflict((oc) =>
        oc.column("id").doUpdateSet({
          name: meter.name,
          unit: meter.unit,
          aggregation: meter.aggregation,
          updated_at: meter.updatedAt.getTime(),
        }),
      )
      .execute();
  }

  async listPrices(currency: string, meter?: string): Promise<PriceRecord[]> {
    let select = this.ctx.db.selectFrom("prices").selectAll().where("currency", "=", currency);
    if (meter !== undefined) select = select.where("meter", "=", meter);
    const rows = await select.orderBy("meter").orderBy("effective_from").execute();
    return rows.map((r) => ({
      meter: r.meter,
      currency: r.currency,
      effectiveFrom: toDate(r.effective_from),
      per: Number(r.per),
      tiers: JSON.parse(r.tiers_json) as PriceTier[],
      createdAt: toDate(r.created_at),
    }));
  }

  async putPrice(price: PriceRecord): Promise<void> {
    const tiers = JSON.stringify(price.tiers);
    await this.ctx.db
      .insertInto("prices")
      .values({
        meter: price.meter,
        currency: price.currency,
        effective_from: price.effectiveFrom.getTime(),
        per: price.per,
        tiers_json: tiers,
        created_at: price.createdAt.getTime(),
      })
      .onConflict((oc) =>
        oc
          .columns(["currency", "meter", "effective_from"])
          .doUpdateSet({ per: price.per, tiers_json: tiers, created_at: price.createdAt.getTime() }),
      )
      .execute();
  }

  async getClosedPeriod(organizationKey: string, period: string): Promise<ClosedPeriodRecord | null> {
    const row = await this.ctx.db
      .selectFrom("billing_periods")
      .selectAll()
      .where("organization_key", "=", organizationKey)
      .where("period", "=", period)
      .executeTakeFirst();
    return row
      ? {
          organizationKey: row.organization_key,
          period: row.period,
          statement: JSON.parse(row.statement_json) as unknown,
          closedAt: toDate(row.closed_at),
          closedBy: row.closed_by,
        }
      : null;
  }

  async closedPeriods(organizationKey: string, periods: readonly string[]): Promise<string[]> {
    if (periods.length === 0) return [];
    if (this.ctx.concurrentWriters) {
      // Held until the caller's transaction ends: a close (which locks the organization's row)
      // waits for this batch, or this batch waits for the close and then sees it below.
      await this.ctx.db
        .selectFrom("organizations")
        .select("key")
        .where("key", "=", organizationKey)
        .forShare()
        .execute();
    }
    const rows = await this.ctx.db
      .selectFrom("billing_periods")
      .select("period")
      .where("organization_key", "=", organizationKey)
      .where("period", "in", [...new Set(periods)])
      .execute();
    return rows.map((r) => r.period);
  }

  async closePeriod(record: ClosedPeriodRecord): Promise<boolean> {
    const result = await this.ctx.db
      .insertInto("billing_periods")
      .values({
        organization_key: record.organizationKey,
        period: record.period,
        statement_json: JSON.stringify(record.statement),
        closed_at: record.closedAt.getTime(),
        closed_by: record.closedBy,
      })
      .onConflict((oc) => oc.columns(["organization_key", "period"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async listBudgets(organizationKey: string): Promise<BudgetRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("budgets as b")
      .leftJoin("teams as t", (j) => j.onRef("t.key", "=", "b.scope_key").on("b.scope", "=", "team"))
      .leftJoin("users as u", (j) => j.onRef("u.key", "=", "b.scope_key").on("b.scope", "=", "member"))
      .selectAll("b")
      .select(["t.id as team_id", "u.id as user_id"])
      .where("b.organization_key", "=", organizationKey)
      .orderBy("b.created_at")
      .orderBy("b.key")
      .execute();
    return rows.map((r) => ({
      key: r.key,
      organizationKey: r.organization_key,
      scope: r.scope as BudgetScope,
      scopeKey: r.scope_key,
      scopeId: r.scope === "team" ? r.team_id : r.scope === "member" ? r.user_id : null,
      amount: Number(r.amount),
      hardStop: r.hard_stop === 1,
      createdAt: toDate(r.created_at),
      updatedAt: toDate(r.updated_at),
    }));
  }

  async putBudget(budget: Omit<BudgetRecord, "scopeId">): Promise<BudgetRecord> {
    await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .insertInto("budgets")
        .values({
          key: budget.key,
          organization_key: budget.organizationKey,
          scope: budget.scope,
          scope_key: budget.scopeKey,
          amount: budget.amount,
          hard_stop: budget.hardStop ? 1 : 0,
          created_at: budget.createdAt.getTime(),
          updated_at: budget.updatedAt.getTime(),
        })
        .onConflict((oc) =>
          oc.columns(["organization_key", "scope", "scope_key"]).doUpdateSet({
            amount: budget.amount,
            hard_stop: budget.hardStop ? 1 : 0,
            updated_at: budget.updatedAt.getTime(),
          }),
        )
        .execute(),
    );
    const stored = (await this.listBudgets(budget.organizationKey)).find(
      (b) => b.scope === budget.scope && b.scopeKey === budget.scopeKey,
    );
    if (stored === undefined) throw new Error("budget vanished after its upsert");
    return stored;
  }

  async deleteBudget(organizationKey: string, key: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom("budgets")
      .where("organization_key", "=", organizationKey)
      .where("key", "=", key)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async claimAlert(budgetKey: string, period: string, threshold: number, at: Date): Promise<boolean> {
    const result = await this.ctx.db
      .insertInto("budget_alerts")
      .values({ budget_key: budgetKey, period, threshold, created_at: at.getTime() })
      .onConflict((oc) => oc.columns(["budget_key", "period", "threshold"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async listAlerts(budgetKey: string, period: string): Promise<number[]> {
    const rows = await this.ctx.db
      .selectFrom("budget_alerts")
      .select("threshold")
      .where("budget_key", "=", budgetKey)
      .where("period", "=", period)
      .orderBy("threshold")
      .execute();
    return rows.map((r) => r.threshold);
  }

  routes(userKeys: readonly string[]): Promise<BillingRoute[]> {
    return chunked(userKeys, async (keys) => {
      const rows = await this.ctx.db
        .selectFrom("memberships as m")
        .innerJoin("organizations as o", "o.key", "m.organization_key")
        .leftJoin("billing_accounts as b", "b.organization_key", "m.organization_key")
        .select(["m.user_key", "m.organization_key", "o.id", "b.consolidated", "m.created_at"])
        .where("m.user_key", "in", keys)
        .execute();
      return rows.map((r) => ({
        userKey: r.user_key,
        organizationKey: r.organization_key,
        organizationId: r.id,
        consolidated: r.consolidated === null ? true : r.consolidated === 1,
        joinedAt: toDate(r.created_at),
      }));
    });
  }

  usersByIds(ids: readonly string[]): Promise<UserIds[]> {
    return chunked(ids, (chunk) =>
      this.ctx.db.selectFrom("users").select(["key", "id"]).where("id", "in", chunk).execute(),
    );
  }

  usersByKeys(keys: readonly string[]): Promise<UserIds[]> {
    return chunked(keys, (chunk) =>
      this.ctx.db.selectFrom("users").select(["key", "id"]).where("key", "in", chunk).execute(),
    );
  }

  appsByKeys(keys: readonly string[]): Promise<AppIds[]> {
    return chunked(keys, async (chunk) => {
      const rows = await this.ctx.db
        .selectFrom("apps")
        .select(["key", "owner_id", "id", "organization_key"])
        .where("key", "in", chunk)
        .execute();
      return rows.map((r) => ({
        key: r.key,
        ownerId: r.owner_id,
        id: r.id,
        organizationKey: r.organization_key,
      }));
    });
  }

  async appByPath(ownerId: string, appId: string): Promise<AppIds | null> {
    const r = await this.ctx.db
      .selectFrom("apps")
      .select(["key", "owner_id", "id", "organization_key"])
      .where("owner_id", "=", ownerId)
      .where("id", "=", appId)
      .executeTakeFirst();
    return r ? { key: r.key, ownerId: r.owner_id, id: r.id, organizationKey: r.organization_key } : null;
  }

  async teamMembers(
    organizationKey: string,
  ): Promise<{ teamId: string; teamKey: string; userKey: string }[]> {
    const rows = await this.ctx.db
      .selectFrom("team_members as tm")
      .innerJoin("teams as t", "t.key", "tm.team_key")
      .select(["t.id", "t.key", "tm.user_key"])
      .where("tm.organization_key", "=", organizationKey)
      .execute();
    return rows.map((r) => ({ teamId: r.id, teamKey: r.key, userKey: r.user_key }));
  }
}
