import { randomUUID } from "node:crypto";
import {
  type AuditActor,
  type AuditChainHead,
  type AuditEventInput,
  type AuditEventRecord,
  type AuditQuery,
  type AuditStore,
  GENESIS_HASH,
  GLOBAL_AUDIT_CHAIN,
  hashAuditEvent,
  organizationAuditChain,
  type StoredAuditEvent,
} from "@orgkit/core";
import { type Selectable, sql } from "kysely";
import type { AuditEventsTable } from "./schema.js";
import { nextSequence, type StoreContext, toDate } from "./store-context.js";

/** {@link AuditStore} over Kysely: hash-chained appends, reads, and retention from the start. */
export class KyselyAuditStore implements AuditStore {
  constructor(private readonly ctx: StoreContext) {}

  async append(event: AuditEventInput): Promise<AuditEventRecord> {
    return this.ctx.atomic(async (db) => {
      let organizationKey = event.organizationKey ?? null;
      if (organizationKey === null && event.organizationId !== null) {
        const row = await db
          .selectFrom("organizations")
          .select("key")
          .where("id", "=", event.organizationId)
          .executeTakeFirst();
        organizationKey = row?.key ?? null;
      }
      const chain = organizationKey === null ? GLOBAL_AUDIT_CHAIN : organizationAuditChain(organizationKey);
      // Taking the head is one upsert: it row-locks the head until the transaction ends, so that
      // concurrent appends to this chain queue here and the chain never forks.
      const head = await db
        .insertInto("audit_heads")
        .values({ chain, seq: 1, hash: GENESIS_HASH, pruned_through: 0, pruned_hash: GENESIS_HASH })
        .onConflict((oc) => oc.column("chain").doUpdateSet({ seq: sql`audit_heads.seq + 1` }))
        .returning(["seq", "hash"])
        .executeTakeFirstOrThrow();
      const sequence = Number(head.seq);
      // A new head row still holds the genesis hash; an existing one holds the previous event's.
      const previousHash = head.hash;
      const id = randomUUID();
      const beforeJson = toJson(event.before);
      const afterJson = toJson(event.after);
      const at = event.at.getTime();
      const hash = hashAuditEvent({
        chain,
        sequence,
        previousHash,
        id,
        organizationId: event.organizationId,
        actorType: event.actor.type,
        actorId: event.actor.id,
        action: event.action,
        targetType: event.targetType,
        targetId: event.targetId,
        beforeJson,
        afterJson,
        ip: event.ip,
        outcome: event.outcome,
        at,
      });
      await db
        .insertInto("audit_events")
        .values({
          id,
          organization_id: event.organizationId,
          organization_key: organizationKey,
          actor_type: event.actor.type,
          actor_id: event.actor.id,
          action: event.action,
          target_type: event.targetType,
          target_id: event.targetId,
          before_json: beforeJson,
          after_json: afterJson,
          ip: event.ip,
          outcome: event.outcome,
          created_at: at,
          seq: nextSequence(),
          chain,
          chain_seq: sequence,
          previous_hash: previousHash,
          hash,
        })
        .execute();
      await db.updateTable("audit_heads").set({ hash }).where("chain", "=", chain).execute();
      return {
        ...event,
        organizationKey,
        id,
        chain,
        sequence,
        previousHash,
        hash,
        before: fromJson(beforeJson),
        after: fromJson(afterJson),
      };
    });
  }

  async query(query: AuditQuery): Promise<AuditEventRecord[]> {
    let select = this.ctx.db.selectFrom("audit_events").selectAll().where("chain", "=", query.chain);
    if (query.actorId !== undefined) select = select.where("actor_id", "=", query.actorId);
    if (query.action !== undefined) select = select.where("action", "=", query.action);
    if (query.targetType !== undefined) select = select.where("target_type", "=", query.targetType);
    if (query.targetId !== undefined) select = select.where("target_id", "=", query.targetId);
    if (query.from !== undefined) select = select.where("created_at", ">=", query.from.getTime());
    if (query.to !== undefined) select = select.where("created_at", "<", query.to.getTime());
    if (query.before !== undefined) select = select.where("chain_seq", "<", query.before);
    const rows = await select.orderBy("chain_seq", "desc").limit(query.limit).execute();
    return rows.map(toRecord);
  }

  async scan(chain: string, afterSequence: number, limit: number): Promise<StoredAuditEvent[]> {
    const rows = await this.ctx.db
      .selectFrom("audit_events")
      .selectAll()
      .where("chain", "=", chain)
      .where("chain_seq", ">", afterSequence)
      .orderBy("chain_seq", "asc")
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      record: toRecord(row),
      beforeJson: row.before_json,
      afterJson: row.after_json,
    }));
  }

  async head(chain: string): Promise<AuditChainHead | null> {
    const row = await this.ctx.db
      .selectFrom("audit_heads")
      .selectAll()
      .where("chain", "=", chain)
      .executeTakeFirst();
    return row
      ? {
          chain: row.chain,
          sequence: Number(row.seq),
          hash: row.hash,
          prunedThrough: Number(row.pruned_through),
          prunedHash: row.pruned_hash,
        }
      : null;
  }

  async prune(chain: string, before: Date): Promise<number> {
    return this.ctx.atomic(async (db) => {
      // The newest event to delete: the chain is cut at its start only, never in the middle.
      const last = await db
        .selectFrom("audit_events")
        .select(["chain_seq", "hash"])
        .where("chain", "=", chain)
        .where("created_at", "<", before.getTime())
        .orderBy("chain_seq", "desc")
        .limit(1)
        .executeTakeFirst();
      if (last === undefined || last.chain_seq === null || last.hash === null) return 0;
      const through = Number(last.chain_seq);
      await db
        .updateTable("audit_heads")
        .set({ pruned_through: through, pruned_hash: last.hash })
        .where("chain", "=", chain)
        .execute();
      const result = await db
        .deleteFrom("audit_events")
        .where("chain", "=", chain)
        .where("chain_seq", "<=", through)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async chains(): Promise<string[]> {
    const rows = await this.ctx.db.selectFrom("audit_heads").select("chain").orderBy("chain").execute();
    return rows.map((row) => row.chain);
  }

  async listForOrganization(organizationId: string | null, limit: number): Promise<AuditEventRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("audit_events")
      .selectAll()
      .where("organization_id", organizationId === null ? "is" : "=", organizationId)
      .orderBy("created_at")
      .orderBy("seq")
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }
}

function toRecord(row: Selectable<AuditEventsTable>): AuditEventRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    organizationKey: row.organization_key,
    actor: { type: row.actor_type as AuditActor["type"], id: row.actor_id },
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    before: fromJson(row.before_json),
    after: fromJson(row.after_json),
    ip: row.ip,
    outcome: row.outcome as AuditEventInput["outcome"],
    at: toDate(row.created_at),
    chain: row.chain,
    sequence: Number(row.chain_seq ?? 0),
    previousHash: row.previous_hash ?? "",
    hash: row.hash ?? "",
  };
}

/** `undefined` (no value) is stored as SQL null, like `null`. */
function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function fromJson(json: string | null): unknown {
  return json === null ? null : JSON.parse(json);
}
