import type { NewSession, OrganizationRole, SessionAuthRow, SessionRecord, SessionStore } from "@orgkit/core";
import type { Selectable } from "kysely";
import type { SessionsTable } from "./schema.js";
import { type StoreContext, toDate, toDateOrNull, translateUnique } from "./store-context.js";

/** {@link SessionStore} over Kysely. */
export class KyselySessionStore implements SessionStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(session: NewSession): Promise<SessionRecord> {
    await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .insertInto("sessions")
        .values({
          key: session.key,
          user_key: session.userKey,
          organization_key: session.organizationKey,
          token_hash: session.tokenHash,
          created_at: session.createdAt.getTime(),
          last_seen_at: session.lastSeenAt.getTime(),
          expires_at: session.expiresAt.getTime(),
          idle_expires_at: session.idleExpiresAt.getTime(),
          revoked_at: null,
          ip: session.ip,
          user_agent: session.userAgent,
        })
        .execute(),
    );
    return { ...session, revokedAt: null };
  }

  async getForAuthentication(tokenHash: string): Promise<SessionAuthRow | null> {
    const row = await this.ctx.db
      .selectFrom("sessions as s")
      .innerJoin("users as u", "u.key", "s.user_key")
      .leftJoin("organizations as o", "o.key", "s.organization_key")
      .leftJoin("memberships as m", (join) =>
        join.onRef("m.organization_key", "=", "s.organization_key").onRef("m.user_key", "=", "s.user_key"),
      )
      .selectAll("s")
      .select(["u.id as user_id", "o.id as organization_id", "m.role as role"])
      .where("s.token_hash", "=", tokenHash)
      .executeTakeFirst();
    if (row === undefined) return null;
    return {
      session: toSessionRecord(row),
      user: { key: row.user_key, id: row.user_id },
      organization:
        row.organization_key === null || row.organization_id === null
          ? null
          : { key: row.organization_key, id: row.organization_id, role: row.role as OrganizationRole | null },
    };
  }

  async get(userKey: string, key: string): Promise<SessionRecord | null> {
    const row = await this.ctx.db
      .selectFrom("sessions")
      .selectAll()
      .where("key", "=", key)
      .where("user_key", "=", userKey)
      .executeTakeFirst();
    return row ? toSessionRecord(row) : null;
  }

  async listActive(userKey: string, now: Date): Promise<SessionRecord[]> {
    const ms = now.getTime();
    const rows = await this.ctx.db
      .selectFrom("sessions")
      .selectAll()
      .where("user_key", "=", userKey)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", ms)
      .where("idle_expires_at", ">", ms)
      .orderBy("last_seen_at", "desc")
      .orderBy("key", "desc")
      .limit(1000)
      .execute();
    return rows.map(toSessionRecord);
  }

  async touch(key: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void> {
    await this.ctx.db
      .updateTable("sessions")
      .set({ last_seen_at: lastSeenAt.getTime(), idle_expires_at: idleExpiresAt.getTime() })
      .where("key", "=", key)
      .execute();
  }

  async setContext(key: string, organizationKey: string | null): Promise<void> {
    await this.ctx.db
      .updateTable("sessions")
      .set({ organization_key: organizationKey })
      .where("key", "=", key)
      .execute();
  }

  async revoke(key: string, at: Date): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable("sessions")
      .set({ revoked_at: at.getTime() })
      .where("key", "=", key)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revokeAllForUser(userKey: string, at: Date, exceptKey?: string): Promise<number> {
    let query = this.ctx.db
      .updateTable("sessions")
      .set({ revoked_at: at.getTime() })
      .where("user_key", "=", userKey)
      .where("revoked_at", "is", null);
    if (exceptKey !== undefined) query = query.where("key", "<>", exceptKey);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function toSessionRecord(row: Selectable<SessionsTable>): SessionRecord {
  return {
    key: row.key,
    userKey: row.user_key,
    organizationKey: row.organization_key,
    tokenHash: row.token_hash,
    createdAt: toDate(row.created_at),
    lastSeenAt: toDate(row.last_seen_at),
    expiresAt: toDate(row.expires_at),
    idleExpiresAt: toDate(row.idle_expires_at),
    revokedAt: toDateOrNull(row.revoked_at),
    ip: row.ip,
    userAgent: row.user_agent,
  };
}
