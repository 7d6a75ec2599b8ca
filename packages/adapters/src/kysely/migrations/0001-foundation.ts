/**
 * Migration 0001: accounts, users, organizations, memberships, invitations, the audit trail and
 * the outbox. Never edited once shipped; a schema change is a new migration.
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { MigrationOptions } from "../migrations.js";

/** Builds migration 0001 for an engine. */
export function foundation(options: MigrationOptions): Migration {
  const sortText = options.sortCollation ? sql`text collate ${sql.id(options.sortCollation)}` : "text";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("accounts")
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("accounts_pkey", ["id"])
        .addCheckConstraint("accounts_kind_check", sql`kind in ('user', 'organization')`)
        .execute();

      await db.schema
        .createTable("users")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("password_hash", "text")
        .addColumn("email_verified", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("organization_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("users_pkey", ["key"])
        .addUniqueConstraint("users_id_key", ["id"])
        .addUniqueConstraint("users_email_key", ["email"])
        .addForeignKeyConstraint("users_id_fkey", ["id"], "accounts", ["id"])
        .execute();

      await db.schema
        .createTable("organizations")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("name", sortText, (c) => c.notNull())
        .addColumn("name_key", "text", (c) => c.notNull())
        .addColumn("billing_email", "text", (c) => c.notNull())
        .addColumn("website", "text")
        .addColumn("logo_url", "text")
        .addColumn("description", "text")
        .addColumn("version", "bigint", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("organizations_pkey", ["key"])
        .addUniqueConstraint("organizations_id_key", ["id"])
        .addUniqueConstraint("organizations_name_key_key", ["name_key"])
        .addForeignKeyConstraint("organizations_id_fkey", ["id"], "accounts", ["id"])
        .execute();

      await db.schema
        .createTable("memberships")
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("sort_name", sortText, (c) => c.notNull())
        .addColumn("email", sortText, (c) => c.notNull())
        .addColumn("search", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("memberships_pkey", ["organization_key", "user_key"])
        .addForeignKeyConstraint(
          "memberships_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .addForeignKeyConstraint("memberships_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      // One index per sort order, ending in the tie-breaking user key, so a page is an index walk.
      const memberIndexes: Record<string, string[]> = {
        memberships_by_name: ["organization_key", "sort_name", "user_key"],
        memberships_by_email: ["organization_key", "email", "user_key"],
        memberships_by_joined: ["organization_key", "created_at", "user_key"],
        memberships_by_role_name: ["organization_key", "role", "sort_name", "user_key"],
        memberships_by_user: ["user_key"],
      };
      for (const [name, columns] of Object.entries(memberIndexes)) {
        await db.schema.createIndex(name).on("memberships").columns(columns).execute();
      }

      await db.schema
        .createTable("invitations")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("team_ids", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("inviter_user_key", "text")
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("responded_at", "bigint")
        .addColumn("accepted_user_key", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("invitations_pkey", ["key"])
        .addUniqueConstraint("invitations_token_hash_key", ["token_hash"])
        .addForeignKeyConstraint(
          "invitations_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();
      // At most one pending invitation per (organization, email); answered ones stay as history.
      await db.schema
        .createIndex("invitations_pending_email_key")
        .unique()
        .on("invitations")
        .columns(["organization_key", "email"])
        .where(sql.ref("status"), "=", sql.lit("pending"))
        .execute();
      await db.schema
        .createIndex("invitations_by_status")
        .on("invitations")
        .columns(["organization_key", "status", "created_at", "key"])
        .execute();

      await db.schema
        .createTable("audit_events")
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("organization_id", "text")
        .addColumn("actor_type", "text", (c) => c.notNull())
        .addColumn("actor_id", "text")
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target_type", "text", (c) => c.notNull())
        .addColumn("target_id", "text", (c) => c.notNull())
        .addColumn("before_json", "text")
        .addColumn("after_json", "text")
        .addColumn("ip", "text")
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("audit_events_pkey", ["id"])
        .execute();
      await db.schema
        .createIndex("audit_events_by_organization")
        .on("audit_events")
        .columns(["organization_id", "created_at", "seq"])
        .execute();

      await db.schema
        .createTable("outbox")
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("template", "text", (c) => c.notNull())
        .addColumn("recipient", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("text_body", "text")
        .addColumn("data_json", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("last_error", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("sent_at", "bigint")
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("outbox_pkey", ["id"])
        .execute();
      await db.schema
        .createIndex("outbox_by_status")
        .on("outbox")
        .columns(["status", "created_at", "seq"])
        .execute();
    },

    async down(db: Kysely<unknown>) {
      for (const table of [
        "outbox",
        "audit_events",
        "invitations",
        "memberships",
        "organizations",
        "users",
        "accounts",
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
