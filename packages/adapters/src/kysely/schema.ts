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
  outbox: OutboxTable;
  password_history: PasswordHistoryTable;
  sessions: SessionsTable;
  access_tokens: AccessTokensTable;
  security_settings: SecuritySettingsTable;
  rate_limits: RateLimitsTable;
  password_resets: PasswordResetsTable;
}
