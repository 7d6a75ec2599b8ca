/**
 * The SQLite entry point: orgkit's storage on one database file through better-sqlite3.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Storage } from "@orgkit/core";
import BetterSqlite3 from "better-sqlite3";
import {
  type DatabaseConnection,
  type Dialect,
  Kysely,
  SqliteAdapter,
  type SqliteDatabase,
  type SqliteDialectConfig,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from "kysely";
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
  const db = new Kysely<Database>({
    dialect: sqliteDialect({ database: withStatementCache(database) }, fileLockKey(database)),
  });
  return createKyselyStorage({ db, dialect: sqliteDialectHooks(), ownsConnection: owned });
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
 * One lock per database file in this process, taken with the connection. better-sqlite3 is
 * synchronous: if two adapters of one process opened the same file and one waited for the
 * other's write lock in SQLite's busy handler, it would block the event loop, and with it the
 * holder, which needs a turn of the loop to commit (a deadlock until the timeout). So every
 * statement and transaction of this process's adapters on one file queues here, asynchronously,
 * and `busy_timeout` only ever waits for other processes.
 */
const FILE_LOCKS = new Map<string, { tail: Promise<void>; users: number }>();

function fileLockKey(database: BetterSqlite3.Database): string | null {
  const name = database.name;
  if (database.memory || name === "" || name === ":memory:" || name.startsWith("file:")) return null;
  return resolve(name);
}

/** Waits for the file's lock and returns its release. */
async function lockFile(key: string): Promise<() => void> {
  let entry = FILE_LOCKS.get(key);
  if (entry === undefined) {
    entry = { tail: Promise.resolve(), users: 0 };
    FILE_LOCKS.set(key, entry);
  }
  const lock = entry;
  lock.users += 1;
  let release!: () => void;
  const released = new Promise<void>((done) => {
    release = done;
  });
  const previous = lock.tail;
  lock.tail = previous.then(() => released);
  await previous;
  return () => {
    lock.users -= 1;
    if (lock.users === 0) FILE_LOCKS.delete(key);
    release();
  };
}

/** Kysely's SQLite driver, holding the file's in-process lock while it holds the connection. */
class FileLockedSqliteDriver extends SqliteDriver {
  readonly #key: string | null;
  #release: (() => void) | undefined;

  constructor(config: SqliteDialectConfig, key: string | null) {
    super(config);
    this.#key = key;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const release = this.#key === null ? undefined : await lockFile(this.#key);
    const connection = await super.acquireConnection();
    this.#release = release;
    return connection;
  }

  override async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    await super.releaseConnection();
    release?.();
  }
}

/** Kysely's SQLite dialect with {@link FileLockedSqliteDriver}. */
function sqliteDialect(config: SqliteDialectConfig, key: string | null): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new FileLockedSqliteDriver(config, key),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
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
 * SQLite's part of the Kysely storage: one writer at a time (`BEGIN IMMEDIATE` on the connection,
 * which the driver holds with the file's in-process lock), unique violations read from the error
 * message.
 */
export function sqliteDialectHooks(): DialectHooks {
  return { ...SQLITE_HOOKS, runInTransaction };
}

function runInTransaction<T>(db: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  // The driver has a single connection behind this file's lock: holding it for the whole
  // transaction keeps every other query of this process on the file out of it.
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
