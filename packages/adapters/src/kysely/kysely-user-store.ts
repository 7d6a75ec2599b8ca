import { randomUUID } from "node:crypto";
import { type NewUser, PASSWORD_HISTORY_KEPT, type UserRecord, type UserStore } from "@orgkit/core";
import { type Kysely, type Selectable, sql } from "kysely";
import type { Database, UsersTable } from "./schema.js";
import { nextSequence, type StoreContext, toDate, toDateOrNull, translateUnique } from "./store-context.js";

/** {@link UserStore} over Kysely. */
export class KyselyUserStore implements UserStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(user: NewUser): Promise<UserRecord> {
    const at = user.at.getTime();
    await this.ctx.atomic((db) =>
      translateUnique(
        this.ctx.classifyError,
        (async () => {
          await db.insertInto("accounts").values({ id: user.id, kind: "user" }).execute();
          await db
            .insertInto("users")
            .values({
              key: user.key,
              id: user.id,
              email: user.email,
              name: user.name,
              password_hash: user.passwordHash,
              email_verified: user.emailVerified ? 1 : 0,
              organization_count: 0,
              created_at: at,
              updated_at: at,
              password_changed_at: user.passwordHash === null ? null : at,
              failed_sign_ins: 0,
              failed_window_start: null,
              locked_until: null,
            })
            .execute();
          if (user.passwordHash !== null) await appendHistory(db, user.key, user.passwordHash, at);
        })(),
      ),
    );
    return {
      key: user.key,
      id: user.id,
      email: user.email,
      name: user.name,
      passwordHash: user.passwordHash,
      emailVerified: user.emailVerified,
      passwordChangedAt: user.passwordHash === null ? null : new Date(at),
      lockedUntil: null,
      createdAt: new Date(at),
      updatedAt: new Date(at),
    };
  }

  async getByKey(key: string): Promise<UserRecord | null> {
    const row = await this.ctx.db.selectFrom("users").selectAll().where("key", "=", key).executeTakeFirst();
    return row ? toUserRecord(row) : null;
  }

  async getById(id: string): Promise<UserRecord | null> {
    const row = await this.ctx.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toUserRecord(row) : null;
  }

  async getByEmail(email: string): Promise<UserRecord | null> {
    const row = await this.ctx.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", email)
      .executeTakeFirst();
    return row ? toUserRecord(row) : null;
  }

  async markEmailVerified(key: string, at: Date): Promise<void> {
    await this.ctx.db
      .updateTable("users")
      .set({ email_verified: 1, updated_at: at.getTime() })
      .where("key", "=", key)
      .execute();
  }

  async setPasswordHash(key: string, passwordHash: string | null, at: Date): Promise<void> {
    const ms = at.getTime();
    await this.ctx.atomic(async (db) => {
      await db
        .updateTable("users")
        .set({
          password_hash: passwordHash,
          password_changed_at: passwordHash === null ? null : ms,
          updated_at: ms,
        })
        .where("key", "=", key)
        .execute();
      if (passwordHash !== null) await appendHistory(db, key, passwordHash, ms);
    });
  }

  async replacePasswordHash(key: string, expected: string, passwordHash: string): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable("users")
      .set({ password_hash: passwordHash })
      .where("key", "=", key)
      .where("password_hash", "=", expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async passwordHistory(key: string, limit: number): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom("password_history")
      .select("password_hash")
      .where("user_key", "=", key)
      .orderBy("seq", "desc")
      .limit(limit)
      .execute();
    return rows.map((row) => row.password_hash);
  }

  async recordFailedSignIn(
    key: string,
    at: Date,
    rule: { readonly maxAttempts: number; readonly windowMs: number; readonly lockMs: number },
  ): Promise<Date | null> {
    const now = at.getTime();
    // One statement: restart the window when it is over, count this failure, lock at the limit.
    const fresh = sql<boolean>`failed_window_start is null or failed_window_start <= ${now - rule.windowMs}`;
    const count = sql<number>`case when ${fresh} then 1 else failed_sign_ins + 1 end`;
    const row = await this.ctx.db
      .updateTable("users")
      .set({
        failed_sign_ins: count,
        failed_window_start: sql`case when ${fresh} then ${now} else failed_window_start end`,
        locked_until: sql`case when ${count} >= ${rule.maxAttempts} then ${now + rule.lockMs} else locked_until end`,
      })
      .where("key", "=", key)
      .returning(["locked_until"])
      .executeTakeFirst();
    const until = row?.locked_until === null || row === undefined ? null : Number(row.locked_until);
    return until !== null && until > now ? new Date(until) : null;
  }

  async clearFailedSignIns(key: string): Promise<void> {
    await this.ctx.db
      .updateTable("users")
      .set({ failed_sign_ins: 0, failed_window_start: null, locked_until: null })
      .where("key", "=", key)
      .where((eb) => eb.or([eb("failed_sign_ins", ">", 0), eb("locked_until", "is not", null)]))
      .execute();
  }

  async insertPasswordReset(reset: {
    tokenHash: string;
    userKey: string;
    at: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.ctx.db
      .insertInto("password_resets")
      .values({
        token_hash: reset.tokenHash,
        user_key: reset.userKey,
        created_at: reset.at.getTime(),
        expires_at: reset.expiresAt.getTime(),
        used_at: null,
      })
      .execute();
  }

  async consumePasswordReset(tokenHash: string, at: Date): Promise<string | null> {
    const row = await this.ctx.db
      .updateTable("password_resets")
      .set({ used_at: at.getTime() })
      .where("token_hash", "=", tokenHash)
      .where("used_at", "is", null)
      .where("expires_at", ">", at.getTime())
      .returning("user_key")
      .executeTakeFirst();
    return row?.user_key ?? null;
  }

  async findPasswordReset(tokenHash: string, at: Date): Promise<string | null> {
    const row = await this.ctx.db
      .selectFrom("password_resets")
      .select("user_key")
      .where("token_hash", "=", tokenHash)
      .where("used_at", "is", null)
      .where("expires_at", ">", at.getTime())
      .executeTakeFirst();
    return row?.user_key ?? null;
  }

  async reserveOrganizationSlot(key: string, limit: number): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable("users")
      .set((eb) => ({ organization_count: eb("organization_count", "+", 1) }))
      .where("key", "=", key)
      .where("organization_count", "<", limit)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseOrganizationSlot(key: string): Promise<void> {
    await this.ctx.db
      .updateTable("users")
      .set((eb) => ({ organization_count: eb("organization_count", "-", 1) }))
      .where("key", "=", key)
      .where("organization_count", ">", 0)
      .execute();
  }
}

/** Appends a hash to the user's history and keeps the newest {@link PASSWORD_HISTORY_KEPT}. */
async function appendHistory(
  db: Kysely<Database>,
  userKey: string,
  passwordHash: string,
  at: number,
): Promise<void> {
  await db
    .insertInto("password_history")
    .values({
      id: randomUUID(),
      user_key: userKey,
      password_hash: passwordHash,
      created_at: at,
      seq: nextSequence(),
    })
    .execute();
  const keep = await db
    .selectFrom("password_history")
    .select("seq")
    .where("user_key", "=", userKey)
    .orderBy("seq", "desc")
    .offset(PASSWORD_HISTORY_KEPT - 1)
    .limit(1)
    .executeTakeFirst();
  if (keep !== undefined) {
    await db
      .deleteFrom("password_history")
      .where("user_key", "=", userKey)
      .where("seq", "<", keep.seq)
      .execute();
  }
}

function toUserRecord(row: Selectable<UsersTable>): UserRecord {
  return {
    key: row.key,
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    emailVerified: Number(row.email_verified) === 1,
    passwordChangedAt: toDateOrNull(row.password_changed_at),
    lockedUntil: toDateOrNull(row.locked_until),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
