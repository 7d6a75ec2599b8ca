import type { Storage, StorageCapabilities, Stores } from "@orgkit/core";
import { type Kysely, Migrator } from "kysely";
import { KyselyAppStore } from "./kysely-app-store.js";
import { KyselyAuditStore } from "./kysely-audit-store.js";
import { KyselyBillingStore } from "./kysely-billing-store.js";
import { KyselyIdentityProviderStore } from "./kysely-identity-provider-store.js";
import { KyselyInputStore, KyselyStarStore } from "./kysely-input-store.js";
import { KyselyInvitationStore } from "./kysely-invitation-store.js";
import { KyselyMemberStore } from "./kysely-member-store.js";
import { KyselyModelStore } from "./kysely-model-store.js";
import { KyselyOrganizationStore } from "./kysely-organization-store.js";
import { KyselyOutboxStore } from "./kysely-outbox-store.js";
import { KyselyPermissionStore, KyselyPolicyStore } from "./kysely-policy-store.js";
import { KyselyRateLimitStore, KyselySecuritySettingsStore } from "./kysely-security-store.js";
import { KyselySessionStore } from "./kysely-session-store.js";
import { KyselyTeamStore } from "./kysely-team-store.js";
import { KyselyTokenStore } from "./kysely-token-store.js";
import { KyselyUsageStore } from "./kysely-usage-store.js";
import { KyselyUserStore } from "./kysely-user-store.js";
import { KyselyWorkflowStore } from "./kysely-workflow-store.js";
import { createMigrationProvider } from "./migrations.js";
import type { Database } from "./schema.js";
import type { ClassifyError, StoreContext } from "./store-context.js";

/**
 * What differs between engines, as data and hooks, so that no query asks which engine it runs on.
 */
export interface DialectHooks {
  /** Reported as `storage.capabilities`. */
  readonly capabilities: StorageCapabilities;
  /**
   * Runs `fn` in one write transaction on `db`: commits when it resolves, rolls back when it
   * throws, and may run it again after a serialization failure or deadlock.
   */
  runInTransaction<T>(db: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Maps the engine's unique-violation error to the logical constraint, or null for any other error. */
  readonly classifyError: ClassifyError;
  /**
   * The collation given to the text columns lists are ordered by (see `MigrationOptions`).
   * Default: the engine's default collation.
   */
  readonly sortCollation?: string | undefined;
  /**
   * Prepares the database before migrating (creating a schema, say) and returns the schema that
   * holds Kysely's migration bookkeeping tables. Default: nothing to prepare, the default schema.
   */
  prepareMigrations?(db: Kysely<Database>): Promise<string | undefined>;
  /**
   * Runs `fn` (the migrations) holding a database-wide lock, on one connection, so that schema
   * changes of concurrent migrators never interleave. Default: no lock.
   */
  withMigrationLock?(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<void>): Promise<void>;
}

/** Options of {@link createKyselyStorage}. */
export interface KyselyStorageOptions {
  /** A Kysely instance on the engine, typed with orgkit's {@link Database}. */
  readonly db: Kysely<Database>;
  readonly dialect: DialectHooks;
  /** When true, `close()` destroys `db` (and with it the connection or pool). Default: false. */
  readonly ownsConnection?: boolean | undefined;
}

/**
 * The storage port implemented with Kysely on any engine described by `dialect`. The SQLite and
 * Postgres entry points (`@orgkit/adapters/sqlite`, `@orgkit/adapters/postgres`) build it for you.
 *
 * @example
 * ```ts
 * const storage = createKyselyStorage({ db, dialect: myDialectHooks, ownsConnection: true });
 * await storage.migrate();
 * ```
 */
export function createKyselyStorage(options: KyselyStorageOptions): Storage {
  const { db, dialect } = options;
  const concurrentWriters = dialect.capabilities.concurrentWriters;
  const top = createStores({
    db,
    classifyError: dialect.classifyError,
    atomic: (fn) => dialect.runInTransaction(db, fn),
    concurrentWriters,
  });

  return {
    ...top,
    capabilities: dialect.capabilities,

    async migrate() {
      const run = async (on: Kysely<Database>) => {
        const migrationTableSchema = await dialect.prepareMigrations?.(on);
        const migrator = new Migrator({
          db: on,
          provider: createMigrationProvider({ sortCollation: dialect.sortCollation }),
          ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
        });
        const { error } = await migrator.migrateToLatest();
        if (error) throw error;
      };
      await (dialect.withMigrationLock ? dialect.withMigrationLock(db, run) : run(db));
    },

    transaction(fn) {
      return dialect.runInTransaction(db, (tx) =>
        fn(
          createStores({
            db: tx,
            classifyError: dialect.classifyError,
            atomic: (work) => work(tx),
            concurrentWriters,
          }),
        ),
      );
    },

    async close() {
      if (options.ownsConnection) await db.destroy();
    },
  };
}

/** Every Kysely store, bound to one connection or transaction. */
export function createStores(ctx: StoreContext): Stores {
  return {
    users: new KyselyUserStore(ctx),
    organizations: new KyselyOrganizationStore(ctx),
    members: new KyselyMemberStore(ctx),
    invitations: new KyselyInvitationStore(ctx),
    sessions: new KyselySessionStore(ctx),
    tokens: new KyselyTokenStore(ctx),
    security: new KyselySecuritySettingsStore(ctx),
    rateLimits: new KyselyRateLimitStore(ctx),
    identityProviders: new KyselyIdentityProviderStore(ctx),
    audit: new KyselyAuditStore(ctx),
    outbox: new KyselyOutboxStore(ctx),
    teams: new KyselyTeamStore(ctx),
    apps: new KyselyAppStore(ctx),
    models: new KyselyModelStore(ctx),
    workflows: new KyselyWorkflowStore(ctx),
    inputs: new KyselyInputStore(ctx),
    stars: new KyselyStarStore(ctx),
    policies: new KyselyPolicyStore(ctx),
    permissions: new KyselyPermissionStore(ctx),
    usage: new KyselyUsageStore(ctx),
    billing: new KyselyBillingStore(ctx),
  };
}
