/**
 * orgkit's storage adapters: the shared Kysely implementation of the storage port. Engines have
 * their own entry points, `@orgkit/adapters/sqlite` and `@orgkit/adapters/postgres`.
 */
export {
  createKyselyStorage,
  createStores,
  type DialectHooks,
  type KyselyStorageOptions,
} from "./kysely/kysely-storage.js";
export { createMigrationProvider, createMigrations, type MigrationOptions } from "./kysely/migrations.js";
export type * from "./kysely/schema.js";
export type { ClassifyError, StoreContext } from "./kysely/store-context.js";
export { UNIQUE_INDEXES, type UniqueIndex } from "./kysely/unique-constraints.js";
