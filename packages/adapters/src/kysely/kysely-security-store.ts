import type { RateLimitStore, SecuritySettingsRecord, SecuritySettingsStore } from "@orgkit/core";
import { sql } from "kysely";
import { type StoreContext, toDate } from "./store-context.js";

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** {@link SecuritySettingsStore} over Kysely. */
export class KyselySecuritySettingsStore implements SecuritySettingsStore {
  constructor(private readonly ctx: StoreContext) {}

  async get(organizationKey: string): Promise<SecuritySettingsRecord | null> {
    const row = await this.ctx.db
      .selectFrom("security_settings")
      .selectAll()
      .where("organization_key", "=", organizationKey)
      .executeTakeFirst();
    return row
      ? {
          organizationKey: row.organization_key,
          passwordPolicy: parse(row.password_policy_json),
          tokenPolicy: parse(row.token_policy_json),
          updatedAt: toDate(row.updated_at),
        }
      : null;
  }

  async listForUser(userKey: string): Promise<SecuritySettingsRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("security_settings as s")
      .innerJoin("memberships as m", "m.organization_key", "s.organization_key")
      .selectAll("s")
      .where("m.user_key", "=", userKey)
      .execute();
    return rows.map((row) => ({
      organizationKey: row.organization_key,
      passwordPolicy: parse(row.password_policy_json),
      tokenPolicy: parse(row.token_policy_json),
      updatedAt: toDate(row.updated_at),
    }));
  }

  async put(
    organizationKey: string,
    documents: { readonly passwordPolicy?: unknown; readonly tokenPolicy?: unknown },
    at: Date,
  ): Promise<void> {
    const password =
      documents.passwordPolicy === undefined ? undefined : JSON.stringify(documents.passwordPolicy);
    const token = documents.tokenPolicy === undefined ? undefined : JSON.stringify(documents.tokenPolicy);
    await this.ctx.db
      .insertInto("security_settings")
      .values({
        organization_key: organizationKey,
        password_policy_json: password ?? null,
        token_policy_json: token ?? null,
        updated_at: at.getTime(),
      })
      .onConflict((oc) =>
        oc.column("organization_key").doUpdateSet({
          updated_at: at.getTime(),
          ...(password === undefined ? {} : { password_policy_json: password }),
          ...(token === undefined ? {} : { token_policy_json: token }),
        }),
      )
      .execute();
  }
}

/** {@link RateLimitStore} over Kysely: one upsert per hit. */
export class KyselyRateLimitStore implements RateLimitStore {
  constructor(private readonly ctx: StoreContext) {}

  async hit(bucket: string, windowStart: number): Promise<number> {
    const row = await this.ctx.db
      .insertInto("rate_limits")
      .values({ bucket, window_start: windowStart, count: 1 })
      .onConflict((oc) =>
        oc.column("bucket").doUpdateSet({
          count: sql`case when rate_limits.window_start = excluded.window_start then rate_limits.count + 1 else 1 end`,
          window_start: sql`excluded.window_start`,
        }),
      )
      .returning("count")
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async prune(before: number): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom("rate_limits")
      .where("window_start", "<", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
