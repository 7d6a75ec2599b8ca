/**
 * Migration 0006: billing. Billing accounts of organizations, the meter catalogue and price
 * book, usage rollups (daily and per period, updated in the same transaction as the raw
 * events), closed periods with their frozen statements, budgets and the alerts they sent.
 *
 * Money and quantities are integers (`bigint`): minor units and whole units, never floats.
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { MigrationOptions } from "../migrations.js";

/** Builds migration 0006 for an engine. */
export function billing(options: MigrationOptions): Migration {
  // `last_key` breaks ties between events of the same millisecond: ordered by code point on every engine.
  const sortText = options.sortCollation ? sql`text collate ${sql.id(options.sortCollation)}` : "text";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("billing_accounts")
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("consolidated", "integer", (c) => c.notNull())
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("period", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("billing_accounts_pkey", ["organization_key"])
        .addForeignKeyConstraint(
          "billing_accounts_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();

      await db.schema
        .createTable("meters")
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("unit", "text", (c) => c.notNull())
        .addColumn("aggregation", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("meters_pkey", ["id"])
        .execute();

      await db.schema
        .createTable("prices")
        .addColumn("meter", "text", (c) => c.notNull())
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("effective_from", "bigint", (c) => c.notNull())
        .addColumn("per", "bigint", (c) => c.notNull())
        .addColumn("tiers_json", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("prices_pkey", ["currency", "meter", "effective_from"])
        .execute();

      // Usage outlives what it was about (like usage_events): no foreign keys. '' stands for "none"
      // in user_key and app_key, as primary key columns cannot be null.
      for (const [table, bucket, bucketType] of [
        ["usage_daily", "day", "bigint"],
        ["usage_periods", "period", "text"],
      ] as const) {
        await db.schema
          .createTable(table)
          .addColumn("account_id", "text", (c) => c.notNull())
          .addColumn(bucket, bucketType, (c) => c.notNull())
          .addColumn("user_key", "text", (c) => c.notNull())
          .addColumn("meter", "text", (c) => c.notNull())
          .addColumn("app_key", "text", (c) => c.notNull())
          .addColumn("qty_sum", "bigint", (c) => c.notNull())
          .addColumn("qty_count", "bigint", (c) => c.notNull())
          .addColumn("qty_max", "bigint", (c) => c.notNull())
          .addColumn("last_qty", "bigint", (c) => c.notNull())
          .addColumn("last_at", "bigint", (c) => c.notNull())
          .addColumn("last_key", sortText, (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pkey`, ["account_id", bucket, "user_key", "meter", "app_key"])
          .execute();
      }
      // Member activity reads one member's days.
      await db.schema
        .createIndex("usage_daily_by_user")
        .on("usage_daily")
        .columns(["account_id", "user_key", "day"])
        .execute();
      // Recounts and exports of raw events walk 0004's usage_events_by_account (account, time, id).

      await db.schema
        .createTable("billing_periods")
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("period", "text", (c) => c.notNull())
        .addColumn("statement_json", "text", (c) => c.notNull())
        .addColumn("closed_at", "bigint", (c) => c.notNull())
        .addColumn("closed_by", "text")
        .addPrimaryKeyConstraint("billing_periods_pkey", ["organization_key", "period"])
        .addForeignKeyConstraint(
          "billing_periods_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();

      await db.schema
        .createTable("budgets")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("scope_key", "text", (c) => c.notNull())
        .addColumn("amount", "bigint", (c) => c.notNull())
        .addColumn("hard_stop", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("budgets_pkey", ["key"])
        .addUniqueConstraint("budgets_scope_key", ["organization_key", "scope", "scope_key"])
        .addForeignKeyConstraint(
          "budgets_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();

      await db.schema
        .createTable("budget_alerts")
        .addColumn("budget_key", "text", (c) => c.notNull())
        .addColumn("period", "text", (c) => c.notNull())
        .addColumn("threshold", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("budget_alerts_pkey", ["budget_key", "period", "threshold"])
        .addForeignKeyConstraint("budget_alerts_budget_key_fkey", ["budget_key"], "budgets", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
    },

    async down(db: Kysely<unknown>) {
      for (const table of [
        "budget_alerts",
        "budgets",
        "billing_periods",
        "usage_periods",
        "usage_daily",
        "prices",
        "meters",
        "billing_accounts",
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
