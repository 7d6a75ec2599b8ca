/**
 * The conformance harnesses of this package's two engines (test code; not exported). Each
 * `create()` makes a database of its own: a temporary SQLite file, or a Postgres schema.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Storage } from "@orgkit/core";
import type { ConformanceHarness } from "@orgkit/core/testing";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { MIGRATION_LOCK_ID, postgresAdapter } from "../postgres/index.js";
import { sqliteAdapter } from "../sqlite/index.js";

/** The Postgres server the tests use. */
export const PG_URL = process.env.ORGKIT_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const BOOKKEEPING = /^kysely_migration/;

function sortRows(rows: Record<string, unknown>[]): unknown[] {
  return rows
    .map((row) => JSON.parse(JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? Number(v) : v))))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** SQLite: one temporary file per storage; concurrent connections are separate adapters on it. */
export function sqliteHarness(): ConformanceHarness {
  const files = new WeakMap<Storage, { dir: string; filename: string }>();
  return {
    name: "sqlite",
    async create() {
      const dir = mkdtempSync(join(tmpdir(), "orgkit-conformance-"));
      const filename = join(dir, "orgkit.db");
      const storage = sqliteAdapter({ filename });
      await storage.migrate();
      files.set(storage, { dir, filename });
      return storage;
    },
    async connectAnother(storage) {
      return sqliteAdapter({ filename: files.get(storage)!.filename });
    },
    async destroy(storage) {
      await storage.close();
      rmSync(files.get(storage)!.dir, { recursive: true, force: true });
    },
    async execute(storage, statement) {
      const database = new BetterSqlite3(files.get(storage)!.filename);
      try {
        database.exec(statement);
      } finally {
        database.close();
      }
    },
    async dump(storage) {
      const database = new BetterSqlite3(files.get(storage)!.filename, { readonly: true });
      try {
        const tables = database
          .prepare(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
          )
          .all() as { name: string }[];
        const out: Record<string, unknown[]> = {};
        for (const { name } of tables) {
          if (BOOKKEEPING.test(name)) continue;
          out[name] = sortRows(
            database.prepare(`select * from "${name}"`).all() as Record<string, unknown>[],
          );
        }
        return out;
      } finally {
        database.close();
      }
    },
  };
}

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops a test schema holding the migration lock, so that no concurrent migration reads it half-gone. */
export function dropSchema(schema: string): Promise<void> {
  return withClient(async (client) => {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    try {
      await client.query(`drop schema if exists ${schema} cascade`);
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]);
    }
  });
}

/** Postgres: one schema per storage, dropped by `destroy`; concurrency through separate pools. */
export function postgresHarness(): ConformanceHarness {
  const schemas = new WeakMap<Storage, string>();
  return {
    name: "postgres",
    async create() {
      const schema = `orgkit_t_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
      const storage = postgresAdapter({ connectionString: PG_URL, schema, max: 4 });
      await storage.migrate();
      schemas.set(storage, schema);
      return storage;
    },
    async connectAnother(storage) {
      return postgresAdapter({ connectionString: PG_URL, schema: schemas.get(storage)!, max: 4 });
    },
    async destroy(storage) {
      await storage.close();
      await dropSchema(schemas.get(storage)!);
    },
    execute: (storage, statement) =>
      withClient(async (client) => {
        await client.query(`set search_path to ${schemas.get(storage)!}`);
        await client.query(statement);
      }),
    dump: (storage) =>
      withClient(async (client) => {
        const schema = schemas.get(storage)!;
        const tables = await client.query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = $1 order by table_name",
          [schema],
        );
        const out: Record<string, unknown[]> = {};
        for (const { table_name: name } of tables.rows) {
          if (BOOKKEEPING.test(name)) continue;
          const rows = await client.query(`select * from ${schema}."${name}"`);
          out[name] = sortRows(rows.rows);
        }
        return out;
      }),
  };
}
