/**
 * The SQLite entry point: orgkit's storage on one database file through better-sqlite3.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Storage } from "@orgkit/core";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, type SqliteDatabase, SqliteDialect, sql } from "kysely";
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return createKyselyStorage({ db, dialect: sqliteDialectHooks(database), ownsConnection: owned });
}

/** Statements kept prepared per connection; orgkit issues a few dozen distinct ones. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs more than running most
 * of orgkit's queries. This wraps the database so that `prepare` reuses a statement per SQL text
 * (least recently used dropped past {@link STATEMENT_CACHE_SIZE}). Safe because the driver runs
 * one statement at a time on a connection and never leaves one iterating.
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      } else {
        cache.delete(text);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

/**
 * One write lock per database file in this process. better-sqlite3 is synchronous: if two
 * adapters of one process opened the same file and one waited for the other's write lock in
 * SQLite's busy handler, it would block the event loop, and with it the holder, which needs a
 * turn of the loop to commit (a deadlock until the timeout). So writers of one process queue
 * here, asynchronously, and only writers of other processes are waited for by `busy_timeout`.
 */
const WRITE_QUEUES = new Map<string, { tail: Promise<unknown>; waiting: number }>();

function writeQueueKey(database: BetterSqlite3.Database): string | null {
  const name = database.name;
  if (database.memory || name === "" || name === ":memory:" || name.startsWith("file:")) return null;
  return resolve(name);
}

async function inWriteQueue<T>(key: string | null, fn: () => Promise<T>): Promise<T> {
  if (key === null) return fn();
  let queue = WRITE_QUEUES.get(key);
  if (queue === undefined) {
    queue = { tail: Promise.resolve(), waiting: 0 };
    WRITE_QUEUES.set(key, queue);
  }
  const entry = queue;
  entry.waiting += 1;
  const run = entry.tail.then(fn, fn);
  entry.tail = run.catch(() => undefined);
  try {
    return await run;
  } finally {
    entry.waiting -= 1;
    if (entry.waiting === 0) WRITE_QUEUES.delete(key);
  }
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

/**
 * SQLite's part of the Kysely storage for one database: one writer at a time (`BEGIN IMMEDIATE`,
 * queued per file within this process), unique violations read from the error message.
 */
export function sqliteDialectHooks(database: BetterSqlite3.Database): DialectHooks {
  const queueKey = writeQueueKey(database);
  return {
    ...SQLITE_HOOKS,
    runInTransaction: (db, fn) => inWriteQueue(queueKey, () => runInTransaction(db, fn)),
  };
}

function runInTransaction<T>(db: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  // Kysely's SQLite driver has a single connection behind a mutex: holding it for the whole
  // transaction keeps this adapter's other queries out of it.
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
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
}

const SQLITE_HOOKS: Omit<DialectHooks, "runInTransaction"> = {
  capabilities: { engine: "sqlite", concurrentWriters: false },

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
