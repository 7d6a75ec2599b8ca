import { describe, expect, it } from "vitest";
import { OrgKitError } from "../errors.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
} from "../testing/harness.js";

/** Conformance: organizations. */
export function organizationsConformance(harness: ConformanceHarness): void {
  describe("organizations", () => {
    describe("when a user creates one", () => {
      it("makes the creator its admin, lists it for them, and audits both steps", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const asAlice = w.orgkit.as({ userId: alice.id, ip: "203.0.113.7" });
        const org = await asAlice.organizations.create({
          id: "test-org",
          name: "Test Org",
          billingEmail: " Test-Org@Example.com ",
        });
        expect(org).toMatchObject({ id: "test-org", name: "Test Org", billingEmail: "test-org@example.com" });
        expect(await asAlice.organizations.list()).toEqual([{ ...org, role: "admin" }]);
        expect(await asAlice.organizations.get("test-org")).toEqual(org);
        const events = await w.storage.audit.listForOrganization("test-org", 10);
        expect(events.map((e) => [e.action, e.actor.id, e.ip])).toEqual([
          ["ORGANIZATION_CREATE", alice.id, "203.0.113.7"],
          ["ORGANIZATION_MEMBER_ADD", alice.id, "203.0.113.7"],
        ]);
      });

      it("refuses a name taken by another organization, whatever its case and spacing", async () => {
        const w = await createWorld(harness);
        await w.organization(await w.user("Alice"), "acme", "Acme Corp");
        const bob = await w.user("Bob");
        await expectFailsCleanly(
          w,
          () =>
            w.orgkit
              .as({ userId: bob.id })
              .organizations.create({ id: "acme-2", name: "  ACME   corp ", billingEmail: "b@example.test" }),
          "CONFLICT",
          "name",
        );
      });

      it("refuses an id taken by a user or an organization", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const bob = await w.user("Bob");
        await w.organization(alice, "acme");
        const asBob = w.orgkit.as({ userId: bob.id });
        await expectFailsCleanly(
          w,
          () => asBob.organizations.create({ id: "acme", name: "Other", billingEmail: "b@example.test" }),
          "CONFLICT",
          "id",
        );
        await expectFailsCleanly(
          w,
          () => asBob.organizations.create({ id: alice.id, name: "Other", billingEmail: "b@example.test" }),
          "CONFLICT",
          "id",
        );
      });

      it.each([
        [{ id: "Acme", name: "A", billingEmail: "a@example.test" }, "id"],
        [{ id: "a", name: "A", billingEmail: "a@example.test" }, "id"],
        [{ id: "acme/x", name: "A", billingEmail: "a@example.test" }, "id"],
        [{ id: "sessions", name: "A", billingEmail: "a@example.test" }, "id"],
        [{ id: "acme", name: "", billingEmail: "a@example.test" }, "name"],
        [{ id: "acme", name: "A", billingEmail: "billing" }, "billingEmail"],
        [
          { id: "acme", name: "A", billingEmail: "a@example.test", website: "javascript:alert(1)" },
          "website",
        ],
        [{ id: "acme", name: "A", billingEmail: "a@example.test", color: "red" }, "color"],
        [{ id: "acme", name: "A", billingEmail: "a@example.test", adminUserId: "bob" }, "adminUserId"],
      ])("refuses bad input %j naming the field, and writes nothing", async (input, param) => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: alice.id }).organizations.create(input as never),
          "VALIDATION_FAILED",
          param,
        );
      });

      it("keeps a user to one organization by default, telling them to leave first", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        await w.organization(alice, "first");
        const error = await expectFailsCleanly(
          w,
          () =>
            w.orgkit
              .as({ userId: alice.id })
              .organizations.create({ id: "second", name: "Second", billingEmail: "s@example.test" }),
          "ALREADY_IN_ORGANIZATION",
        );
        expect(error.message).toMatch(/leave/);
      });

      it("allows as many organizations as limits.organizationsPerUser says", async () => {
        const w = await createWorld(harness, { limits: { organizationsPerUser: 2 } });
        const alice = await w.user("Alice");
        await w.organization(alice, "first");
        await w.organization(alice, "second");
        await expectOrgKitError(w.organization(alice, "third"), "ALREADY_IN_ORGANIZATION");
        expect(
          (await w.orgkit.as({ userId: alice.id }).organizations.list()).map((o) => o.id).sort(),
        ).toEqual(["first", "second"]);
      });

      it("lets trusted code create one for a named user", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        await w.orgkit.system().organizations.create({
          id: "acme",
          name: "Acme",
          billingEmail: "a@example.test",
          adminUserId: alice.id,
        });
        expect((await w.orgkit.as({ userId: alice.id }).organizations.list())[0]?.role).toBe("admin");
        await expectOrgKitError(
          w.orgkit
            .system()
            .organizations.create({ id: "acme2", name: "Acme2", billingEmail: "a@example.test" }),
          "VALIDATION_FAILED",
          "adminUserId",
        );
      });

      it("lets exactly one of two concurrent creations with the same name win", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const bob = await w.user("Bob");
        const other = await w.another();
        const results = await Promise.allSettled([
          w.orgkit
            .as({ userId: alice.id })
            .organizations.create({ id: "one", name: "Same", billingEmail: "a@x.test" }),
          other
            .as({ userId: bob.id })
            .organizations.create({ id: "two", name: "same", billingEmail: "b@x.test" }),
        ]);
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(OrgKitError);
        expect(rejected.reason).toMatchObject({ code: "CONFLICT", param: "name" });
      });
    });

    describe("when someone outside reads it", () => {
      it("answers NOT_FOUND exactly as for an organization that does not exist", async () => {
        const w = await createWorld(harness);
        await w.organization(await w.user("Alice"), "acme");
        const asEve = w.orgkit.as({ userId: (await w.user("Eve")).id });
        const foreign = await expectOrgKitError(asEve.organizations.get("acme"), "NOT_FOUND");
        const missing = await expectOrgKitError(asEve.organizations.get("nothing"), "NOT_FOUND");
        expect(foreign.toJSON()).toEqual(missing.toJSON());
        expect(foreign.status).toBe(404);
        await expectOrgKitError(asEve.members.list("acme"), "NOT_FOUND");
        await expectOrgKitError(
          asEve.invitations.create("acme", { email: "x@x.test", role: "admin" }),
          "NOT_FOUND",
        );
      });
    });

    describe("when its profile is updated", () => {
      it("lets an admin change it and audits the fields before and after", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        await w.organization(alice, "acme", "Acme");
        w.clock.advance(1000);
        const updated = await w.orgkit.as({ userId: alice.id }).organizations.update("acme", {
          name: "Acme Labs",
          website: "https://acme.test",
          description: "We make things.",
        });
        expect(updated).toMatchObject({
          name: "Acme Labs",
          website: "https://acme.test",
          description: "We make things.",
        });
        expect(updated.updatedAt.getTime()).toBeGreaterThan(updated.createdAt.getTime());
        const events = await w.storage.audit.listForOrganization("acme", 10);
        expect(events.at(-1)).toMatchObject({
          action: "ORGANIZATION_UPDATE",
          before: { name: "Acme", website: null, description: null },
          after: { name: "Acme Labs", website: "https://acme.test", description: "We make things." },
        });
      });

      it("refuses a member without org:update, and a taken name, writing nothing", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const bob = await w.user("Bob");
        await w.organization(alice, "acme", "Acme");
        await w.join("acme", alice, bob, "org_contributor");
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: bob.id }).organizations.update("acme", { name: "Mine" }),
          "FORBIDDEN",
        );
        const carol = await w.user("Carol");
        await w.organization(carol, "other", "Other");
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: alice.id }).organizations.update("acme", { name: "OTHER" }),
          "CONFLICT",
          "name",
        );
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: alice.id }).organizations.update("acme", { billingEmail: "nope" }),
          "VALIDATION_FAILED",
          "billingEmail",
        );
      });
    });

    describe("when it is deleted", () => {
      it("cascades members and invitations, frees its id and its members' slots", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const bob = await w.user("Bob");
        await w.organization(alice, "acme");
        await w.join("acme", alice, bob, "org_user");
        const { token } = await w.orgkit
          .as({ userId: alice.id })
          .invitations.create("acme", { email: "carol@example.test", role: "org_user" });
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: bob.id }).organizations.delete("acme"),
          "FORBIDDEN",
        );

        await w.orgkit.as({ userId: alice.id }).organizations.delete("acme");

        await expectOrgKitError(w.orgkit.as({ userId: alice.id }).organizations.get("acme"), "NOT_FOUND");
        await expectOrgKitError(w.orgkit.invitations.lookup(token), "NOT_FOUND", "token");
        expect(await w.orgkit.as({ userId: bob.id }).organizations.list()).toEqual([]);
        const dump = await w.dump();
        const rows = JSON.stringify(Object.entries(dump).filter(([table]) => !/audit|outbox/.test(table)));
        expect(rows).not.toContain("acme");
        // The id is free again, and both former members may join or create another organization.
        await w.organization(bob, "acme");
        await w.organization(alice, "alice-co");
        const deleted = (await w.storage.audit.listForOrganization("acme", 50)).map((e) => e.action);
        expect(deleted).toContain("ORGANIZATION_DELETE");
      });
    });

    describe("when a member leaves", () => {
      it("removes them and frees their slot, but refuses the last admin", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const bob = await w.user("Bob");
        await w.organization(alice, "acme");
        await w.join("acme", alice, bob, "org_user");
        await w.orgkit.as({ userId: bob.id }).organizations.leave("acme");
        expect(await w.orgkit.as({ userId: bob.id }).organizations.list()).toEqual([]);
        await expectOrgKitError(w.orgkit.as({ userId: bob.id }).organizations.get("acme"), "NOT_FOUND");
        await w.organization(bob, "bobs");
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: alice.id }).organizations.leave("acme"),
          "LAST_ADMIN",
        );
      });
    });
  });
}
