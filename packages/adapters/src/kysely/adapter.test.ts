/**
 * The adapter-specific half of the storage tests, on real engines: migrations, the mapping of
 * unique indexes to logical constraints, transactions, conditional writes under concurrency and
 * cascades. Behaviour common to every adapter is `@orgkit/core/testing`'s conformance suite.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  isUniqueViolation,
  type NewInvitation,
  type NewOrganization,
  type NewUser,
  type Storage,
  type UniqueConstraint,
} from "@orgkit/core";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAdapter } from "../postgres/index.js";
import { sqliteAdapter } from "../sqlite/index.js";
import { dropSchema } from "../testing/harnesses.js";

const PG_URL = process.env.ORGKIT_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

interface Engine {
  readonly name: string;
  /** Opens another adapter on the same database (a second process, in effect). */
  open(): Storage;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** True when the database file or schema exists after `migrate()`. */
  exists(): Promise<boolean>;
  /** Opens an adapter on a connection the host made (and must close), with the driver's defaults. */
  openHosted(): { storage: Storage; closeHost(): Promise<void> };
}

function sqliteEngine(): Engine {
  const dir = mkdtempSync(join(tmpdir(), "orgkit-adapters-"));
  // A directory that does not exist yet: the adapter creates it.
  const filename = join(dir, "nested", "orgkit.db");
  return {
    name: "sqlite",
    open: () => sqliteAdapter({ filename }),
    async setUp() {},
    async tearDown() {
      rmSync(dir, { recursive: true, force: true });
    },
    exists: async () => existsSync(filename),
    openHosted() {
      const database = new BetterSqlite3(filename);
      return {
        storage: sqliteAdapter({ database }),
        closeHost: async () => {
          expect(database.open).toBe(true);
          database.close();
        },
      };
    },
  };
}

function postgresEngine(): Engine {
  const schema = `orgkit_t_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: "postgres",
    open: () => postgresAdapter({ connectionString: PG_URL, schema, max: 12 }),
    // Connecting first makes an unreachable server fail the suite instead of skipping it.
    setUp: () => admin(async (client) => void (await client.query("select 1"))),
    tearDown: () => dropSchema(schema),
    exists: () =>
      admin(async (client) => {
        const { rowCount } = await client.query("select 1 from pg_namespace where nspname = $1", [schema]);
        return rowCount === 1;
      }),
    openHosted() {
      // pg's defaults: int8 comes back as a string.
      const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` });
      return {
        storage: postgresAdapter({ pool }),
        closeHost: async () => {
          expect((await pool.query("select 1 as one")).rows[0]).toEqual({ one: 1 });
          await pool.end();
        },
      };
    },
  };
}

const T0 = new Date("2030-01-01T00:00:00.000Z");
const later = (ms: number) => new Date(T0.getTime() + ms);

function newUser(name: string, overrides: Partial<NewUser> = {}): NewUser {
  return {
    key: randomUUID(),
    id: `${name}-${randomUUID().slice(0, 8)}`,
    email: `${name}-${randomUUID().slice(0, 8)}@example.com`,
    name,
    passwordHash: null,
    emailVerified: false,
    at: T0,
    ...overrides,
  };
}

function newOrganization(name: string, overrides: Partial<NewOrganization> = {}): NewOrganization {
  const suffix = randomUUID().slice(0, 8);
  return {
    key: randomUUID(),
    id: `${name}-${suffix}`,
    name: `${name} ${suffix}`,
    nameKey: `${name} ${suffix}`.toLowerCase(),
    billingEmail: "billing@example.com",
    website: null,
    logoUrl: null,
    description: null,
    at: T0,
    ...overrides,
  };
}

function newInvitation(organizationKey: string, overrides: Partial<NewInvitation> = {}): NewInvitation {
  return {
    key: randomUUID(),
    organizationKey,
    email: `guest-${randomUUID().slice(0, 8)}@example.com`,
    role: "org_contributor",
    teamIds: ["team-a"],
    tokenHash: randomUUID(),
    inviterUserKey: null,
    expiresAt: later(7 * 86_400_000),
    at: T0,
    ...overrides,
  };
}

async function expectUnique(work: Promise<unknown>, constraint: UniqueConstraint): Promise<void> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected a ${constraint} violation`).not.toBeNull();
  expect(isUniqueViolation(error, constraint), String(error)).toBe(true);
}

for (const make of [sqliteEngine, postgresEngine]) {
  const engine = make();

  describe(`given the ${engine.name} adapter`, () => {
    let storage: Storage;

    beforeAll(async () => {
      await engine.setUp();
      storage = engine.open();
      await storage.migrate();
    });

    afterAll(async () => {
      await storage?.close();
      await engine.tearDown();
    });

    describe("when migrate runs again", () => {
      it("changes nothing and keeps the data", async () => {
        const user = newUser("ada");
        await storage.users.insert(user);
        await storage.migrate();
        await storage.migrate();
        expect(await engine.exists()).toBe(true);
        expect((await storage.users.getByKey(user.key))?.email).toBe(user.email);
      });
    });

    describe("when a write hits a unique index", () => {
      it("maps an id taken by a user or an organization to account_id", async () => {
        const user = await storage.users.insert(newUser("bob"));
        await expectUnique(storage.organizations.insert(newOrganization("x", { id: user.id })), "account_id");
        const org = await storage.organizations.insert(newOrganization("acme"));
        await expectUnique(storage.users.insert(newUser("carl", { id: org.id })), "account_id");
        await expectUnique(storage.organizations.insert(newOrganization("y", { id: org.id })), "account_id");
      });

      it("maps a taken email to user_email", async () => {
        const user = await storage.users.insert(newUser("dora"));
        await expectUnique(storage.users.insert(newUser("dora", { email: user.email })), "user_email");
      });

      it("maps a taken organization name to organization_name, on insert and on update", async () => {
        const first = newOrganization("globex");
        await storage.organizations.insert(first);
        const second = newOrganization("initech");
        await expectUnique(
          storage.organizations.insert({ ...second, nameKey: first.nameKey }),
          "organization_name",
        );
        // The failed insert claimed nothing: its id is still free.
        await storage.users.insert(newUser("erin", { id: second.id }));
        const third = await storage.organizations.insert(newOrganization("umbrella"));
        await expectUnique(
          storage.organizations.update(third.key, { name: "Globex", nameKey: first.nameKey }, later(1)),
          "organization_name",
        );
      });

      it("maps a second membership of the same user to membership", async () => {
        const org = await storage.organizations.insert(newOrganization("hooli"));
        const user = await storage.users.insert(newUser("fay"));
        const membership = {
          organizationKey: org.key,
          userKey: user.key,
          role: "admin" as const,
          name: user.name,
          email: user.email,
          at: T0,
        };
        await storage.members.insert(membership);
        await expectUnique(storage.members.insert({ ...membership, role: "org_contributor" }), "membership");
      });

      it("allows one pending invitation per email, and another once it is no longer pending", async () => {
        const org = await storage.organizations.insert(newOrganization("stark"));
        const first = await storage.invitations.insert(newInvitation(org.key, { email: "gus@example.com" }));
        await expectUnique(
          storage.invitations.insert(newInvitation(org.key, { email: "gus@example.com" })),
          "pending_invitation",
        );
        // Another organization may invite the same person.
        const other = await storage.organizations.insert(newOrganization("wayne"));
        await storage.invitations.insert(newInvitation(other.key, { email: "gus@example.com" }));

        expect(await storage.invitations.transition(first.key, { to: "revoked", at: later(1) })).toBe(true);
        const second = await storage.invitations.insert(newInvitation(org.key, { email: "gus@example.com" }));
        expect((await storage.invitations.get(org.key, second.key))?.status).toBe("pending");
      });

      it("maps a duplicate token hash to invitation_token, on insert and on rotation", async () => {
        const org = await storage.organizations.insert(newOrganization("tyrell"));
        const first = await storage.invitations.insert(newInvitation(org.key));
        await expectUnique(
          storage.invitations.insert(newInvitation(org.key, { tokenHash: first.tokenHash })),
          "invitation_token",
        );
        const second = await storage.invitations.insert(newInvitation(org.key));
        await expectUnique(
          storage.invitations.rotateToken(second.key, first.tokenHash, later(10), later(1)),
          "invitation_token",
        );
      });
    });

    describe("when a transaction throws", () => {
      it("rolls back every write it made", async () => {
        const user = newUser("hal");
        const org = newOrganization("soylent");
        const failure = new Error("boom");
        await expect(
          storage.transaction(async (tx) => {
            await tx.users.insert(user);
            await tx.organizations.insert(org);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await storage.users.getByKey(user.key)).toBeNull();
        expect(await storage.organizations.getById(org.id)).toBeNull();
        // The account ids were released with the rest.
        await storage.users.insert({ ...user, key: randomUUID(), id: org.id });
      });

      it("rolls back when the error is a unique violation, and reports it as one", async () => {
        const taken = await storage.users.insert(newUser("ivy"));
        const user = newUser("jay");
        await expectUnique(
          storage.transaction(async (tx) => {
            await tx.users.insert(user);
            await tx.users.insert(newUser("kim", { email: taken.email }));
          }),
          "user_email",
        );
        expect(await storage.users.getByKey(user.key)).toBeNull();
      });
    });

    describe("when a second adapter on the same database writes outside a transaction", () => {
      it("waits for the first one's transaction without stalling or failing", async () => {
        const second = engine.open();
        try {
          let inside!: () => void;
          const entered = new Promise<void>((resolve) => {
            inside = resolve;
          });
          const started = Date.now();
          const holder = storage.transaction(async (tx) => {
            await tx.rateLimits.hit("held", 1);
            inside();
            // Yield to the event loop while holding the write lock.
            await new Promise((resolve) => setTimeout(resolve, 50));
            return tx.rateLimits.hit("held", 1);
          });
          await entered;
          const outside = second.rateLimits.hit("held", 1);
          expect(await holder).toBe(2);
          expect(await outside).toBe(3);
          expect(Date.now() - started).toBeLessThan(2000);
        } finally {
          await second.close();
        }
      });
    });

    describe("given a pending invitation", () => {
      describe("when 20 callers accept it at once", () => {
        it("lets exactly one of them win", async () => {
          const org = await storage.organizations.insert(newOrganization("cyberdyne"));
          const invitation = await storage.invitations.insert(newInvitation(org.key));
          const users = await Promise.all(
            Array.from({ length: 20 }, (_, i) => storage.users.insert(newUser(`racer${i}`))),
          );
          // A second adapter on the same database: on SQLite another connection to the file,
          // serialized by BEGIN IMMEDIATE and busy_timeout; on Postgres, another pool.
          const second = engine.open();
          try {
            const results = await Promise.all(
              users.map((user, i) =>
                (i % 2 === 0 ? storage : second).transaction(async (tx) => {
                  const won = await tx.invitations.transition(invitation.key, {
                    to: "accepted",
                    at: later(1000),
                    acceptedUserKey: user.key,
                  });
                  if (won) {
                    await tx.members.insert({
                      organizationKey: org.key,
                      userKey: user.key,
                      role: "admin",
                      name: user.name,
                      email: user.email,
                      at: later(1000),
                    });
                  }
                  return won;
                }),
              ),
            );
            expect(results.filter(Boolean)).toHaveLength(1);
            const winner = users[results.indexOf(true)]!;
            const stored = await storage.invitations.get(org.key, invitation.key);
            expect(stored?.status).toBe("accepted");
            expect(stored?.acceptedUserKey).toBe(winner.key);
            expect(stored?.respondedAt).toEqual(later(1000));
            expect(await storage.members.count(org.key)).toBe(1);
          } finally {
            await second.close();
          }
        });
      });

      it("refuses every transition but expiry once it has expired", async () => {
        const org = await storage.organizations.insert(newOrganization("oscorp"));
        const invitation = await storage.invitations.insert(
          newInvitation(org.key, { expiresAt: later(100) }),
        );
        expect(await storage.invitations.transition(invitation.key, { to: "accepted", at: later(100) })).toBe(
          false,
        );
        expect(await storage.invitations.transition(invitation.key, { to: "expired", at: later(100) })).toBe(
          true,
        );
        expect(
          await storage.invitations.rotateToken(invitation.key, randomUUID(), later(500), later(200)),
        ).toBe(false);
      });
    });

    describe("when reading numbers and times", () => {
      it("returns versions and counts as numbers and times as exact Dates", async () => {
        const org = await storage.organizations.insert(newOrganization("massive"));
        expect((await storage.organizations.lock(org.key))?.version).toBe(2);
        expect((await storage.organizations.lock(org.key))?.version).toBe(3);
        const stored = await storage.organizations.getByKey(org.key);
        expect(stored?.version).toBe(3);
        expect(stored?.createdAt).toEqual(T0);
        expect(await storage.members.count(org.key)).toBe(0);
        expect(await storage.organizations.lock("no-such-key")).toBeNull();
      });

      it("reads the same through a connection the host made, and leaves it open on close", async () => {
        expect(pg.types.getTypeParser(20)("5")).toBe("5");
        const org = await storage.organizations.insert(newOrganization("vandelay"));
        await storage.organizations.lock(org.key);
        const hosted = engine.openHosted();
        try {
          const stored = await hosted.storage.organizations.getByKey(org.key);
          expect(stored?.version).toBe(2);
          expect(stored?.createdAt).toEqual(T0);
          expect((await hosted.storage.organizations.lock(org.key))?.version).toBe(3);
          await hosted.storage.close();
        } finally {
          await hosted.closeHost();
        }
      });
    });

    describe("given an organization with members and an invitation", () => {
      describe("when it is deleted", () => {
        it("cascades, frees its account id and gives back every member's slot", async () => {
          const org = await storage.organizations.insert(newOrganization("initrode"));
          const members = await Promise.all([
            storage.users.insert(newUser("liz")),
            storage.users.insert(newUser("max")),
          ]);
          for (const user of members) {
            expect(await storage.users.reserveOrganizationSlot(user.key, 1)).toBe(true);
            await storage.members.insert({
              organizationKey: org.key,
              userKey: user.key,
              role: "admin",
              name: user.name,
              email: user.email,
              at: T0,
            });
          }
          expect(await storage.users.reserveOrganizationSlot(members[0]!.key, 1)).toBe(false);
          const invitation = await storage.invitations.insert(newInvitation(org.key));

          expect(await storage.transaction((tx) => tx.organizations.delete(org.key))).toBe(true);

          expect(await storage.organizations.getByKey(org.key)).toBeNull();
          expect(await storage.members.count(org.key)).toBe(0);
          expect(await storage.members.get(org.key, members[0]!.key)).toBeNull();
          expect(await storage.invitations.getByTokenHash(invitation.tokenHash)).toBeNull();
          expect(await storage.organizations.listForUser(members[0]!.key)).toEqual([]);
          for (const user of members) {
            expect(await storage.users.reserveOrganizationSlot(user.key, 1)).toBe(true);
          }
          await storage.users.insert(newUser("ned", { id: org.id }));
          expect(await storage.transaction((tx) => tx.organizations.delete(org.key))).toBe(false);
        });
      });
    });

    describe("when listing members", () => {
      it("walks pages in order and matches search wildcards literally", async () => {
        const org = await storage.organizations.insert(newOrganization("pages"));
        const names = ["Zoë", "ann lee", "Anna", "b_c", "b%c", "bxc", "Émile"];
        for (const [i, name] of names.entries()) {
          const user = await storage.users.insert(newUser(name));
          await storage.members.insert({
            organizationKey: org.key,
            userKey: user.key,
            role: "admin",
            name: user.name,
            email: user.email,
            at: later(i),
          });
        }
        const seen: string[] = [];
        let after: { value: string | number; userKey: string } | undefined;
        for (;;) {
          const page = await storage.members.list(org.key, {
            sort: "name",
            direction: "asc",
            limit: 3,
            after,
          });
          if (page.length === 0) break;
          seen.push(...page.map((row) => row.name));
          const last = page.at(-1)!;
          after = { value: last.name.normalize("NFC").toLowerCase(), userKey: last.userKey };
        }
        const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
        expect(seen).toEqual(
          [...names].sort((a, b) =>
            byCodePoint(a.normalize("NFC").toLowerCase(), b.normalize("NFC").toLowerCase()),
          ),
        );

        const joined = await storage.members.list(org.key, {
          sort: "joinedAt",
          direction: "desc",
          limit: 2,
          after: { value: later(5).getTime(), userKey: "~" },
        });
        expect(joined.map((row) => row.name)).toEqual(["bxc", "b%c"]);

        const search = async (term: string) =>
          (
            await storage.members.list(org.key, { sort: "name", direction: "asc", limit: 50, search: term })
          ).map((row) => row.name);
        expect(await search("b_c")).toEqual(["b_c"]);
        expect(await search("b%c")).toEqual(["b%c"]);
        expect(await search("ann")).toEqual(["ann lee", "Anna"]);
      });
    });

    describe("when audit events and outbox messages are written in the same millisecond", () => {
      it("reads them back oldest first, in the order they were written", async () => {
        const actions = ["A", "B", "C", "D"];
        for (const action of actions) {
          await storage.audit.append({
            organizationId: null,
            actor: { type: "system", id: null },
            action,
            targetType: "thing",
            targetId: "t1",
            before: null,
            after: { n: 1 },
            ip: null,
            outcome: "success",
            at: T0,
          });
        }
        const events = await storage.audit.listForOrganization(null, 100);
        expect(events.map((event) => event.action)).toEqual(actions);
        expect(events[0]?.after).toEqual({ n: 1 });

        const ids = ["m3", "m1", "m2"].map((id) => `${id}-${randomUUID()}`);
        for (const id of ids) {
          await storage.outbox.enqueue({
            id,
            template: "t",
            to: "a@b.c",
            subject: "s",
            text: "x",
            data: { k: 1 },
            at: T0,
          });
        }
        await storage.outbox.markSent(ids[0]!, later(1));
        const sent = await storage.outbox.get(ids[0]!);
        expect(sent).toMatchObject({ status: "sent", text: null, data: null, sentAt: later(1) });
        const pending = await storage.outbox.list({ status: "pending", limit: 10 });
        expect(pending.map((message) => message.id)).toEqual(ids.slice(1));
        expect(
          (await storage.outbox.list({ status: "pending", limit: 10, after: ids[1] })).map((m) => m.id),
        ).toEqual(ids.slice(2));
      });
    });
  });
}
