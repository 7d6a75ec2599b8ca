/**
 * Migration 0005: audit events become hash chains, one per organization (by internal key, as
 * public ids can be reused after a deletion) and one global, with a head row per chain.
 */
import type { Kysely, Migration } from "kysely";
import type { MigrationOptions } from "../migrations.js";

/** Builds migration 0005 for an engine. */
export function auditChain(_options: MigrationOptions): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("audit_events").addColumn("organization_key", "text").execute();
      await db.schema
        .alterTable("audit_events")
        .addColumn("chain", "text", (c) => c.notNull().defaultTo("global"))
        .execute();
      await db.schema.alterTable("audit_events").addColumn("chain_seq", "bigint").execute();
      await db.schema.alterTable("audit_events").addColumn("previous_hash", "text").execute();
      await db.schema.alterTable("audit_events").addColumn("hash", "text").execute();
      await db.schema
        .createIndex("audit_events_chain_seq_key")
        .on("audit_events")
        .columns(["chain", "chain_seq"])
        .unique()
        .execute();
      for (const [name, columns] of Object.entries({
        audit_events_by_action: ["chain", "action", "chain_seq"],
        audit_events_by_actor: ["chain", "actor_id", "chain_seq"],
        audit_events_by_target: ["chain", "target_type", "target_id", "chain_seq"],
        audit_events_by_time: ["chain", "created_at", "chain_seq"],
      })) {
        await db.schema.createIndex(name).on("audit_events").columns(columns).execute();
      }

      await db.schema
        .createTable("audit_heads")
        .addColumn("chain", "text", (c) => c.notNull())
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .addColumn("pruned_through", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("pruned_hash", "text", (c) => c.notNull().defaultTo("0".repeat(64)))
        .addPrimaryKeyConstraint("audit_heads_pkey", ["chain"])
        .execute();
    },

    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("audit_heads").ifExists().execute();
      for (const index of [
        "audit_events_by_time",
        "audit_events_by_target",
        "audit_events_by_actor",
        "audit_events_by_action",
        "audit_events_chain_seq_key",
      ]) {
        await db.schema.dropIndex(index).ifExists().execute();
      }
      for (const column of ["hash", "previous_hash", "chain_seq", "chain", "organization_key"]) {
        await db.schema.alterTable("audit_events").dropColumn(column).execute();
      }
    },
  };
}
