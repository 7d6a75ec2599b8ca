/**
 * Migration 0002: password metadata and lockout on users, password history, sessions, personal
 * access tokens, per-organization security settings and rate-limit counters.
 */
import type { Kysely, Migration } from "kysely";
import type { MigrationOptions } from "../migrations.js";

/** Builds migration 0002 for an engine. */
export function identity(_options: MigrationOptions): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // SQLite adds one column per ALTER TABLE.
      await db.schema.alterTable("users").addColumn("password_changed_at", "bigint").execute();
      await db.schema
        .alterTable("users")
        .addColumn("failed_sign_ins", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable("users").addColumn("failed_window_start", "bigint").execute();
      await db.schema.alterTable("users").addColumn("locked_until", "bigint").execute();

      await db.schema
        .createTable("password_history")
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("password_history_pkey", ["id"])
        .addForeignKeyConstraint("password_history_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await db.schema
        .createIndex("password_history_by_user")
        .on("password_history")
        .columns(["user_key", "seq"])
        .execute();

      await db.schema
        .createTable("sessions")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("organization_key", "text")
        .addColumn("token_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_seen_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("idle_expires_at", "bigint", (c) => c.notNull())
        .addColumn("revoked_at", "bigint")
        .addColumn("ip", "text")
        .addColumn("user_agent", "text")
        .addPrimaryKeyConstraint("sessions_pkey", ["key"])
        .addUniqueConstraint("sessions_token_hash_key", ["token_hash"])
        .addForeignKeyConstraint("sessions_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .addForeignKeyConstraint(
          "sessions_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("set null"),
        )
        .execute();
      await db.schema
        .createIndex("sessions_by_user")
        .on("sessions")
        .columns(["user_key", "last_seen_at"])
        .execute();
      await db.schema
        .createIndex("sessions_by_organization")
        .on("sessions")
        .columns(["organization_key"])
        .execute();

      await db.schema
        .createTable("access_tokens")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("prefix", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull())
        .addColumn("scopes_json", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint")
        .addColumn("last_used_at", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("revoked_at", "bigint")
        .addPrimaryKeyConstraint("access_tokens_pkey", ["key"])
        .addUniqueConstraint("access_tokens_token_hash_key", ["token_hash"])
        .addForeignKeyConstraint("access_tokens_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await db.schema
        .createIndex("access_tokens_by_user")
        .on("access_tokens")
        .columns(["user_key", "created_at"])
        .execute();

      await db.schema
        .createTable("security_settings")
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("password_policy_json", "text")
        .addColumn("token_policy_json", "text")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("security_settings_pkey", ["organization_key"])
        .addForeignKeyConstraint(
          "security_settings_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();

      await db.schema
        .createTable("password_resets")
        .addColumn("token_hash", "text", (c) => c.notNull())
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("used_at", "bigint")
        .addPrimaryKeyConstraint("password_resets_pkey", ["token_hash"])
        .addForeignKeyConstraint("password_resets_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await db.schema
        .createIndex("password_resets_by_user")
        .on("password_resets")
        .columns(["user_key"])
        .execute();

      await db.schema
        .createTable("rate_limits")
        .addColumn("bucket", "text", (c) => c.notNull())
        .addColumn("window_start", "bigint", (c) => c.notNull())
        .addColumn("count", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("rate_limits_pkey", ["bucket"])
        .execute();
      await db.schema
        .createIndex("rate_limits_by_window")
        .on("rate_limits")
        .columns(["window_start"])
        .execute();
    },

    async down(db: Kysely<unknown>) {
      for (const table of [
        "rate_limits",
        "password_resets",
        "security_settings",
        "access_tokens",
        "sessions",
        "password_history",
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
      for (const column of [
        "locked_until",
        "failed_window_start",
        "failed_sign_ins",
        "password_changed_at",
      ]) {
        await db.schema.alterTable("users").dropColumn(column).execute();
      }
    },
  };
}
