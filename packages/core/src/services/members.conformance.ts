import { describe, expect, it } from "vitest";
import type { OrganizationRole } from "../authz/scopes.js";
import { OrgKitError } from "../errors.js";
import type { Member } from "../schemas/member.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  type World,
} from "../testing/harness.js";

const PEOPLE: [string, OrganizationRole][] = [
  ["Dana Scully", "org_user"],
  ["Fox Mulder", "org_contributor"],
  ["Walter Skinner", "admin"],
  ["Monica Reyes", "team_contributor"],
  ["John Doggett", "org_user"],
  ["Alex Krycek", "financial_manager"],
];

/** An organization `xfiles` administered by Alice with the six {@link PEOPLE}, joined a second apart. */
async function xfiles(w: World) {
  const alice = await w.user("Alice");
  await w.organization(alice, "xfiles", "X-Files");
  const users = [];
  for (const [name, role] of PEOPLE) {
    w.clock.advance(1000);
    const user = await w.orgkit.users.register({
      email: `${name.split(" ")[1]!.toLowerCase()}@fbi.test`,
      name,
    });
    await w.join("xfiles", alice, user, role);
    users.push(user);
  }
  return { alice, users, asAlice: w.orgkit.as({ userId: alice.id }) };
}

async function all(list: (cursor?: string) => Promise<{ items: Member[]; nextCursor: string | null }>) {
  const seen: Member[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await list(cursor);
    seen.push(...page.items);
    if (page.nextCursor === null) return seen;
    cursor = page.nextCursor;
  }
  throw new Error("pagination did not end");
}

/** Conformance: members. */
export function membersConformance(harness: ConformanceHarness): void {
  describe("members", () => {
    describe("when an admin lists them", () => {
      it("sorts by name, email or join date in either direction", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await xfiles(w);
        const names = (page: { items: Member[] }) => page.items.map((m) => m.name);
        const byName = [
          "Alex Krycek",
          "Alice",
          "Dana Scully",
          "Fox Mulder",
          "John Doggett",
          "Monica Reyes",
          "Walter Skinner",
        ];
        expect(names(await asAlice.members.list("xfiles"))).toEqual(byName);
        expect(names(await asAlice.members.list("xfiles", { direction: "desc" }))).toEqual(
          [...byName].reverse(),
        );
        expect((await asAlice.members.list("xfiles", { sort: "email" })).items.map((m) => m.email)).toEqual([
          "alice@example.test",
          "doggett@fbi.test",
          "krycek@fbi.test",
          "mulder@fbi.test",
          "reyes@fbi.test",
          "scully@fbi.test",
          "skinner@fbi.test",
        ]);
        expect(names(await asAlice.members.list("xfiles", { sort: "joinedAt", direction: "desc" }))).toEqual([
          ...PEOPLE.map(([name]) => name).reverse(),
          "Alice",
        ]);
      });

      it("searches name and email case-insensitively, and filters by role", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await xfiles(w);
        const names = async (query: object) =>
          (await asAlice.members.list("xfiles", query)).items.map((m) => m.name);
        expect(await names({ search: "MUL" })).toEqual(["Fox Mulder"]);
        expect(await names({ search: "fbi.test" })).toHaveLength(6);
        expect(await names({ search: "a s" })).toEqual(["Dana Scully"]);
        expect(await names({ search: "100%_\\" })).toEqual([]);
        expect(await names({ role: "org_user" })).toEqual(["Dana Scully", "John Doggett"]);
        expect(await names({ role: "admin", search: "walter" })).toEqual(["Walter Skinner"]);
      });

      it("pages with a keyset cursor through every member exactly once, in every order", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await xfiles(w);
        for (const sort of ["name", "email", "joinedAt"] as const) {
          for (const direction of ["asc", "desc"] as const) {
            const whole = (await asAlice.members.list("xfiles", { sort, direction, limit: 100 })).items;
            const paged = await all((cursor) =>
              asAlice.members.list("xfiles", { sort, direction, limit: 2, ...(cursor ? { cursor } : {}) }),
            );
            expect(paged.map((m) => m.userId)).toEqual(whole.map((m) => m.userId));
            expect(whole).toHaveLength(7);
          }
        }
      });

      it("clamps the limit instead of refusing it", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await xfiles(w);
        expect((await asAlice.members.list("xfiles", { limit: 0 })).items).toHaveLength(1);
        expect((await asAlice.members.list("xfiles", { limit: 10_000 })).items).toHaveLength(7);
        await expectOrgKitError(asAlice.members.list("xfiles", { limit: 1.5 }), "VALIDATION_FAILED", "limit");
      });

      it("refuses a tampered cursor, one from another query and one from another organization", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await xfiles(w);
        const page = await asAlice.members.list("xfiles", { limit: 2 });
        const cursor = page.nextCursor!;
        await expectOrgKitError(
          asAlice.members.list("xfiles", { cursor: `${cursor}x` }),
          "INVALID_CURSOR",
          "cursor",
        );
        await expectOrgKitError(
          asAlice.members.list("xfiles", { cursor: "bm9wZQ" }),
          "INVALID_CURSOR",
          "cursor",
        );
        await expectOrgKitError(
          asAlice.members.list("xfiles", { cursor, sort: "email" }),
          "INVALID_CURSOR",
          "cursor",
        );
        const bob = await w.user("Bob");
        await w.organization(bob, "other");
        const asBob = w.orgkit.as({ userId: bob.id });
        await expectOrgKitError(asBob.members.list("other", { cursor }), "INVALID_CURSOR", "cursor");
      });

      it("shows members to every role but not to outsiders", async () => {
        const w = await createWorld(harness);
        const { users } = await xfiles(w);
        for (const user of users) {
          expect((await w.orgkit.as({ userId: user.id }).members.list("xfiles")).items).toHaveLength(7);
        }
        const eve = await w.user("Eve");
        await expectOrgKitError(w.orgkit.as({ userId: eve.id }).members.list("xfiles"), "NOT_FOUND");
      });
    });

    describe("when an admin reassigns a role", () => {
      it("changes it, audits before and after, and the member's permissions follow at once", async () => {
        const w = await createWorld(harness);
        const { asAlice, users } = await xfiles(w);
        const scully = users[0]!;
        const asScully = w.orgkit.as({ userId: scully.id });
        expect((await asScully.access.check("xfiles", "members:invite")).allowed).toBe(false);
        const member = await asAlice.members.updateRole("xfiles", scully.id, "admin");
        expect(member).toMatchObject({ userId: scully.id, role: "admin" });
        expect((await asScully.access.check("xfiles", "members:invite")).allowed).toBe(true);
        const last = (await w.storage.audit.listForOrganization("xfiles", 100)).at(-1);
        expect(last).toMatchObject({
          action: "ORGANIZATION_MEMBER_CHANGE",
          targetId: scully.id,
          before: { role: "org_user" },
          after: { role: "admin" },
        });
        expect(await asAlice.members.get("xfiles", scully.id)).toMatchObject({ role: "admin" });
      });

      it("refuses non-admins, unknown roles, non-members and demoting the last admin, writing nothing", async () => {
        const w = await createWorld(harness);
        const { alice, asAlice, users } = await xfiles(w);
        const [scully, mulder, skinner] = users as [typeof alice, typeof alice, typeof alice];
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: mulder.id }).members.updateRole("xfiles", scully.id, "admin"),
          "FORBIDDEN",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.members.updateRole("xfiles", scully.id, "owner" as never),
          "VALIDATION_FAILED",
          "role",
        );
        const eve = await w.user("Eve");
        await expectFailsCleanly(
          w,
          () => asAlice.members.updateRole("xfiles", eve.id, "admin"),
          "NOT_FOUND",
          "userId",
        );
        await asAlice.members.updateRole("xfiles", skinner.id, "org_user");
        await expectFailsCleanly(
          w,
          () => asAlice.members.updateRole("xfiles", alice.id, "org_user"),
          "LAST_ADMIN",
        );
      });

      it("leaves exactly one admin when two admins demote each other at the same moment", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const bob = await w.user("Bob");
        await w.organization(alice, "acme");
        await w.join("acme", alice, bob, "admin");
        const other = await w.another();
        for (let round = 0; round < 3; round++) {
          const results = await Promise.allSettled([
            w.orgkit.as({ userId: alice.id }).members.updateRole("acme", bob.id, "org_user"),
            other.as({ userId: bob.id }).members.updateRole("acme", alice.id, "org_user"),
          ]);
          const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
          expect(rejected).toHaveLength(1);
          expect(rejected[0]!.reason).toBeInstanceOf(OrgKitError);
          expect(["LAST_ADMIN", "FORBIDDEN"]).toContain(rejected[0]!.reason.code);
          const admins = await w.orgkit.system().members.list("acme", { role: "admin" });
          expect(admins.items).toHaveLength(1);
          // Restore two admins for the next round.
          const remaining = admins.items[0]!.userId;
          await w.orgkit
            .as({ userId: remaining })
            .members.updateRole("acme", remaining === alice.id ? bob.id : alice.id, "admin");
        }
      });
    });

    describe("when an admin removes a member", () => {
      it("removes them, audits it, frees their slot, and cuts their access on the next call", async () => {
        const w = await createWorld(harness);
        const { asAlice, users } = await xfiles(w);
        const mulder = users[1]!;
        const asMulder = w.orgkit.as({ userId: mulder.id });
        expect((await asMulder.members.list("xfiles")).items).toHaveLength(7);
        await asAlice.members.remove("xfiles", mulder.id);
        await expectOrgKitError(asMulder.members.list("xfiles"), "NOT_FOUND");
        await expectOrgKitError(asMulder.access.check("xfiles", "members:get"), "NOT_FOUND");
        expect((await asAlice.members.list("xfiles")).items.map((m) => m.userId)).not.toContain(mulder.id);
        expect((await w.storage.audit.listForOrganization("xfiles", 100)).at(-1)).toMatchObject({
          action: "ORGANIZATION_MEMBER_REMOVE",
          targetId: mulder.id,
          before: { role: "org_contributor" },
        });
        await w.organization(mulder, "lone-gunmen");
      });

      it("refuses non-admins, strangers and the last admin, writing nothing", async () => {
        const w = await createWorld(harness);
        const { alice, asAlice, users } = await xfiles(w);
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: users[1]!.id }).members.remove("xfiles", users[0]!.id),
          "FORBIDDEN",
        );
        await expectFailsCleanly(w, () => asAlice.members.remove("xfiles", "nobody"), "NOT_FOUND", "userId");
        await asAlice.members.remove("xfiles", users[2]!.id);
        await expectFailsCleanly(w, () => asAlice.members.remove("xfiles", alice.id), "LAST_ADMIN");
      });
    });
  });
}
