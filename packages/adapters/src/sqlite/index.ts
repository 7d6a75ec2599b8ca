/**
 * The SQLite entry point: orgkit's storage on one database file through better-sqlite3.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Storage } from "@orgkit/core";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { createKyselyStorage, type DialectHooks } from "../kysely/kysely-storage.js";
import type { Database } from "../kysely/schema.js";
import { constraintByColumns, constraintByIndexName } from "../kysely/unique-constraints.js";

/** Options of {@link sqliteAdapter}: a file to open, or a database the host already opened. */
export type SqliteAdapterOptions =
  | {
      /** The database file; its directory is created when missing. `":memory:"` for a private in-memory database. */
      readonly filename: string;
    }
  | {
      /** An open better-sqlite3 database; the adapter sets its pragmas and never closes it. */
      readonly database: BetterSqlite3.Database;
    };

/** How long a connection waits for another connection's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * orgkit's storage on SQLite (better-sqlite3). Writers are serialized: every transaction starts
 * with `BEGIN IMMEDIATE`, taking the file's write lock up front so that two transactions never
 * both read and then both write, and waits up to 5 s (`busy_timeout`) for another connection's.
 *
 * A file database is switched to WAL (readers do not block the writer) with `synchronous = NORMAL`;
 * every database gets `foreign_keys = ON` (deletions cascade) and `busy_timeout = 5000`.
 *
 * @example
 * ```ts
 * import { sqliteAdapter } from "@orgkit/adapters/sqlite";
 *
 * const storage = sqliteAdapter({ filename: ".orgkit/orgkit.db" });
 * await storage.migrate();
 * ```
 */
export function sqliteAdapter(options: SqliteAdapterOptions): Storage {
  const owned = "filename" in options;
  const database = owned ? openDatabase(options.filename) : options.database;
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  database.pragma("foreign_keys = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return createKyselyStorage({ db, dialect: sqliteDialectHooks, ownsConnection: owned });
}

/**
 * Takes the write lock with `BEGIN IMMEDIATE`, waiting up to {@link BUSY_TIMEOUT_MS} for another
 * connection to release it. The wait is asynchronous: better-sqlite3 is synchronous, so waiting
 * in SQLite's busy handler would block the event loop, and with it a connection in this same
 * process that holds the lock and only needs a turn of the loop to commit. So the busy handler is
 * off while this one statement runs, and SQLITE_BUSY is retried after a short jittered sleep.
 */
async function beginImmediate(conn: Kysely<Database>): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  await sql`pragma busy_timeout = 0`.execute(conn);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await sql`begin immediate`.execute(conn);
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(25, 2 ** attempt)));
      }
    }
  } finally {
    await sql.raw(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`).execute(conn);
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

function openDatabase(filename: string): BetterSqlite3.Database {
  const inMemory = filename === "" || filename === ":memory:" || filename.startsWith("file:");
  if (!inMemory) mkdirSync(dirname(filename), { recursive: true });
  const database = new BetterSqlite3(filename);
  if (!inMemory) {
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
  }
  return database;
}

/** SQLite's part of the Kysely storage: one writer at a time, errors read from the message. */
export const sqliteDialectHooks: DialectHooks = {
  capabilities: { engine: "sqlite", concurrentWriters: false },

  runInTransaction(db, fn) {
    // Kysely's SQLite driver has a single connection behind a mutex: holding it for the whole
    // transaction keeps this process's other queries out of it.
    return db.connection().execute(async (conn) => {
      await beginImmediate(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => {
          // The engine may already have rolled back (after SQLITE_FULL, say); the original error matters.
        });
        throw error;
      }
    });
  },

  classifyError(error) {
    if (!(error instanceof Error) || !("code" in error)) return null;
    const code = error.code;
    if (code !== "SQLITE_CONSTRAINT_UNIQUE" && code !== "SQLITE_CONSTRAINT_PRIMARYKEY") return null;
    // "UNIQUE constraint failed: memberships.organization_key, memberships.user_key", or
    // "UNIQUE constraint failed: index 'name'" for an index on expressions.
    const detail = error.message.replace(/^UNIQUE constraint failed: /, "");
    const index = /^index '(.+)'$/.exec(detail);
    return index?.[1] ? constraintByIndexName(index[1]) : constraintByColumns(detail);
  },
};
