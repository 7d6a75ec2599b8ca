/**
 * The two engines the benchmark runs on, each with a bulk loader for the large fixtures (the
 * 100,000-member organization) that would take minutes through the services one by one.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATION_LOCK_ID, postgresAdapter } from "@orgkit/adapters/postgres";
import { sqliteAdapter } from "@orgkit/adapters/sqlite";
import { memberSearchText, memberSortName, type Storage } from "@orgkit/core";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";

/** A member row for the bulk loader. */
export interface SeedMember {
  readonly key: string;
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: string;
  readonly at: number;
}

/** An engine under benchmark. */
export interface BenchEngine {
  readonly name: string;
  readonly storage: Storage;
  /** Inserts users with their accounts and memberships of `organizationKey`, in bulk. */
  seedMembers(organizationKey: string, members: readonly SeedMember[]): Promise<void>;
  /** Inserts raw rows into a table in one transaction, bypassing orgkit (bulk fixtures: audit chains). */
  insertRows(table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void>;
  /** Runs one raw SQL statement (no parameters), bypassing orgkit. */
  exec(statement: string): Promise<void>;
  /** Closes everything and deletes the database. */
  dispose(): Promise<void>;
  /** Refreshes the planner's statistics after fixtures went in through the storage port. */
  analyze(): Promise<void>;
}

/** SQLite on a temporary file (WAL), as a host would run it. */
export async function sqliteEngine(): Promise<BenchEngine> {
  const dir = mkdtempSync(join(tmpdir(), "orgkit-bench-"));
  const filename = join(dir, "bench.db");
  const storage = sqliteAdapter({ filename });
  await storage.migrate();
  return {
    name: "sqlite",
    storage,
    async seedMembers(organizationKey, members) {
      const db = new BetterSqlite3(filename);
      db.pragma("busy_timeout = 5000");
      const account = db.prepare("insert into accounts (id, kind) values (?, 'user')");
      const user = db.prepare(
        `insert into users (key, id, email, name, password_hash, email_verified, organization_count, created_at, updated_at)
         values (?, ?, ?, ?, null, 1, 1, ?, ?)`,
      );
      const membership = db.prepare(
        `insert into memberships (organization_key, user_key, role, sort_name, email, search, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      db.transaction(() => {
        for (const m of members) {
          account.run(m.id);
          user.run(m.key, m.id, m.email, m.name, m.at, m.at);
          membership.run(
            organizationKey,
            m.key,
            m.role,
            memberSortName(m.name),
            m.email,
            memberSearchText(m.name, m.email),
            m.at,
            m.at,
          );
        }
      })();
      db.exec("analyze");
      db.close();
    },
    async insertRows(table, columns, rows) {
      const db = new BetterSqlite3(filename);
      db.pragma("busy_timeout = 5000");
      const insert = db.prepare(
        `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
      );
      db.transaction(() => {
        for (const row of rows) insert.run(...row);
      })();
      db.close();
    },
    async exec(statement) {
      const db = new BetterSqlite3(filename);
      db.pragma("busy_timeout = 5000");
      db.exec(statement);
      db.close();
    },
    async analyze() {
      const db = new BetterSqlite3(filename);
      db.pragma("busy_timeout = 5000");
      db.exec("analyze");
      db.close();
    },
    async dispose() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Postgres in a schema of its own, dropped at the end. */
export async function postgresEngine(url: string): Promise<BenchEngine> {
  const schema = `orgkit_bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const storage = postgresAdapter({ connectionString: url, schema, max: 4 });
  await storage.migrate();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`set search_path to ${schema}`);
  return {
    name: "postgres",
    storage,
    async seedMembers(organizationKey, members) {
      const batch = 10_000;
      await client.query("begin");
      for (let i = 0; i < members.length; i += batch) {
        const slice = members.slice(i, i + batch);
        const col = <T>(f: (m: SeedMember) => T) => slice.map(f);
        await client.query("insert into accounts (id, kind) select unnest($1::text[]), 'user'", [
          col((m) => m.id),
        ]);
        await client.query(
          `insert into users (key, id, email, name, password_hash, email_verified, organization_count, created_at, updated_at)
           select k, i, e, n, null, 1, 1, a, a from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) as t(k, i, e, n, a)`,
          [col((m) => m.key), col((m) => m.id), col((m) => m.email), col((m) => m.name), col((m) => m.at)],
        );
        await client.query(
          `insert into memberships (organization_key, user_key, role, sort_name, email, search, created_at, updated_at)
           select $1, k, r, s, e, q, a, a from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[]) as t(k, r, s, e, q, a)`,
          [
            organizationKey,
            col((m) => m.key),
            col((m) => m.role),
            col((m) => memberSortName(m.name)),
            col((m) => m.email),
            col((m) => memberSearchText(m.name, m.email)),
            col((m) => m.at),
          ],
        );
      }
      await client.query("commit");
      await client.query("analyze");
    },
    async insertRows(table, columns, rows) {
      const per = Math.floor(60_000 / columns.length);
      await client.query("begin");
      for (let i = 0; i < rows.length; i += per) {
        const slice = rows.slice(i, i + per);
        const values = slice
          .map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`)
          .join(", ");
        await client.query(`insert into ${table} (${columns.join(", ")}) values ${values}`, slice.flat());
      }
      await client.query("commit");
      await client.query(`analyze ${table}`);
    },
    async exec(statement) {
      await client.query(statement);
    },
    async analyze() {
      await client.query("analyze");
    },
    async dispose() {
      await storage.close();
      // Under orgkit's migration lock: a concurrent migration must not read a half-dropped schema.
      await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]);
      await client.end();
    },
  };
}
