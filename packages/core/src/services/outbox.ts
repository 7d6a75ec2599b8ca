import { OrgKitError } from "../errors.js";
import type { DeliveryStatus } from "../mail.js";
import { type Page, PageQuerySchema, parseInput } from "../schemas/common.js";
import type { OutboxMessageRecord, OutboxStatus } from "../storage/records.js";
import { deliver, messageOf } from "./mail-delivery.js";
import type { Runtime } from "./runtime.js";

/** The outbox of outgoing mail, for trusted host code. */
export interface OutboxService {
  /**
   * Messages in the outbox, oldest first, optionally in one status. With no mailer configured,
   * pending messages are the host's to deliver; call `markSent` once it has.
   */
  list(query?: {
    status?: OutboxStatus;
    limit?: number;
    cursor?: string;
  }): Promise<Page<OutboxMessageRecord>>;
  /** Marks a message delivered and erases its body (it may hold a secret link). */
  markSent(id: string): Promise<void>;
  /** Hands every pending or failed message to the mailer again; returns each one's new status. */
  retry(limit?: number): Promise<Record<string, DeliveryStatus>>;
}

/** Builds the outbox service. */
export function outboxService(rt: Runtime): OutboxService {
  return {
    async list(query = {}) {
      const { status, ...page } = query;
      const q = parseInput(PageQuerySchema.strict(), page);
      if (status !== undefined && !["pending", "sent", "failed"].includes(status)) {
        throw new OrgKitError("VALIDATION_FAILED", { param: "status", message: "Unknown status." });
      }
      const rows = await rt.storage.outbox.list({ status, limit: q.limit + 1, after: q.cursor });
      const items = rows.slice(0, q.limit);
      return { items, nextCursor: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null };
    },
    async markSent(id) {
      const record = await rt.storage.outbox.get(id);
      if (record === null) throw new OrgKitError("NOT_FOUND", { param: "id" });
      await rt.storage.outbox.markSent(id, rt.clock.now());
    },
    async retry(limit = 100) {
      const outcome: Record<string, DeliveryStatus> = {};
      for (const status of ["failed", "pending"] as const) {
        for (const record of await rt.storage.outbox.list({ status, limit })) {
          const message = messageOf(record);
          if (message !== null) outcome[message.id] = await deliver(rt, message);
        }
      }
      return outcome;
    },
  };
}
