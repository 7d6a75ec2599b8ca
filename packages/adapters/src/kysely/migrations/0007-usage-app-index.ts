/**
 * Migration 0007: `usage_events_by_app` indexes only the events that happened in an app.
 *
 * Its one reader (`UsageStore.listForApp`, `app_key = ?`) never looks for events outside an app,
 * yet 0004's full index took an entry for each of them: one more B-tree written per ingested
 * event, for nothing. A partial index on `app_key is not null` serves the same query on both
 * engines (`app_key = ?` implies it) and costs nothing for usage outside apps.
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { MigrationOptions } from "../migrations.js";

const INDEX = "usage_events_by_app";
const COLUMNS = ["app_key", "created_at", "id"];

/** Builds migration 0007 for an engine. */
export function usageAppIndex(_options: MigrationOptions): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex(INDEX).execute();
      await db.schema
        .createIndex(INDEX)
        .on("usage_events")
        .columns(COLUMNS)
        .where(sql.ref("app_key"), "is not", null)
        .execute();
    },

    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex(INDEX).execute();
      await db.schema.createIndex(INDEX).on("usage_events").columns(COLUMNS).execute();
    },
  };
}
