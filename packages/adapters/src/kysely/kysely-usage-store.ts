import {
  type UsageCell,
  type UsageEventRecord,
  type UsageStore,
  usageDayOf,
  usagePeriodOf,
} from "@orgkit/core";
import { type Compilable, CompiledQuery, type Kysely, type QueryResult, type Selectable, sql } from "kysely";
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
): Promise<QueryResult<R>> {
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
  return db.executeQuery<R>(CompiledQuery.raw(text, params));
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

/** Folds a cell into the cell of the same account, user, meter and app in `bucket` (a day into its period). */
function merge(cells: Map<string, CellAcc>, bucket: string, from: CellAcc): void {
  const id = `${from.accountId}\u0000${bucket}\u0000${from.userKey}\u0000${from.meter}\u0000${from.appKey}`;
  const cell = cells.get(id);
  if (cell === undefined) {
    cells.set(id, { ...from, bucket });
    return;
  }
  cell.sum += from.sum;
  cell.count += from.count;
  if (from.max > cell.max) cell.max = from.max;
  if (later(from.lastAt, from.lastKey, cell)) {
    cell.last = from.last;
    cell.lastAt = from.lastAt;
    cell.lastKey = from.lastKey;
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
    return this.ctx.atomic(async (db) => {
      // In key order, as every batch takes its row locks: two batches sharing keys never deadlock.
      const unique = [...byKey.values()].sort((a, b) =>
        a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0,
      );
      const inserted = await translateUnique(this.ctx.classifyError, insertEvents(db, unique));
      if (inserted.length === 0) return inserted;
      // Daily cells from the events, then period cells from the daily ones (a period is whole days).
      const daily = new Map<string, CellAcc>();
      for (const e of inserted) accumulate(daily, usageDayOf(e.at), e);
      const periods = new Map<string, CellAcc>();
      for (const cell of daily.values()) merge(periods, usagePeriodOf(cell.bucket as number), cell);
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

/**
 * Inserts the events whose idempotency key is new, in multi-row insert-or-ignore statements
 * (atomic on the unique index, so concurrent batches never both insert a key), and returns them.
 * A chunk that inserted every row, the usual case, needs nothing more; otherwise the chunk's keys
 * are read back, and the events inserted are those whose row carries the id generated for them.
 * Cheaper than `returning` every key, which on SQLite cost about a quarter of the insert.
 * Correct on both engines as the adapters run them (SQLite writers serialized by `BEGIN IMMEDIATE`;
 * Postgres at READ COMMITTED, where a conflicting insert waits for the other writer and the
 * read-back then sees its row): a transaction always sees its own rows, and no other writer's row
 * carries an id generated here.
 */
async function insertEvents(db: Kysely<Database>, events: UsageEventRecord[]): Promise<UsageEventRecord[]> {
  const insert = (n: number) =>
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
      .onConflict((oc) => oc.column("idempotency_key").doNothing());
  const ids = (n: number) =>
    db
      .selectFrom("usage_events")
      .select("id")
      .where(
        "idempotency_key",
        "in",
        Array.from({ length: n }, () => ""),
      );
  const inserted: UsageEventRecord[] = [];
  for (let i = 0; i < events.length; i += CHUNK) {
    const end = Math.min(events.length, i + CHUNK);
    const params: unknown[] = [];
    for (let j = i; j < end; j++) {
      const e = events[j]!;
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
    const result = await runTemplate(db, "usage_events", end - i, insert, params);
    const chunk = events.slice(i, end);
    if (Number(result.numAffectedRows ?? -1) === chunk.length) {
      inserted.push(...chunk);
      continue;
    }
    const keys = chunk.map((e) => e.idempotencyKey);
    const ours = new Set(
      (await runTemplate(db, "usage_event_ids", keys.length, ids, keys)).rows.map((r) => r.id),
    );
    for (const e of chunk) if (ours.has(e.id)) inserted.push(e);
  }
  return inserted;
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
