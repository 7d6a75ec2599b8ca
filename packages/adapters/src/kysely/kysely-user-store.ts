import type { NewUser, UserRecord, UserStore } from "@orgkit/core";
import type { Selectable } from "kysely";
import type { UsersTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

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
            })
            .execute();
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
    await this.ctx.db
      .updateTable("users")
      .set({ password_hash: passwordHash, updated_at: at.getTime() })
      .where("key", "=", key)
      .execute();
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

function toUserRecord(row: Selectable<UsersTable>): UserRecord {
  return {
    key: row.key,
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    emailVerified: Number(row.email_verified) === 1,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
