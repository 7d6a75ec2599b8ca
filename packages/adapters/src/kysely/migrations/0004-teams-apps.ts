/**
 * Migration 0004: teams with their members and apps, apps (owned by a user or an organization)
 * with pins and collaborators, app content (models and versions, workflows and versions,
 * concepts, inputs, stars), access policies and usage events.
 *
 * Keys keep the default collation (they are joined on); the names lists sort by take the
 * engine's sort collation (see `MigrationOptions`).
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { MigrationOptions } from "../migrations.js";

/** Builds migration 0004 for an engine. */
export function teamsApps(options: MigrationOptions): Migration {
  const sortText = options.sortCollation ? sql`text collate ${sql.id(options.sortCollation)}` : "text";
  return {
    async up(db: Kysely<unknown>) {
      const index = async (name: string, table: string, columns: string[]) =>
        db.schema.createIndex(name).on(table).columns(columns).execute();

      await db.schema
        .createTable("teams")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("sort_name", sortText, (c) => c.notNull())
        .addColumn("search", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("teams_pkey", ["key"])
        .addUniqueConstraint("teams_organization_id_key", ["organization_key", "id"])
        .addForeignKeyConstraint(
          "teams_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();
      await index("teams_by_name", "teams", ["organization_key", "sort_name", "key"]);

      // A team member is an org member: the foreign key to the membership removes the row with it.
      await db.schema
        .createTable("team_members")
        .addColumn("team_key", "text", (c) => c.notNull())
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("sort_name", sortText, (c) => c.notNull())
        .addColumn("search", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("team_members_pkey", ["team_key", "user_key"])
        .addForeignKeyConstraint("team_members_team_key_fkey", ["team_key"], "teams", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .addForeignKeyConstraint(
          "team_members_membership_fkey",
          ["organization_key", "user_key"],
          "memberships",
          ["organization_key", "user_key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();
      await index("team_members_by_name", "team_members", ["team_key", "sort_name", "user_key"]);
      await index("team_members_by_user", "team_members", ["organization_key", "user_key", "team_key"]);

      await db.schema
        .createTable("apps")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("owner_type", "text", (c) => c.notNull())
        .addColumn("owner_key", "text", (c) => c.notNull())
        .addColumn("owner_id", "text", (c) => c.notNull())
        // Exactly one of these is set, so that deleting the owner cascades.
        .addColumn("organization_key", "text")
        .addColumn("user_key", "text")
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("sort_name", sortText, (c) => c.notNull())
        .addColumn("search", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("labels_json", "text", (c) => c.notNull())
        .addColumn("visibility", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("apps_pkey", ["key"])
        .addUniqueConstraint("apps_owner_id_key", ["owner_key", "id"])
        .addCheckConstraint(
          "apps_owner_check",
          sql`(owner_type = 'organization' and organization_key = owner_key and user_key is null) or (owner_type = 'user' and user_key = owner_key and organization_key is null)`,
        )
        .addForeignKeyConstraint(
          "apps_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .addForeignKeyConstraint("apps_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await index("apps_by_name", "apps", ["owner_key", "sort_name", "key"]);
      await index("apps_by_updated", "apps", ["owner_key", "updated_at", "key"]);
      await index("apps_by_owner_id", "apps", ["owner_id", "id"]);
      await index("apps_by_user", "apps", ["user_key"]);
      await index("apps_by_organization", "apps", ["organization_key"]);

      await db.schema
        .createTable("app_pins")
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("app_key", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("app_pins_pkey", ["user_key", "app_key"])
        .addForeignKeyConstraint("app_pins_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .addForeignKeyConstraint("app_pins_app_key_fkey", ["app_key"], "apps", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await index("app_pins_by_app", "app_pins", ["app_key"]);

      await db.schema
        .createTable("app_collaborators")
        .addColumn("app_key", "text", (c) => c.notNull())
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("sort_name", sortText, (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("app_collaborators_pkey", ["app_key", "user_key"])
        .addForeignKeyConstraint("app_collaborators_app_key_fkey", ["app_key"], "apps", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .addForeignKeyConstraint("app_collaborators_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await index("app_collaborators_by_name", "app_collaborators", ["app_key", "sort_name", "user_key"]);
      await index("app_collaborators_by_user", "app_collaborators", ["user_key", "created_at", "app_key"]);

      await db.schema
        .createTable("team_apps")
        .addColumn("team_key", "text", (c) => c.notNull())
        .addColumn("app_key", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("sort_name", sortText, (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("team_apps_pkey", ["team_key", "app_key"])
        .addForeignKeyConstraint("team_apps_team_key_fkey", ["team_key"], "teams", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .addForeignKeyConstraint("team_apps_app_key_fkey", ["app_key"], "apps", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await index("team_apps_by_name", "team_apps", ["team_key", "sort_name", "app_key"]);
      await index("team_apps_by_app", "team_apps", ["app_key"]);

      await db.schema
        .createTable("access_policies")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("effect", "text", (c) => c.notNull())
        .addColumn("document_json", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("access_policies_pkey", ["key"])
        .addForeignKeyConstraint(
          "access_policies_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();
      await index("access_policies_by_organization", "access_policies", [
        "organization_key",
        "created_at",
        "key",
      ]);

      const appChild = (table: string) =>
        db.schema
          .createTable(table)
          // The builder types columns added later as unknown; the constraint is checked when the table is created.
          .addForeignKeyConstraint(`${table}_app_key_fkey`, ["app_key"] as never[], "apps", ["key"], (fk) =>
            fk.onDelete("cascade"),
          );

      await appChild("models")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("app_key", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("sort_name", sortText, (c) => c.notNull())
        .addColumn("search", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("visibility", "text", (c) => c.notNull())
        .addColumn("concepts_json", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("models_pkey", ["key"])
        .addUniqueConstraint("models_app_id_key", ["app_key", "id"])
        .execute();
      await index("models_by_name", "models", ["app_key", "sort_name", "key"]);

      await db.schema
        .createTable("model_versions")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("model_key", "text", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("params_json", "text")
        .addColumn("metrics_json", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("model_versions_pkey", ["key"])
        .addUniqueConstraint("model_versions_model_number_key", ["model_key", "number"])
        .addForeignKeyConstraint("model_versions_model_key_fkey", ["model_key"], "models", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();

      await appChild("workflows")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("app_key", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("sort_name", sortText, (c) => c.notNull())
        .addColumn("search", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("visibility", "text", (c) => c.notNull())
        .addColumn("graph_json", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("workflows_pkey", ["key"])
        .addUniqueConstraint("workflows_app_id_key", ["app_key", "id"])
        .execute();
      await index("workflows_by_name", "workflows", ["app_key", "sort_name", "key"]);

      await db.schema
        .createTable("workflow_versions")
        .addColumn("workflow_key", "text", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("graph_json", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("workflow_versions_pkey", ["workflow_key", "number"])
        .addForeignKeyConstraint(
          "workflow_versions_workflow_key_fkey",
          ["workflow_key"],
          "workflows",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();

      await appChild("concepts")
        .addColumn("app_key", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("concepts_pkey", ["app_key", "id"])
        .execute();

      await appChild("inputs")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("app_key", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("text_value", "text")
        .addColumn("url", "text")
        .addColumn("search", "text", (c) => c.notNull())
        .addColumn("concepts_json", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("inputs_pkey", ["key"])
        .addUniqueConstraint("inputs_app_id_key", ["app_key", "id"])
        .execute();
      await index("inputs_by_created", "inputs", ["app_key", "created_at", "key"]);

      await db.schema
        .createTable("input_concepts")
        .addColumn("input_key", "text", (c) => c.notNull())
        .addColumn("app_key", "text", (c) => c.notNull())
        .addColumn("concept_id", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("input_concepts_pkey", ["input_key", "concept_id"])
        .addForeignKeyConstraint("input_concepts_input_key_fkey", ["input_key"], "inputs", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await index("input_concepts_by_concept", "input_concepts", [
        "app_key",
        "concept_id",
        "created_at",
        "input_key",
      ]);

      await db.schema
        .createTable("stars")
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("target_key", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("app_key", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("stars_pkey", ["user_key", "target_key"])
        .addForeignKeyConstraint("stars_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .addForeignKeyConstraint("stars_app_key_fkey", ["app_key"], "apps", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await index("stars_by_user", "stars", ["user_key", "created_at", "target_key"]);
      await index("stars_by_target", "stars", ["target_key"]);
      await index("stars_by_app", "stars", ["app_key"]);

      // Usage outlives what it was about: no foreign keys, so billing history survives deletions.
      await db.schema
        .createTable("usage_events")
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("idempotency_key", "text", (c) => c.notNull())
        .addColumn("meter", "text", (c) => c.notNull())
        .addColumn("quantity", "bigint", (c) => c.notNull())
        .addColumn("user_key", "text")
        .addColumn("app_key", "text")
        .addColumn("billed_account_id", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("usage_events_pkey", ["id"])
        .addUniqueConstraint("usage_events_idempotency_key_key", ["idempotency_key"])
        .execute();
      await index("usage_events_by_app", "usage_events", ["app_key", "created_at", "id"]);
      await index("usage_events_by_account", "usage_events", ["billed_account_id", "created_at", "id"]);
    },

    async down(db: Kysely<unknown>) {
      for (const table of [
        "usage_events",
        "stars",
        "input_concepts",
        "inputs",
        "concepts",
        "workflow_versions",
        "workflows",
        "model_versions",
        "models",
        "access_policies",
        "team_apps",
        "app_collaborators",
        "app_pins",
        "apps",
        "team_members",
        "teams",
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
