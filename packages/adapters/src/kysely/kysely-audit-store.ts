import { randomUUID } from "node:crypto";
import type { AuditActor, AuditEventInput, AuditEventRecord, AuditStore } from "@orgkit/core";
import { nextSequence, type StoreContext, toDate } from "./store-context.js";

/** {@link AuditStore} over Kysely: append and read, never update or delete. */
export class KyselyAuditStore implements AuditStore {
  constructor(private readonly ctx: StoreContext) {}

  async append(event: AuditEventInput): Promise<void> {
    await this.ctx.db
      .insertInto("audit_events")
      .values({
        id: randomUUID(),
        organization_id: event.organizationId,
        actor_type: event.actor.type,
        actor_id: event.actor.id,
        action: event.action,
        target_type: event.targetType,
        target_id: event.targetId,
        before_json: toJson(event.before),
        after_json: toJson(event.after),
        ip: event.ip,
        outcome: event.outcome,
        created_at: event.at.getTime(),
        seq: nextSequence(),
      })
      .execute();
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
    return rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      actor: { type: row.actor_type as AuditActor["type"], id: row.actor_id },
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      before: fromJson(row.before_json),
      after: fromJson(row.after_json),
      ip: row.ip,
      outcome: row.outcome as AuditEventInput["outcome"],
      at: toDate(row.created_at),
    }));
  }
}

/** `undefined` (no value) is stored as SQL null, like `null`. */
function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function fromJson(json: string | null): unknown {
  return json === null ? null : JSON.parse(json);
}
