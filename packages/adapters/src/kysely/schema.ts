/**
 * The tables of orgkit's schema as Kysely sees them: one interface per table, column names in
 * snake_case as stored. Times are epoch milliseconds, flags are 0/1, JSON is text.
 */
import type { ColumnType } from "kysely";

/**
 * A `bigint` column. Read as a number when the pool parses int8 (the pools this package
 * creates do) and as a string from a pool that does not; the stores convert with `Number()`.
 */
export type Int8 = ColumnType<number | string, number, number>;

/** The account namespace shared by users and organizations: one row per public id. */
export interface AccountsTable {
  id: string;
  kind: "user" | "organization";
}

/** Users; `id` is the public account id, `key` the internal one. */
export interface UsersTable {
  key: string;
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  /** 0 or 1. */
  email_verified: number;
  organization_count: number;
  created_at: Int8;
  updated_at: Int8;
  password_changed_at: Int8 | null;
  failed_sign_ins: number;
  failed_window_start: Int8 | null;
  locked_until: Int8 | null;
}

/** Organizations; `name_key` is the case-insensitive name uniqueness is decided on. */
export interface OrganizationsTable {
  key: string;
  id: string;
  name: string;
  name_key: string;
  billing_email: string;
  website: string | null;
  logo_url: string | null;
  description: string | null;
  version: Int8;
  created_at: Int8;
  updated_at: Int8;
}

/** Memberships, with the member's name and email copied in so that lists walk one index. */
export interface MembershipsTable {
  organization_key: string;
  user_key: string;
  role: string;
  /** The member's name, NFC-normalized and lower-cased. */
  sort_name: string;
  email: string;
  /** `sort_name || ' ' || email`: what a members search matches. */
  search: string;
  created_at: Int8;
  updated_at: Int8;
}

/** Invitations; `team_ids` is a JSON array of team ids. */
export interface InvitationsTable {
  key: string;
  organization_key: string;
  email: string;
  role: string;
  team_ids: string;
  token_hash: string;
  status: string;
  inviter_user_key: string | null;
  expires_at: Int8;
  responded_at: Int8 | null;
  accepted_user_key: string | null;
  created_at: Int8;
  updated_at: Int8;
}

/** The append-only audit trail. `organization_id` is the public id, kept after a deletion. */
export interface AuditEventsTable {
  id: string;
  organization_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  before_json: string | null;
  after_json: string | null;
  ip: string | null;
  outcome: string;
  created_at: Int8;
  /** A per-process increasing number that orders events written in the same millisecond. */
  seq: Int8;
  organization_key: string | null;
  /** `org:<organization key>` or `global`. */
  chain: string;
  /** Position in the chain, from 1, without gaps. */
  chain_seq: Int8 | null;
  previous_hash: string | null;
  hash: string | null;
}

/** The head of each audit chain: its last event, and where retention cut it. */
export interface AuditHeadsTable {
  chain: string;
  seq: Int8;
  hash: string;
  pruned_through: Int8;
  pruned_hash: string;
}

/** The transactional outbox of outgoing mail. */
export interface OutboxTable {
  id: string;
  template: string;
  recipient: string;
  subject: string;
  text_body: string | null;
  data_json: string | null;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: Int8;
  sent_at: Int8 | null;
  /** Orders messages enqueued in the same millisecond, like `audit_events.seq`. */
  seq: Int8;
}

/** orgkit's schema, for `Kysely<Database>`. */
/** Past password hashes of a user, newest by `seq`. */
export interface PasswordHistoryTable {
  id: string;
  user_key: string;
  password_hash: string;
  created_at: Int8;
  seq: Int8;
}

/** Sessions; only the SHA-256 of the token is stored. */
export interface SessionsTable {
  key: string;
  user_key: string;
  organization_key: string | null;
  token_hash: string;
  created_at: Int8;
  last_seen_at: Int8;
  expires_at: Int8;
  idle_expires_at: Int8;
  revoked_at: Int8 | null;
  ip: string | null;
  user_agent: string | null;
}

/** Personal access tokens; only the SHA-256 of the token and a display prefix are stored. */
export interface AccessTokensTable {
  key: string;
  user_key: string;
  name: string;
  prefix: string;
  token_hash: string;
  /** JSON array of scopes. */
  scopes_json: string;
  expires_at: Int8 | null;
  last_used_at: Int8 | null;
  created_at: Int8;
  revoked_at: Int8 | null;
}

/** Per-organization security documents (JSON). */
export interface SecuritySettingsTable {
  organization_key: string;
  password_policy_json: string | null;
  token_policy_json: string | null;
  updated_at: Int8;
}

/** Pending password resets; only the SHA-256 of the emailed token is stored. */
export interface PasswordResetsTable {
  token_hash: string;
  user_key: string;
  created_at: Int8;
  expires_at: Int8;
  used_at: Int8 | null;
}

/** Fixed-window rate-limit counters. */
export interface RateLimitsTable {
  bucket: string;
  window_start: Int8;
  count: number;
}

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  audit_events: AuditEventsTable;
  audit_heads: AuditHeadsTable;
  outbox: OutboxTable;
  password_history: PasswordHistoryTable;
  sessions: SessionsTable;
  access_tokens: AccessTokensTable;
  security_settings: SecuritySettingsTable;
  rate_limits: RateLimitsTable;
  password_resets: PasswordResetsTable;
  identity_providers: IdentityProvidersTable;
  identity_provider_domains: IdentityProviderDomainsTable;
  saml_requests: SamlRequestsTable;
  saml_assertions: SamlAssertionsTable;
  external_identities: ExternalIdentitiesTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  team_apps: TeamAppsTable;
  apps: AppsTable;
  app_pins: AppPinsTable;
  app_collaborators: AppCollaboratorsTable;
  access_policies: AccessPoliciesTable;
  models: ModelsTable;
  model_versions: ModelVersionsTable;
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  concepts: ConceptsTable;
  inputs: InputsTable;
  input_concepts: InputConceptsTable;
  stars: StarsTable;
  usage_events: UsageEventsTable;
  billing_accounts: BillingAccountsTable;
  meters: MetersTable;
  prices: PricesTable;
  usage_daily: UsageDailyTable;
  usage_periods: UsagePeriodsTable;
  billing_periods: BillingPeriodsTable;
  budgets: BudgetsTable;
  budget_alerts: BudgetAlertsTable;
}

/** SAML identity providers; `certificates_json` is a JSON array of PEM certificates (public). */
export interface IdentityProvidersTable {
  key: string;
  organization_key: string;
  id: string;
  name: string;
  /** 0 or 1. */
  enabled: number;
  idp_entity_id: string;
  sso_url: string;
  certificates_json: string;
  default_role: string;
  /** 0 or 1. */
  required: number;
  /** 0 or 1. */
  allow_idp_initiated: number;
  clock_skew_seconds: number;
  created_at: Int8;
  updated_at: Int8;
}

/** The email domains a provider declares; a domain is unique per organization. */
export interface IdentityProviderDomainsTable {
  organization_key: string;
  domain: string;
  provider_key: string;
}

/** AuthnRequest ids a provider issued and not yet consumed. */
export interface SamlRequestsTable {
  provider_key: string;
  id: string;
  relay_state: string | null;
  expires_at: Int8;
  created_at: Int8;
}

/** The assertion replay cache: ids seen, kept until the assertion could no longer be accepted. */
export interface SamlAssertionsTable {
  provider_key: string;
  assertion_id: string;
  expires_at: Int8;
}

/** NameIDs of a provider linked to users. */
export interface ExternalIdentitiesTable {
  provider_key: string;
  organization_key: string;
  name_id: string;
  name_id_format: string | null;
  user_key: string;
  created_at: Int8;
}

/** Teams of an organization; `sort_name` is the NFC lower-cased name, `search` adds the id. */
export interface TeamsTable {
  key: string;
  organization_key: string;
  id: string;
  name: string;
  sort_name: string;
  search: string;
  created_at: Int8;
  updated_at: Int8;
}

/** Team members, with the member's sort name and search text copied so that lists walk one index. */
export interface TeamMembersTable {
  team_key: string;
  organization_key: string;
  user_key: string;
  sort_name: string;
  search: string;
  created_at: Int8;
}

/** Apps of a team with the team's app role; `sort_name` is the app's, copied. */
export interface TeamAppsTable {
  team_key: string;
  app_key: string;
  role: string;
  sort_name: string;
  created_at: Int8;
  updated_at: Int8;
}

/** Apps; exactly one of `organization_key` and `user_key` is set (the owner's key). */
export interface AppsTable {
  key: string;
  owner_type: "user" | "organization";
  owner_key: string;
  owner_id: string;
  organization_key: string | null;
  user_key: string | null;
  id: string;
  name: string;
  sort_name: string;
  search: string;
  description: string | null;
  /** JSON array of labels. */
  labels_json: string;
  visibility: string;
  created_at: Int8;
  updated_at: Int8;
}

/** Apps pinned by a user. */
export interface AppPinsTable {
  user_key: string;
  app_key: string;
  created_at: Int8;
}

/** Collaborators of an app, with their app role. */
export interface AppCollaboratorsTable {
  app_key: string;
  user_key: string;
  role: string;
  sort_name: string;
  created_at: Int8;
  updated_at: Int8;
}

/** Access policies; `document_json` holds subjects, actions and resources (keys and ids). */
export interface AccessPoliciesTable {
  key: string;
  organization_key: string;
  name: string;
  effect: string;
  document_json: string;
  created_at: Int8;
  updated_at: Int8;
}

/** Models of an app. */
export interface ModelsTable {
  key: string;
  app_key: string;
  id: string;
  name: string;
  sort_name: string;
  search: string;
  type: string;
  description: string | null;
  visibility: string;
  concepts_json: string;
  created_at: Int8;
  updated_at: Int8;
}

/** Model versions with what the runner learned. */
export interface ModelVersionsTable {
  key: string;
  model_key: string;
  number: number;
  status: string;
  params_json: string | null;
  metrics_json: string | null;
  created_at: Int8;
}

/** Workflows of an app; `graph_json` is the latest version's graph. */
export interface WorkflowsTable {
  key: string;
  app_key: string;
  id: string;
  name: string;
  sort_name: string;
  search: string;
  description: string | null;
  visibility: string;
  graph_json: string;
  version: number;
  created_at: Int8;
  updated_at: Int8;
}

/** Saved versions of a workflow's graph. */
export interface WorkflowVersionsTable {
  workflow_key: string;
  number: number;
  graph_json: string;
  created_at: Int8;
}

/** Concepts of an app. */
export interface ConceptsTable {
  app_key: string;
  id: string;
  created_at: Int8;
}

/** Inputs of an app (a text or a URL); `concepts_json` mirrors `input_concepts`. */
export interface InputsTable {
  key: string;
  app_key: string;
  id: string;
  text_value: string | null;
  url: string | null;
  search: string;
  concepts_json: string;
  created_at: Int8;
}

/** The concepts an input is labelled with, for search by concept. */
export interface InputConceptsTable {
  input_key: string;
  app_key: string;
  concept_id: string;
  created_at: Int8;
}

/** Stars on models and workflows. */
export interface StarsTable {
  user_key: string;
  target_key: string;
  kind: string;
  app_key: string;
  created_at: Int8;
}

/** Metered usage, aggregated by billing. */
export interface UsageEventsTable {
  id: string;
  idempotency_key: string;
  meter: string;
  quantity: Int8;
  user_key: string | null;
  app_key: string | null;
  billed_account_id: string;
  created_at: Int8;
}

/** Billing settings of an organization; absent until first edited (the defaults apply). */
export interface BillingAccountsTable {
  organization_key: string;
  /** 0 or 1. */
  consolidated: number;
  currency: string;
  period: string;
  created_at: Int8;
  updated_at: Int8;
}

/** The meter catalogue. */
export interface MetersTable {
  id: string;
  name: string;
  unit: string;
  aggregation: string;
  created_at: Int8;
  updated_at: Int8;
}

/** The price book; `tiers_json` is a JSON array of `{ upTo, amount }`. */
export interface PricesTable {
  meter: string;
  currency: string;
  effective_from: Int8;
  per: Int8;
  tiers_json: string;
  created_at: Int8;
}

/** The measures of a usage rollup cell; `''` in `user_key` / `app_key` stands for none. */
export interface UsageCellColumns {
  account_id: string;
  user_key: string;
  meter: string;
  app_key: string;
  qty_sum: Int8;
  qty_count: Int8;
  qty_max: Int8;
  last_qty: Int8;
  last_at: Int8;
  last_key: string;
}

/** Usage per account × UTC day × user × meter × app. */
export interface UsageDailyTable extends UsageCellColumns {
  day: Int8;
}

/** Usage per account × `YYYY-MM` period × user × meter × app. */
export interface UsagePeriodsTable extends UsageCellColumns {
  period: string;
}

/** Closed billing periods with their frozen statement (JSON). */
export interface BillingPeriodsTable {
  organization_key: string;
  period: string;
  statement_json: string;
  closed_at: Int8;
  closed_by: string | null;
}

/** Budgets per period on an organization, a team or a member (`scope_key` '' for the organization). */
export interface BudgetsTable {
  key: string;
  organization_key: string;
  scope: string;
  scope_key: string;
  amount: Int8;
  /** 0 or 1. */
  hard_stop: number;
  created_at: Int8;
  updated_at: Int8;
}

/** Budget alerts sent, once each per budget × period × threshold. */
export interface BudgetAlertsTable {
  budget_key: string;
  period: string;
  threshold: number;
  created_at: Int8;
}
