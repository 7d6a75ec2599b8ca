/**
 * Migration 0003: SAML single sign-on. Identity providers per organization, the email domains
 * they declare, the AuthnRequest ids they issued, the assertion replay cache and the external
 * identities linked to users. Deleting an organization deletes its providers, and with them
 * everything below. Never edited once shipped; a schema change is a new migration.
 */
import type { Kysely, Migration } from "kysely";
import type { MigrationOptions } from "../migrations.js";

/** Builds migration 0003 for an engine. */
export function sso(_options: MigrationOptions): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("identity_providers")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("enabled", "integer", (c) => c.notNull())
        .addColumn("idp_entity_id", "text", (c) => c.notNull())
        .addColumn("sso_url", "text", (c) => c.notNull())
        .addColumn("certificates_json", "text", (c) => c.notNull())
        .addColumn("default_role", "text", (c) => c.notNull())
        .addColumn("required", "integer", (c) => c.notNull())
        .addColumn("allow_idp_initiated", "integer", (c) => c.notNull())
        .addColumn("clock_skew_seconds", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("identity_providers_pkey", ["key"])
        // Also serves the list (keyset on id) and the organization cascade.
        .addUniqueConstraint("identity_providers_organization_id_key", ["organization_key", "id"])
        .addForeignKeyConstraint(
          "identity_providers_organization_key_fkey",
          ["organization_key"],
          "organizations",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();

      await db.schema
        .createTable("identity_provider_domains")
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("provider_key", "text", (c) => c.notNull())
        // A domain is declared by at most one provider of an organization.
        .addPrimaryKeyConstraint("identity_provider_domains_pkey", ["organization_key", "domain"])
        .addForeignKeyConstraint(
          "identity_provider_domains_provider_key_fkey",
          ["provider_key"],
          "identity_providers",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();
      await db.schema
        .createIndex("identity_provider_domains_by_provider")
        .on("identity_provider_domains")
        .columns(["provider_key", "domain"])
        .execute();
      // "Which organization requires SSO for this domain?" at password sign-in.
      await db.schema
        .createIndex("identity_provider_domains_by_domain")
        .on("identity_provider_domains")
        .columns(["domain", "organization_key"])
        .execute();

      await db.schema
        .createTable("saml_requests")
        .addColumn("provider_key", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("relay_state", "text")
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("saml_requests_pkey", ["provider_key", "id"])
        .addForeignKeyConstraint(
          "saml_requests_provider_key_fkey",
          ["provider_key"],
          "identity_providers",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();
      await db.schema
        .createIndex("saml_requests_by_expiry")
        .on("saml_requests")
        .columns(["provider_key", "expires_at"])
        .execute();

      await db.schema
        .createTable("saml_assertions")
        .addColumn("provider_key", "text", (c) => c.notNull())
        .addColumn("assertion_id", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        // The replay check is an insert on this key: concurrent replays cannot both pass.
        .addPrimaryKeyConstraint("saml_assertions_pkey", ["provider_key", "assertion_id"])
        .addForeignKeyConstraint(
          "saml_assertions_provider_key_fkey",
          ["provider_key"],
          "identity_providers",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();
      await db.schema
        .createIndex("saml_assertions_by_expiry")
        .on("saml_assertions")
        .columns(["provider_key", "expires_at"])
        .execute();

      await db.schema
        .createTable("external_identities")
        .addColumn("provider_key", "text", (c) => c.notNull())
        .addColumn("organization_key", "text", (c) => c.notNull())
        .addColumn("name_id", "text", (c) => c.notNull())
        .addColumn("name_id_format", "text")
        .addColumn("user_key", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("external_identities_pkey", ["provider_key", "name_id"])
        .addForeignKeyConstraint(
          "external_identities_provider_key_fkey",
          ["provider_key"],
          "identity_providers",
          ["key"],
          (fk) => fk.onDelete("cascade"),
        )
        .addForeignKeyConstraint("external_identities_user_key_fkey", ["user_key"], "users", ["key"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await db.schema
        .createIndex("external_identities_by_user")
        .on("external_identities")
        .columns(["user_key"])
        .execute();
    },

    async down(db: Kysely<unknown>) {
      for (const table of [
        "external_identities",
        "saml_assertions",
        "saml_requests",
        "identity_provider_domains",
        "identity_providers",
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
