import { describe, expect, it } from "vitest";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  type World,
} from "../testing/harness.js";

/** Acme administered by Alice, with Bob (team contributor) and Carol (org user); Dave outside. */
export async function acme(w: World) {
  const alice = await w.user("Alice");
  const bob = await w.user("Bob");
  const carol = await w.user("Carol");
  const dave = await w.user("Dave");
  await w.organization(alice, "acme", "Acme");
  await w.join("acme", alice, bob, "team_contributor");
  await w.join("acme", alice, carol, "org_user");
  const asAlice = w.orgkit.as({ userId: alice.id, organizationId: "acme" });
  return { alice, bob, carol, dave, asAlice };
}

/** Conformance: teams, their members and their apps. */
export function teamsConformance(harness: ConformanceHarness): void {
  describe("teams", () => {
    it("creates, lists with search and keyset pages, renames and deletes teams, each audited", async () => {
      const w = await createWorld(harness);
      const { asAlice, carol } = await acme(w);
      for (const [id, name] of [
        ["labelers", "Labelers"],
        ["trainers", "Model trainers"],
        ["regulated", "Regulated data"],
      ]) {
        await asAlice.teams.create("acme", { id: id!, name: name! });
      }
      expect((await asAlice.teams.list("acme")).items.map((t) => t.id)).toEqual([
        "labelers",
        "trainers",
        "regulated",
      ]);
      expect((await asAlice.teams.list("acme", { search: "TRAIN" })).items.map((t) => t.id)).toEqual([
        "trainers",
      ]);
      const first = await asAlice.teams.list("acme", { limit: 2 });
      const second = await asAlice.teams.list("acme", { limit: 2, cursor: first.nextCursor! });
      expect([...first.items, ...second.items].map((t) => t.id)).toEqual([
        "labelers",
        "trainers",
        "regulated",
      ]);
      expect(second.nextCursor).toBeNull();
      await expectOrgKitError(
        asAlice.teams.list("acme", { cursor: first.nextCursor!, search: "x" }),
        "INVALID_CURSOR",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.teams.create("acme", { id: "labelers", name: "Again" }),
        "CONFLICT",
        "id",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.teams.create("acme", { id: "bad id!", name: "X" }),
        "VALIDATION_FAILED",
        "id",
      );
      expect((await asAlice.teams.update("acme", "labelers", { name: "Annotators" })).name).toBe(
        "Annotators",
      );
      await asAlice.teams.delete("acme", "trainers");
      await expectOrgKitError(asAlice.teams.get("acme", "trainers"), "NOT_FOUND", "teamId");
      // An org user may read teams but not change them.
      const asCarol = w.orgkit.as({ userId: carol.id });
      expect((await asCarol.teams.list("acme")).items).toHaveLength(2);
      await expectFailsCleanly(
        w,
        () => asCarol.teams.create("acme", { id: "mine", name: "Mine" }),
        "FORBIDDEN",
      );
      const actions = (await w.storage.audit.listForOrganization("acme", 100)).map((e) => e.action);
      expect(actions.filter((a) => a.startsWith("ORGANIZATION_TEAM_"))).toEqual([
        "ORGANIZATION_TEAM_CREATE",
        "ORGANIZATION_TEAM_CREATE",
        "ORGANIZATION_TEAM_CREATE",
        "ORGANIZATION_TEAM_UPDATE",
        "ORGANIZATION_TEAM_DELETE",
      ]);
    });

    it("adds only organization members, all or nothing, and lists them with search", async () => {
      const w = await createWorld(harness);
      const { asAlice, bob, carol, dave } = await acme(w);
      await asAlice.teams.create("acme", { id: "labelers", name: "Labelers" });
      // Dave is not a member: NOT_FOUND naming him, and Bob is not added either.
      await expectFailsCleanly(
        w,
        () => asAlice.teams.addMembers("acme", "labelers", [bob.id, dave.id]),
        "NOT_FOUND",
        "userIds.1",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.teams.addMembers("acme", "labelers", [bob.id, bob.id]),
        "VALIDATION_FAILED",
      );
      await asAlice.teams.addMembers("acme", "labelers", [bob.id, carol.id]);
      await asAlice.teams.addMembers("acme", "labelers", [bob.id]); // already in: skipped
      expect((await asAlice.teams.listMembers("acme", "labelers")).items.map((m) => m.name)).toEqual([
        "Bob",
        "Carol",
      ]);
      expect(
        (await asAlice.teams.listMembers("acme", "labelers", { search: "carol@" })).items.map((m) => m.name),
      ).toEqual(["Carol"]);
      await asAlice.teams.removeMember("acme", "labelers", carol.id);
      await expectFailsCleanly(
        w,
        () => asAlice.teams.removeMember("acme", "labelers", carol.id),
        "NOT_FOUND",
        "userId",
      );
      expect((await asAlice.teams.listMembers("acme", "labelers")).items.map((m) => m.name)).toEqual(["Bob"]);
      // One event per member added (none for the one skipped) and one for the removal.
      const events = (await w.storage.audit.listForOrganization("acme", 100))
        .filter((e) => e.action.startsWith("ORGANIZATION_TEAM_MEMBER_"))
        .map((e) => [e.action, e.targetId, e.after ?? e.before]);
      expect(events).toEqual([
        ["ORGANIZATION_TEAM_MEMBER_ADD", "labelers", { userId: bob.id }],
        ["ORGANIZATION_TEAM_MEMBER_ADD", "labelers", { userId: carol.id }],
        ["ORGANIZATION_TEAM_MEMBER_REMOVE", "labelers", { userId: carol.id }],
      ]);
    });

    it("gives only the organization's own apps, with a role, and changes or takes them", async () => {
      const w = await createWorld(harness);
      const { asAlice, alice } = await acme(w);
      const other = await w.user("Olga");
      await w.organization(other, "globex", "Globex");
      await w.orgkit
        .as({ userId: other.id, organizationId: "globex" })
        .apps.create({ id: "secret", name: "Secret" });
      await asAlice.apps.create({ id: "medical", name: "Medical" });
      await asAlice.apps.create({ id: "retail", name: "Retail" });
      await w.orgkit.as({ userId: alice.id }).apps.create({ id: "mine", name: "Mine" });
      await asAlice.teams.create("acme", { id: "labelers", name: "Labelers" });
      // Another org's app and Alice's personal app answer like missing ones.
      await expectFailsCleanly(
        w,
        () =>
          asAlice.teams.addApps("acme", "labelers", [
            { appId: "medical", role: "labeler_worker" },
            { appId: "secret", role: "full_access" },
          ]),
        "NOT_FOUND",
        "apps.1.appId",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.teams.addApps("acme", "labelers", [{ appId: "mine", role: "full_access" }]),
        "NOT_FOUND",
        "apps.0.appId",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.teams.addApps("acme", "labelers", [{ appId: "medical", role: "superuser" as never }]),
        "VALIDATION_FAILED",
        "apps.0.role",
      );
      await asAlice.teams.addApps("acme", "labelers", [
        { appId: "medical", role: "labeler_worker" },
        { appId: "retail", role: "model_trainer" },
      ]);
      const added = (await asAlice.teams.listApps("acme", "labelers")).items.find(
        (a) => a.appId === "medical",
      );
      w.clock.advance(60_000);
      // The grant keeps the time the team was given the app; only its role changes.
      expect(await asAlice.teams.updateAppRole("acme", "labelers", "medical", "labeler_lead")).toEqual({
        appId: "medical",
        name: added?.name,
        role: "labeler_lead",
        addedAt: added?.addedAt,
      });
      expect((await asAlice.teams.listApps("acme", "labelers")).items.map((a) => [a.appId, a.role])).toEqual([
        ["medical", "labeler_lead"],
        ["retail", "model_trainer"],
      ]);
      expect(
        (await asAlice.teams.listApps("acme", "labelers", { search: "ret" })).items.map((a) => a.appId),
      ).toEqual(["retail"]);
      const paged = await asAlice.teams.listApps("acme", "labelers", { limit: 1 });
      expect(
        (await asAlice.teams.listApps("acme", "labelers", { limit: 1, cursor: paged.nextCursor! })).items[0]!
          .appId,
      ).toBe("retail");
      await asAlice.teams.removeApp("acme", "labelers", "retail");
      await expectFailsCleanly(
        w,
        () => asAlice.teams.removeApp("acme", "labelers", "retail"),
        "NOT_FOUND",
        "appId",
      );
      const audit = (await w.storage.audit.listForOrganization("acme", 100)).map((e) => e.action);
      expect(audit).toContain("ORGANIZATION_TEAM_APP_ADD");
      expect(audit).toContain("ORGANIZATION_TEAM_APP_CHANGE");
      expect(audit).toContain("ORGANIZATION_TEAM_APP_REMOVE");
    });

    it("removes a member's team rows with their membership, and cuts their team access on the next call", async () => {
      const w = await createWorld(harness);
      const { asAlice, bob } = await acme(w);
      await asAlice.apps.create({ id: "medical", name: "Medical" });
      await asAlice.teams.create("acme", { id: "labelers", name: "Labelers" });
      await asAlice.teams.addMembers("acme", "labelers", [bob.id]);
      await asAlice.teams.addApps("acme", "labelers", [{ appId: "medical", role: "full_access" }]);
      const asBob = w.orgkit.as({ userId: bob.id });
      expect((await asBob.apps.get("acme", "medical")).id).toBe("medical");
      await asAlice.members.remove("acme", bob.id);
      await expectOrgKitError(asBob.apps.get("acme", "medical"), "NOT_FOUND", "appId");
      expect((await asAlice.teams.listMembers("acme", "labelers")).items).toEqual([]);
      const dump = await w.dump();
      expect(dump.team_members).toEqual([]);
      const removal = (await w.storage.audit.listForOrganization("acme", 100)).find(
        (e) => e.action === "ORGANIZATION_MEMBER_REMOVE",
      );
      expect(removal?.before).toEqual({ role: "team_contributor", teams: ["labelers"] });
    });

    it("lets an invitation name teams of the organization, joined on accepting", async () => {
      const w = await createWorld(harness);
      const { asAlice } = await acme(w);
      const erin = await w.user("Erin");
      await asAlice.teams.create("acme", { id: "labelers", name: "Labelers" });
      await expectFailsCleanly(
        w,
        () =>
          asAlice.invitations.create("acme", {
            email: erin.email,
            role: "team_contributor",
            teamIds: ["labelers", "ghost"],
          }),
        "NOT_FOUND",
        "teamIds.1",
      );
      const { token } = await asAlice.invitations.create("acme", {
        email: erin.email,
        role: "team_contributor",
        teamIds: ["labelers"],
      });
      await w.orgkit.as({ userId: erin.id }).invitations.accept(token);
      expect((await asAlice.teams.listMembers("acme", "labelers")).items.map((m) => m.userId)).toEqual([
        erin.id,
      ]);
    });

    it("deletes teams, team rows, apps and policies with the organization", async () => {
      const w = await createWorld(harness);
      const { asAlice, bob } = await acme(w);
      await asAlice.apps.create({ id: "medical", name: "Medical" });
      await asAlice.teams.create("acme", { id: "labelers", name: "Labelers" });
      await asAlice.teams.addMembers("acme", "labelers", [bob.id]);
      await asAlice.teams.addApps("acme", "labelers", [{ appId: "medical", role: "full_access" }]);
      await asAlice.policies.create("acme", {
        name: "p",
        effect: "deny",
        subjects: { teams: ["labelers"] },
        actions: ["*"],
      });
      await asAlice.organizations.delete("acme");
      const dump = await w.dump();
      for (const table of ["teams", "team_members", "team_apps", "apps", "access_policies"])
        expect([table, dump[table]]).toEqual([table, []]);
    });
  });
}
