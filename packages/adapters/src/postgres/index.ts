/**
 * The Postgres entry point: orgkit's storage on a `pg` pool.
 */
import type { Storage } from "@orgkit/core";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { createKyselyStorage, type DialectHooks } from "../kysely/kysely-storage.js";
import type { Database } from "../kysely/schema.js";
import { constraintByIndexName } from "../kysely/unique-constraints.js";

/** Options of {@link postgresAdapter}: where to connect, or a pool the host already made. */
export type PostgresAdapterOptions =
  | {
      /** `postgres://user:password@host:5432/database`. */
      readonly connectionString: string;
      /** The most connections the pool opens. Default: 10 (pg's default). */
      readonly max?: number | undefined;
      /**
       * The schema orgkit's tables live in, set as every connection's `search_path` and created
       * by `migrate()` when missing. Default: the server's `search_path` (usually `public`).
       */
      readonly schema?: string | undefined;
    }
  | {
      /**
       * A pool the host made; the adapter never ends it. Its connections' `search_path` decides
       * the schema.
       */
      readonly pool: pg.Pool;
    };

/**
 * The session-level advisory lock every orgkit migration on a server holds (and that tools
 * dropping orgkit schemas should hold too): Kysely's migrator reads the catalog of every schema,
 * which a concurrent `DROP SCHEMA` can pull from under it.
 */
export const MIGRATION_LOCK_ID = 0x6f72676b6974; // "orgkit"

/** How many times a transaction runs before a serialization failure or deadlock is reported. */
const MAX_ATTEMPTS = 8;
/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(["40001", "40P01"]);
/** int8: epoch-millisecond times, versions and counts, all well within 2^53. */
const INT8_OID = 20;

/**
 * orgkit's storage on Postgres (pg). Transactions run at READ COMMITTED; the stores' row locks
 * (`OrganizationStore.lock`) and conditional writes give the isolation the port promises, and a
 * transaction that fails with a serialization failure or deadlock is retried up to 8 times.
 *
 * @example
 * ```ts
 * import { postgresAdapter } from "@orgkit/adapters/postgres";
 *
 * const storage = postgresAdapter({ connectionString: process.env.DATABASE_URL!, schema: "orgkit" });
 * await storage.migrate();
 * ```
 */
export function postgresAdapter(options: PostgresAdapterOptions): Storage {
  const owned = !("pool" in options);
  const schema = owned ? options.schema : undefined;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new TypeError(`postgresAdapter: schema must be a plain identifier, got ${JSON.stringify(schema)}`);
  }
  const pool = owned
    ? new pg.Pool({
        connectionString: options.connectionString,
        ...(options.max === undefined ? {} : { max: options.max }),
        ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
        // Per pool, not pg.types.setTypeParser: the host's other pools keep their own parsing.
        types: {
          getTypeParser: ((oid: number, format?: "text" | "binary") =>
            oid === INT8_OID && format !== "binary"
              ? (value: string) => Number(value)
              : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
        },
      })
    : options.pool;
  if (owned) {
    // An idle connection the server dropped is reported here; pg discards it and the next query
    // connects again. Without a listener, Node would end the process on this event.
    pool.on("error", () => {});
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return createKyselyStorage({ db, dialect: postgresDialectHooks(schema), ownsConnection: owned });
}

/** Postgres's part of the Kysely storage, for tables in `schema` (default: the current schema). */
export function postgresDialectHooks(schema?: string): DialectHooks {
  return {
    capabilities: { engine: "postgres", concurrentWriters: true },
    // Code-point order, as on SQLite, whatever the database's locale.
    sortCollation: "C",

    async runInTransaction(db, fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().setIsolationLevel("read committed").execute(fn);
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(sqlState(error) ?? "")) throw error;
          // Full jitter over an exponential window: 2, 4, 8, ... up to 100 ms.
          await sleep(Math.random() * Math.min(100, 2 ** attempt));
        }
      }
    },

    classifyError(error) {
      if (sqlState(error) !== "23505") return null;
      const constraint = (error as { constraint?: unknown }).constraint;
      return typeof constraint === "string" ? constraintByIndexName(constraint) : null;
    },

    withMigrationLock(db, fn) {
      return db.connection().execute(async (connection) => {
        await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(connection);
        try {
          await fn(connection);
        } finally {
          await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(connection);
        }
      });
    },

    async prepareMigrations(db) {
      if (schema !== undefined) {
        await db.schema.createSchema(schema).ifNotExists().execute();
        return schema;
      }
      // Kysely looks for its bookkeeping tables in every schema unless told which one.
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
      return rows[0]?.schema;
    },
  };
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
