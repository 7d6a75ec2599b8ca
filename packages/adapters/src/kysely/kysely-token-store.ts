import type { NewToken, Scope, TokenRecord, TokenStore, TokenWithOwner } from "@orgkit/core";
import type { Selectable } from "kysely";
import type { AccessTokensTable } from "./schema.js";
import { type StoreContext, toDate, toDateOrNull, translateUnique } from "./store-context.js";

/** {@link TokenStore} over Kysely. */
export class KyselyTokenStore implements TokenStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(token: NewToken): Promise<TokenRecord> {
    await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .insertInto("access_tokens")
        .values({
          key: token.key,
          user_key: token.userKey,
          name: token.name,
          prefix: token.prefix,
          token_hash: token.tokenHash,
          scopes_json: JSON.stringify(token.scopes),
          expires_at: token.expiresAt?.getTime() ?? null,
          last_used_at: null,
          created_at: token.createdAt.getTime(),
          revoked_at: null,
        })
        .execute(),
    );
    return { ...token, lastUsedAt: null, revokedAt: null };
  }

  async getForAuthentication(tokenHash: string): Promise<TokenWithOwner | null> {
    const row = await this.ctx.db
      .selectFrom("access_tokens as t")
      .innerJoin("users as u", "u.key", "t.user_key")
      .selectAll("t")
      .select("u.id as user_id")
      .where("t.token_hash", "=", tokenHash)
      .executeTakeFirst();
    return row ? { token: toTokenRecord(row), userId: row.user_id } : null;
  }

  async get(userKey: string, key: string): Promise<TokenRecord | null> {
    const row = await this.ctx.db
      .selectFrom("access_tokens")
      .selectAll()
      .where("key", "=", key)
      .where("user_key", "=", userKey)
      .executeTakeFirst();
    return row ? toTokenRecord(row) : null;
  }

  async listForUser(userKey: string): Promise<TokenRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("access_tokens")
      .selectAll()
      .where("user_key", "=", userKey)
      .where("revoked_at", "is", null)
      .orderBy("created_at", "desc")
      .orderBy("key", "desc")
      .limit(1000)
      .execute();
    return rows.map(toTokenRecord);
  }

  async listForOrganization(organizationKey: string): Promise<TokenWithOwner[]> {
    const rows = await this.ctx.db
      .selectFrom("access_tokens as t")
      .innerJoin("memberships as m", "m.user_key", "t.user_key")
      .innerJoin("users as u", "u.key", "t.user_key")
      .selectAll("t")
      .select("u.id as user_id")
      .where("m.organization_key", "=", organizationKey)
      .where("t.revoked_at", "is", null)
      .orderBy("t.created_at", "desc")
      .orderBy("t.key", "desc")
      .limit(10_000)
      .execute();
    return rows.map((row) => ({ token: toTokenRecord(row), userId: row.user_id }));
  }

  async touch(key: string, at: Date, notAfter: Date): Promise<void> {
    await this.ctx.db
      .updateTable("access_tokens")
      .set({ last_used_at: at.getTime() })
      .where("key", "=", key)
      .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", notAfter.getTime())]))
      .execute();
  }

  async revoke(key: string, at: Date): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable("access_tokens")
      .set({ revoked_at: at.getTime() })
      .where("key", "=", key)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

function toTokenRecord(row: Selectable<AccessTokensTable>): TokenRecord {
  return {
    key: row.key,
    userKey: row.user_key,
    name: row.name,
    prefix: row.prefix,
    tokenHash: row.token_hash,
    scopes: JSON.parse(row.scopes_json) as Scope[],
    expiresAt: toDateOrNull(row.expires_at),
    lastUsedAt: toDateOrNull(row.last_used_at),
    createdAt: toDate(row.created_at),
    revokedAt: toDateOrNull(row.revoked_at),
  };
}
