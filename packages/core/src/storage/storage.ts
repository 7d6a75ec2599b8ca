import type { AppStore } from "./app-store.js";
import type { AuditStore } from "./audit-store.js";
import type { BillingStore } from "./billing-store.js";
import type { InputStore, ModelStore, StarStore, WorkflowStore } from "./content-store.js";
import type { IdentityProviderStore } from "./identity-provider-store.js";
import type { InvitationStore } from "./invitation-store.js";
import type { MemberStore } from "./member-store.js";
import type { OrganizationStore } from "./organization-store.js";
import type { OutboxStore } from "./outbox-store.js";
import type { PermissionStore, PolicyStore } from "./policy-store.js";
import type { RateLimitStore, SecuritySettingsStore } from "./security-store.js";
import type { SessionStore } from "./session-store.js";
import type { TeamStore } from "./team-store.js";
import type { TokenStore } from "./token-store.js";
import type { UsageStore } from "./usage-store.js";
import type { UserStore } from "./user-store.js";

/** Every store, bound to one connection or one transaction. */
export interface Stores {
  readonly users: UserStore;
  readonly organizations: OrganizationStore;
  readonly members: MemberStore;
  readonly invitations: InvitationStore;
  readonly audit: AuditStore;
  readonly outbox: OutboxStore;
  readonly sessions: SessionStore;
  readonly tokens: TokenStore;
  readonly security: SecuritySettingsStore;
  readonly rateLimits: RateLimitStore;
  readonly identityProviders: IdentityProviderStore;
  readonly teams: TeamStore;
  readonly apps: AppStore;
  readonly models: ModelStore;
  readonly workflows: WorkflowStore;
  readonly inputs: InputStore;
  readonly stars: StarStore;
  readonly policies: PolicyStore;
  /** The one-statement read behind a cold authorization check. */
  readonly permissions: PermissionStore;
  readonly usage: UsageStore;
  /** Billing accounts, meters, prices, closed periods and budgets. */
  readonly billing: BillingStore;
}

/** What an engine can do, so that callers branch on capabilities, never on engine names. */
export interface StorageCapabilities {
  /** A short name for logs and benchmarks (`"sqlite"`, `"postgres"`). */
  readonly engine: string;
  /**
   * True when two connections can run write transactions at the same moment (Postgres). False
   * when writers are serialized by the engine (SQLite's single writer). Default: false.
   */
  readonly concurrentWriters: boolean;
}

/**
 * The storage port orgkit's services run on. Implemented once with Kysely in
 * `@orgkit/adapters`; any implementation must pass `@orgkit/core/testing`'s conformance suite.
 *
 * Reads made through the top-level stores run outside any transaction.
 */
export interface Storage extends Stores {
  readonly capabilities: StorageCapabilities;
  /** Brings the schema to the latest version; idempotent, safe to call at every start. */
  migrate(): Promise<void>;
  /**
   * Runs `fn` in one write transaction and returns its result; commits when it resolves and rolls
   * back when it throws. The whole of `fn` MUST be atomic and isolated from concurrent
   * transactions as far as the locks and conditional writes of the stores promise.
   *
   * The adapter MAY run `fn` more than once when the engine reports a serialization failure or
   * a deadlock, so `fn` must have no effect outside the stores it is given (send mail after
   * `transaction` resolves, never inside).
   */
  transaction<T>(fn: (tx: Stores) => Promise<T>): Promise<T>;
  /** Closes the connections this adapter opened (not a pool or database it was given). */
  close(): Promise<void>;
}
