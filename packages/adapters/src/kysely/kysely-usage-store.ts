import {
  type UsageCell,
  type UsageEventRecord,
  type UsageStore,
  usageDayOf,
  usagePeriodOf,
} from "@orgkit/core";
import { type Compilable, CompiledQuery, type Kysely, type Selectable, sql } from "kysely";
import type { Database, UsageCellColumns, UsageEventsTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

/**
 * Rows per multi-row statement (well under every engine's parameter limit). Full chunks run one
 * SQL text compiled once (see {@link runTemplate}), so the driver's statement cache reuses it.
 */
const CHUNK = 500;

/** SQL texts of multi-row statements by shape and row count, compiled once per engine's syntax. */
const templates = new Map<string, string>();

/**
 * Runs `build(rows.length)`'s statement with `params` (row-major), compiling the SQL text once
 * per (shape, row count, engine syntax): building a 500-row Kysely query costs more than running it.
 */
async function runTemplate<R>(
  db: Kysely<Database>,
  shape: string,
  rows: number,
  build: (rows: number) => Compilable<R>,
  params: unknown[],
): Promise<R[]> {
  // The one-row form names the engine's syntax ($1 or ?), so caches of two engines never mix.
  const probe = build(1).compile().sql;
  const key = `${shape}\u0000${rows}\u0000${probe}`;
  let text = templates.get(key);
  if (text === undefined) {
    const compiled = build(rows).compile();
    if (compiled.parameters.length !== params.length)
      throw new Error(
        `template ${shape} binds ${compiled.parameters.length} parameters, not ${params.length}`,
      );
    text = compiled.sql;
    if (templates.size > 256) templates.clear();
    templates.set(key, text);
  }
  const result = await db.executeQuery<R>(CompiledQuery.raw(text, params));
  return result.rows;
}

/** A rollup cell being built in memory from one batch. */
interface CellAcc {
  accountId: string;
  bucket: string | number;
  userKey: string;
  meter: string;
  appKey: string;
  sum: number;
  count: number;
  max: number;
  last: number;
  lastAt: number;
  lastKey: string;
}

/** True when (at, key) is later than the cell's last event. Keys compare by code unit (ASCII keys: byte order). */
function later(at: number, key: string, cell: { lastAt: number; lastKey: string }): boolean {
  return at > cell.lastAt || (at === cell.lastAt && key > cell.lastKey);
}

function accumulate(cells: Map<string, CellAcc>, bucket: string | number, e: UsageEventRecord): void {
  const userKey = e.userKey ?? "";
  const appKey = e.appKey ?? "";
  const id = `${e.billedAccountId}\u0000${bucket}\u0000${userKey}\u0000${e.meter}\u0000${appKey}`;
  const at = e.at.getTime();
  const cell = cells.get(id);
  if (cell === undefined) {
    cells.set(id, {
      accountId: e.billedAccountId,
      bucket,
      userKey,
      meter: e.meter,
      appKey,
      sum: e.quantity,
      count: 1,
      max: e.quantity,
      last: e.quantity,
      lastAt: at,
      lastKey: e.idempotencyKey,
    });
    return;
  }
  cell.sum += e.quantity;
  cell.count += 1;
  if (e.quantity > cell.max) cell.max = e.quantity;
  if (later(at, e.idempotencyKey, cell)) {
    cell.last = e.quantity;
    cell.lastAt = at;
    cell.lastKey = e.idempotencyKey;
  }
}

function toEvent(r: Selectable<UsageEventsTable>): UsageEventRecord {
  return {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    meter: r.meter,
    quantity: Number(r.quantity),
    userKey: r.user_key,
    appKey: r.app_key,
    billedAccountId: r.billed_account_id,
    at: toDate(r.created_at),
  };
}

function toCell(r: Selectable<UsageCellColumns>, bucket: string): UsageCell {
  return {
    accountId: r.account_id,
    bucket,
    userKey: r.user_key === "" ? null : r.user_key,
    meter: r.meter,
    appKey: r.app_key === "" ? null : r.app_key,
    sum: Number(r.qty_sum),
    count: Number(r.qty_count),
    max: Number(r.qty_max),
    last: Number(r.last_qty),
    lastAt: Number(r.last_at),
    lastKey: r.last_key,
  };
}

/**
 * {@link UsageStore} over Kysely: raw events with multi-row insert-or-ignore, and the daily and
 * period rollups upserted in the same transaction, aggregated per batch in memory first (one
 * upsert per cell, in key order so that concurrent batches lock rows in the same order).
 */
export class KyselyUsageStore implements UsageStore {
  constructor(private readonly ctx: StoreContext) {}

  async record(event: UsageEventRecord): Promise<boolean> {
    return (await this.recordBatch([event])).length === 1;
  }

  async recordBatch(events: readonly UsageEventRecord[]): Promise<UsageEventRecord[]> {
    if (events.length === 0) return [];
    const byKey = new Map<string, UsageEventRecord>();
    for (const event of events) if (!byKey.has(event.idempotencyKey)) byKey.set(event.idempotencyKey, event);
    const unique = [...byKey.values()];
    return this.ctx.atomic(async (db) => {
      const inserted: UsageEventRecord[] = [];
      const insertEvents = (n: number) =>
        db
          .insertInto("usage_events")
          .values(
            Array.from({ length: n }, () => ({
              id: "",
              idempotency_key: "",
              meter: "",
              quantity: 0,
              user_key: "",
              app_key: "",
              billed_account_id: "",
              created_at: 0,
            })),
          )
          .onConflict((oc) => oc.column("idempotency_key").doNothing())
          .returning("idempotency_key");
      for (let i = 0; i < unique.length; i += CHUNK) {
        const chunk = unique.slice(i, i + CHUNK);
        const params: unknown[] = [];
        for (const e of chunk) {
          params.push(
            e.id,
            e.idempotencyKey,
            e.meter,
            e.quantity,
            e.userKey,
            e.appKey,
            e.billedAccountId,
            e.at.getTime(),
          );
        }
        const rows = await translateUnique(
          this.ctx.classifyError,
          runTemplate(db, "usage_events", chunk.length, insertEvents, params),
        );
        for (const row of rows) inserted.push(byKey.get(row.idempotency_key)!);
      }
      if (inserted.length === 0) return inserted;
      const daily = new Map<string, CellAcc>();
      const periods = new Map<string, CellAcc>();
      for (const e of inserted) {
        accumulate(daily, usageDayOf(e.at), e);
        accumulate(periods, usagePeriodOf(e.at), e);
      }
      await upsertCells(db, "usage_daily", "day", daily);
      await upsertCells(db, "usage_periods", "period", periods);
      return inserted;
    });
  }

  async periodCells(accountId: string, period: string): Promise<UsageCell[]> {
    const rows = await this.ctx.db
      .selectFrom("usage_periods")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("period", "=", period)
      .execute();
    return rows.map((r) => toCell(r, r.period));
  }

  async dailyCells(
    accountId: string,
    query: { readonly fromDay: number; readonly toDay: number; readonly userKey?: string },
  ): Promise<UsageCell[]> {
    let select = this.ctx.db.selectFrom("usage_daily").selectAll().where("account_id", "=", accountId);
    if (query.userKey !== undefined) select = select.where("user_key", "=", query.userKey);
    const rows = await select.where("day", ">=", query.fromDay).where("day", "<", query.toDay).execute();
    return rows.map((r) => toCell(r, String(Number(r.day))));
  }

  async listForAccount(accountId: string, from: Date, to: Date, limit: number): Promise<UsageEventRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("usage_events")
      .selectAll()
      .where("billed_account_id", "=", accountId)
      .where("created_at", ">=", from.getTime())
      .where("created_at", "<", to.getTime())
      .orderBy("created_at")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  async listForApp(appKey: string, limit: number): Promise<UsageEventRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("usage_events")
      .selectAll()
      .where("app_key", "=", appKey)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }
}

async function upsertCells(
  db: Kysely<Database>,
  table: "usage_daily" | "usage_periods",
  bucket: "day" | "period",
  cells: Map<string, CellAcc>,
): Promise<void> {
  const sorted = [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  // The bare table name (no schema): how ON CONFLICT DO UPDATE refers to the existing row.
  const t = sql.id(table);
  const newer = sql`(excluded.last_at > ${t}.last_at or (excluded.last_at = ${t}.last_at and excluded.last_key > ${t}.last_key))`;
  const build = (n: number) =>
    db
      .insertInto(table)
      .values(
        Array.from({ length: n }, () => ({
          account_id: "",
          [bucket]: bucket === "day" ? 0 : "",
          user_key: "",
          meter: "",
          app_key: "",
          qty_sum: 0,
          qty_count: 0,
          qty_max: 0,
          last_qty: 0,
          last_at: 0,
          last_key: "",
        })) as never,
      )
      .onConflict((oc) =>
        oc.columns(["account_id", bucket, "user_key", "meter", "app_key"] as never).doUpdateSet({
          qty_sum: sql`${t}.qty_sum + excluded.qty_sum`,
          qty_count: sql`${t}.qty_count + excluded.qty_count`,
          qty_max: sql`case when excluded.qty_max > ${t}.qty_max then excluded.qty_max else ${t}.qty_max end`,
          last_qty: sql`case when ${newer} then excluded.last_qty else ${t}.last_qty end`,
          last_at: sql`case when ${newer} then excluded.last_at else ${t}.last_at end`,
          last_key: sql`case when ${newer} then excluded.last_key else ${t}.last_key end`,
        }),
      );
  for (let i = 0; i < sorted.length; i += CHUNK) {
    const chunk = sorted.slice(i, i + CHUNK);
    const params: unknown[] = [];
    for (const c of chunk) {
      params.push(
        c.accountId,
        c.bucket,
        c.userKey,
        c.meter,
        c.appKey,
        c.sum,
        c.count,
        c.max,
        c.last,
        c.lastAt,
        c.lastKey,
      );
    }
    await runTemplate(db, table, chunk.length, build, params);
  }
}
