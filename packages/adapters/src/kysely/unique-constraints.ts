/**
 * The one table from the schema's unique indexes to the port's logical constraints. Engines name
 * a violated index differently (SQLite lists `table.column`s, Postgres gives the index name), so
 * each entry carries both.
 */
import type { UniqueConstraint } from "@orgkit/core";

/** A unique index of the schema and the logical constraint it enforces. */
export interface UniqueIndex {
  /** The index or constraint name (what Postgres reports). */
  readonly name: string;
  readonly table: string;
  /** Its columns in order (what SQLite reports). */
  readonly columns: readonly string[];
  readonly constraint: UniqueConstraint;
}

/** Every unique index that backs a logical constraint; others (internal keys) map to none. */
export const UNIQUE_INDEXES: readonly UniqueIndex[] = [
  { name: "accounts_pkey", table: "accounts", columns: ["id"], constraint: "account_id" },
  { name: "users_id_key", table: "users", columns: ["id"], constraint: "account_id" },
  { name: "organizations_id_key", table: "organizations", columns: ["id"], constraint: "account_id" },
  { name: "users_email_key", table: "users", columns: ["email"], constraint: "user_email" },
  {
    name: "organizations_name_key_key",
    table: "organizations",
    columns: ["name_key"],
    constraint: "organization_name",
  },
  {
    name: "memberships_pkey",
    table: "memberships",
    columns: ["organization_key", "user_key"],
    constraint: "membership",
  },
  {
    name: "invitations_pending_email_key",
    table: "invitations",
    columns: ["organization_key", "email"],
    constraint: "pending_invitation",
  },
  {
    name: "invitations_token_hash_key",
    table: "invitations",
    columns: ["token_hash"],
    constraint: "invitation_token",
  },
  {
    name: "sessions_token_hash_key",
    table: "sessions",
    columns: ["token_hash"],
    constraint: "session_token",
  },
  {
    name: "access_tokens_token_hash_key",
    table: "access_tokens",
    columns: ["token_hash"],
    constraint: "access_token",
  },
  {
    name: "identity_providers_organization_id_key",
    table: "identity_providers",
    columns: ["organization_key", "id"],
    constraint: "identity_provider_id",
  },
  {
    name: "identity_provider_domains_pkey",
    table: "identity_provider_domains",
    columns: ["organization_key", "domain"],
    constraint: "identity_provider_domain",
  },
  {
    name: "external_identities_pkey",
    table: "external_identities",
    columns: ["provider_key", "name_id"],
    constraint: "external_identity",
  },
  {
    name: "saml_assertions_pkey",
    table: "saml_assertions",
    columns: ["provider_key", "assertion_id"],
    constraint: "saml_assertion",
  },
  {
    name: "teams_organization_id_key",
    table: "teams",
    columns: ["organization_key", "id"],
    constraint: "team_id",
  },
  {
    name: "team_members_pkey",
    table: "team_members",
    columns: ["team_key", "user_key"],
    constraint: "team_member",
  },
  { name: "team_apps_pkey", table: "team_apps", columns: ["team_key", "app_key"], constraint: "team_app" },
  { name: "apps_owner_id_key", table: "apps", columns: ["owner_key", "id"], constraint: "app_id" },
  {
    name: "app_collaborators_pkey",
    table: "app_collaborators",
    columns: ["app_key", "user_key"],
    constraint: "app_collaborator",
  },
  { name: "models_app_id_key", table: "models", columns: ["app_key", "id"], constraint: "model_id" },
  {
    name: "model_versions_model_number_key",
    table: "model_versions",
    columns: ["model_key", "number"],
    constraint: "model_version",
  },
  { name: "workflows_app_id_key", table: "workflows", columns: ["app_key", "id"], constraint: "workflow_id" },
  { name: "inputs_app_id_key", table: "inputs", columns: ["app_key", "id"], constraint: "input_id" },
  {
    name: "usage_events_idempotency_key_key",
    table: "usage_events",
    columns: ["idempotency_key"],
    constraint: "usage_event",
  },
  {
    name: "budgets_scope_key",
    table: "budgets",
    columns: ["organization_key", "scope", "scope_key"],
    constraint: "budget_scope",
  },
];

const byName = new Map(UNIQUE_INDEXES.map((index) => [index.name, index.constraint]));
const byColumns = new Map(
  UNIQUE_INDEXES.map((index) => [
    index.columns.map((c) => `${index.table}.${c}`).join(", "),
    index.constraint,
  ]),
);

/** The logical constraint behind an index name, or null. */
export function constraintByIndexName(name: string): UniqueConstraint | null {
  return byName.get(name) ?? null;
}

/** The logical constraint behind a `table.column[, table.column]` list, or null. */
export function constraintByColumns(columns: string): UniqueConstraint | null {
  return byColumns.get(columns) ?? null;
}
