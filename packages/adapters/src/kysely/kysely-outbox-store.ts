import type { NewOutboxMessage, OutboxMessageRecord, OutboxStatus, OutboxStore } from "@orgkit/core";
import { type Insertable, type Selectable, sql } from "kysely";
import type { OutboxTable } from "./schema.js";
import { nextSequence, type StoreContext, toDate, toDateOrNull } from "./store-context.js";

/** {@link OutboxStore} over Kysely. */
export class KyselyOutboxStore implements OutboxStore {
  constructor(private readonly ctx: StoreContext) {}

  async enqueue(message: NewOutboxMessage): Promise<OutboxMessageRecord> {
    const row = {
      id: message.id,
      template: message.template,
      recipient: message.to,
      subject: message.subject,
      text_body: message.text,
      data_json: JSON.stringify(message.data),
      status: "pending",
      attempts: 0,
      last_error: null,
      created_at: message.at.getTime(),
      sent_at: null,
      seq: nextSequence(),
    } satisfies Insertable<OutboxTable>;
    await this.ctx.db.insertInto("outbox").values(row).execute();
    return toOutboxRecord(row);
  }

  async get(id: string): Promise<OutboxMessageRecord | null> {
    const row = await this.ctx.db.selectFrom("outbox").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toOutboxRecord(row) : null;
  }

  async list(query: {
    status?: OutboxStatus | undefined;
    limit: number;
    after?: string | undefined;
  }): Promise<OutboxMessageRecord[]> {
    let select = this.ctx.db.selectFrom("outbox as o").selectAll("o");
    if (query.status !== undefined) select = select.where("o.status", "=", query.status);
    const after = query.after;
    if (after !== undefined) {
      // The position of the `after` message in (created_at, seq) order; a vanished id yields no rows.
      select = select.where(
        sql<boolean>`(o.created_at, o.seq) > (select a.created_at, a.seq from outbox as a where a.id = ${after})`,
      );
    }
    const rows = await select.orderBy("o.created_at").orderBy("o.seq").limit(query.limit).execute();
    return rows.map(toOutboxRecord);
  }

  async markSent(id: string, at: Date): Promise<void> {
    await this.ctx.db
      .updateTable("outbox")
      .set((eb) => ({
        status: "sent",
        sent_at: at.getTime(),
        attempts: eb("attempts", "+", 1),
        last_error: null,
        text_body: null,
        data_json: null,
      }))
      .where("id", "=", id)
      .execute();
  }

  async markFailed(id: string, error: string, _at: Date): Promise<void> {
    await this.ctx.db
      .updateTable("outbox")
      .set((eb) => ({ status: "failed", attempts: eb("attempts", "+", 1), last_error: error }))
      .where("id", "=", id)
      .execute();
  }
}

function toOutboxRecord(row: Selectable<OutboxTable>): OutboxMessageRecord {
  return {
    id: row.id,
    template: row.template,
    to: row.recipient,
    subject: row.subject,
    text: row.text_body,
    data: row.data_json === null ? null : (JSON.parse(row.data_json) as Record<string, unknown>),
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    createdAt: toDate(row.created_at),
    sentAt: toDateOrNull(row.sent_at),
  };
}
