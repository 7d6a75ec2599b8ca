/**
 * The versioned schema migrations, run through Kysely's `Migrator`. Written with the schema
 * builder only, so one set serves every engine: times are `bigint` epoch milliseconds, flags
 * are `integer` 0/1, JSON is `text`, ids are text (no autoincrement).
 *
 * A shipped migration is never edited; a schema change is a new entry.
 */
import type { Migration, MigrationProvider } from "kysely";
import { foundation } from "./migrations/0001-foundation.js";
import { identity } from "./migrations/0002-identity.js";
import { sso } from "./migrations/0003-sso.js";
import { teamsApps } from "./migrations/0004-teams-apps.js";
import { auditChain } from "./migrations/0005-audit-chain.js";
import { billing } from "./migrations/0006-billing.js";
import { usageAppIndex } from "./migrations/0007-usage-app-index.js";

/** Engine details a migration needs. */
export interface MigrationOptions {
  /**
   * The collation of the text columns that lists are ordered by (names and emails), so that every
   * engine orders text by code point (SQLite's default `BINARY` does; Postgres needs `"C"`, as its
   * database default follows the locale). Keys keep the default collation: they are joined on,
   * and a join between columns of different collations cannot use their indexes. Default: the
   * column's default collation.
   */
  readonly sortCollation?: string | undefined;
}

/**
 * orgkit's migrations by name, in the order they run.
 *
 * @example
 * ```ts
 * const migrator = new Migrator({ db, provider: { getMigrations: async () => createMigrations() } });
 * ```
 */
export function createMigrations(options: MigrationOptions = {}): Record<string, Migration> {
  return {
    "0001_foundation": foundation(options),
    "0002_identity": identity(options),
    "0005_audit_chain": auditChain(options),
    "0003_sso": sso(options),
    "0004_teams_apps": teamsApps(options),
    "0006_billing": billing(options),
    "0007_usage_app_index": usageAppIndex(options),
  };
}

/**
 * {@link createMigrations} as a Kysely `MigrationProvider`.
 *
 * @example
 * ```ts
 * await new Migrator({ db, provider: createMigrationProvider() }).migrateToLatest();
 * ```
 */
export function createMigrationProvider(options: MigrationOptions = {}): MigrationProvider {
  const migrations = createMigrations(options);
  return { getMigrations: async () => migrations };
}
