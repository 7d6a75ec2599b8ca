import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { APP_ROLE_DEFINITIONS, type AppRole } from "../authz/app-roles.js";
import { APP_SCOPES, type OrganizationRole, ROLE_DEFINITIONS } from "../authz/scopes.js";
import { isOrgKitError } from "../errors.js";
import type { App } from "../schemas/app.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
} from "../testing/harness.js";
import { acme } from "./teams.conformance.js";

/** Conformance: app-level authorization, access policies, explanations and revocation. */
export function appAccessConformance(harness: ConformanceHarness, propertyRuns = 6): void {
  describe("app authorization", () => {
    it("gives each organization role its app scopes, and team contributors the union of their teams' roles", async () => {
      const w = await createWorld(harness);
      const { asAlice, alice, bob } = await acme(w);
      await asAlice.apps.create({ id: "medical", name: "Medical" });
      const people: Partial<Record<OrganizationRole, string>> = {};
      for (const role of ["org_contributor", "org_user", "financial_manager"] as const) {
        const user = await w.user(`U-${role.replace(/_/g, "-")}`);
        await w.join("acme", alice, user, role);
        people[role] = user.id;
      }
      for (const [role, userId] of Object.entries(people)) {
        const scopes = ROLE_DEFINITIONS[role as OrganizationRole].appScopes;
        const as = w.orgkit.as({ userId });
        if (scopes.length === 0) {
          await expectOrgKitError(as.access.appPermissions("acme", "medical"), "NOT_FOUND", "appId");
          continue;
        }
        const matrix = await as.access.appPermissions("acme", "medical");
        for (const scope of APP_SCOPES)
          expect([role, scope, matrix[scope]]).toEqual([role, scope, scopes.includes(scope)]);
      }
      const asBob = w.orgkit.as({ userId: bob.id });
      await expectOrgKitError(asBob.apps.get("acme", "medical"), "NOT_FOUND", "appId");
      await asAlice.teams.create("acme", { id: "labelers", name: "Labelers" });
      await asAlice.teams.create("acme", { id: "trainers", name: "Trainers" });
      await asAlice.teams.addMembers("acme", "labelers", [bob.id]);
      await asAlice.teams.addMembers("acme", "trainers", [bob.id]);
      await asAlice.teams.addApps("acme", "labelers", [{ appId: "medical", role: "labeler_worker" }]);
      expect(await asBob.access.appPermissions("acme", "medical")).toEqual(
        Object.fromEntries(
          APP_SCOPES.map((s) => [s, APP_ROLE_DEFINITIONS.labeler_worker.scopes.includes(s)]),
        ),
      );
      await asAlice.teams.addApps("acme", "trainers", [{ appId: "medical", role: "model_trainer" }]);
      const union = new Set<string>([
        ...APP_ROLE_DEFINITIONS.labeler_worker.scopes,
        ...APP_ROLE_DEFINITIONS.model_trainer.scopes,
      ]);
      expect(await asBob.access.appPermissions("acme", "medical")).toEqual(
        Object.fromEntries(APP_SCOPES.map((s) => [s, union.has(s)])),
      );
      const decision = await asBob.access.checkApp("acme", "medical", "apps:get");
      expect(decision.reasons).toEqual([
        { type: "team", teamId: "labelers", appRole: "labeler_worker", effect: "allow" },
        { type: "team", teamId: "trainers", appRole: "model_trainer", effect: "allow" },
      ]);
      expect((await asBob.access.checkApp("acme", "medical", "apps:delete")).reasons).toEqual([
        { type: "no_grant", role: "team_contributor" },
      ]);
      const matrix = await asBob.access.permissions("acme", { appIds: ["medical", "nope"] });
      expect(Object.keys(matrix.apps ?? {})).toEqual(["medical"]);
      expect(matrix.apps?.medical?.["models:train"]).toBe(true);
    });

    it("lets org visibility show an app to every member who sees content, and public to anyone", async () => {
      const w = await createWorld(harness);
      const { asAlice, alice, bob, dave } = await acme(w);
      const fm = await w.user("Frank");
      await w.join("acme", alice, fm, "financial_manager");
      await asAlice.apps.create({ id: "handbook", name: "Handbook", visibility: "org" });
      expect((await w.orgkit.as({ userId: bob.id }).apps.get("acme", "handbook")).id).toBe("handbook");
      expect(
        (await w.orgkit.as({ userId: bob.id }).access.checkApp("acme", "handbook", "predict")).allowed,
      ).toBe(false);
      await expectOrgKitError(
        w.orgkit.as({ userId: fm.id }).apps.get("acme", "handbook"),
        "NOT_FOUND",
        "appId",
      );
      await expectOrgKitError(
        w.orgkit.as({ userId: dave.id }).apps.get("acme", "handbook"),
        "NOT_FOUND",
        "appId",
      );
    });

    describe("access policies", () => {
      it("validates and audits policy changes, naming the offending entry", async () => {
        const w = await createWorld(harness);
        const { asAlice, dave, carol } = await acme(w);
        await asAlice.teams.create("acme", { id: "regulated", name: "Regulated" });
        const base = { name: "p", effect: "deny" as const, actions: ["*" as const] };
        await expectFailsCleanly(
          w,
          () => asAlice.policies.create("acme", { ...base, subjects: { teams: ["ghost"] } }),
          "NOT_FOUND",
          "subjects.teams.0",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.policies.create("acme", { ...base, subjects: { users: [dave.id] } }),
          "NOT_FOUND",
          "subjects.users.0",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.policies.create("acme", { ...base, subjects: { roles: ["king" as never] } }),
          "VALIDATION_FAILED",
          "subjects.roles.0",
        );
        await expectFailsCleanly(
          w,
          () =>
            asAlice.policies.create("acme", {
              ...base,
              subjects: { roles: ["org_user"] },
              actions: ["apps:fly" as never],
            }),
          "VALIDATION_FAILED",
          "actions.0",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.policies.create("acme", { ...base, subjects: {} }),
          "VALIDATION_FAILED",
          "subjects",
        );
        await expectFailsCleanly(
          w,
          () =>
            asAlice.policies.create("acme", {
              ...base,
              subjects: { roles: ["org_user"] },
              resources: { apps: ["nope"] },
            }),
          "NOT_FOUND",
          "resources.apps.0",
        );
        await expectFailsCleanly(
          w,
          () =>
            asAlice.policies.create("acme", {
              ...base,
              subjects: { roles: ["org_user"] },
              resources: { labelsAny: ["a", "a"] },
            }),
          "VALIDATION_FAILED",
        );
        await expectFailsCleanly(
          w,
          () =>
            w.orgkit
              .as({ userId: carol.id })
              .policies.create("acme", { ...base, subjects: { roles: ["org_user"] } }),
          "FORBIDDEN",
        );
        const policy = await asAlice.policies.create("acme", {
          ...base,
          subjects: { teams: ["regulated"] },
          resources: { labelsNone: ["hipaa"] },
        });
        expect(await asAlice.policies.get("acme", policy.id)).toEqual(policy);
        const updated = await asAlice.policies.update("acme", policy.id, {
          ...base,
          name: "renamed",
          subjects: { roles: ["org_user"] },
        });
        expect(updated).toMatchObject({
          name: "renamed",
          subjects: { teams: [], roles: ["org_user"], users: [] },
        });
        expect((await asAlice.policies.list("acme")).map((p) => p.name)).toEqual(["renamed"]);
        await asAlice.policies.delete("acme", policy.id);
        await expectOrgKitError(asAlice.policies.get("acme", policy.id), "NOT_FOUND", "policyId");
        const actions = (await w.storage.audit.listForOrganization("acme", 100)).map((e) => e.action);
        expect(actions.filter((a) => a.startsWith("ORGANIZATION_POLICY_"))).toEqual([
          "ORGANIZATION_POLICY_CREATE",
          "ORGANIZATION_POLICY_UPDATE",
          "ORGANIZATION_POLICY_DELETE",
        ]);
      });

      it("restricts a team to apps labelled hipaa whatever its roles say (the seed's example), deny over allow", async () => {
        const w = await createWorld(harness);
        const { asAlice, alice, bob } = await acme(w);
        const olivia = await w.user("Olivia");
        await w.join("acme", alice, olivia, "org_contributor");
        await asAlice.apps.create({ id: "medical", name: "Medical", labels: ["hipaa"] });
        await asAlice.apps.create({ id: "retail", name: "Retail" });
        await asAlice.teams.create("acme", { id: "regulated", name: "Regulated" });
        await asAlice.teams.addMembers("acme", "regulated", [bob.id, olivia.id]);
        await asAlice.teams.addApps("acme", "regulated", [
          { appId: "medical", role: "full_access" },
          { appId: "retail", role: "full_access" },
        ]);
        const asOlivia = w.orgkit.as({ userId: olivia.id });
        const asBob = w.orgkit.as({ userId: bob.id });
        expect((await asOlivia.apps.list("acme")).items.map((a) => a.id).sort()).toEqual([
          "medical",
          "retail",
        ]);
        const policy = await asAlice.policies.create("acme", {
          name: "HIPAA only",
          effect: "deny",
          subjects: { teams: ["regulated"] },
          actions: ["*"],
          resources: { labelsNone: ["hipaa"] },
        });
        // The very next call sees it, through the cache.
        for (const as of [asOlivia, asBob]) {
          expect((await as.apps.list("acme")).items.map((a) => a.id)).toEqual(["medical"]);
          await expectOrgKitError(as.apps.get("acme", "retail"), "NOT_FOUND", "appId");
          expect(
            (
              await as.models.create("acme", "medical", {
                id: `m-${as === asBob ? "b" : "o"}`,
                type: "embedder",
              })
            ).id,
          ).toBeTruthy();
        }
        // An allow policy cannot lift a deny; the decision names both.
        await asAlice.policies.create("acme", {
          name: "Retail for Olivia",
          effect: "allow",
          subjects: { users: [olivia.id] },
          actions: ["apps:get"],
          resources: { apps: ["retail"] },
        });
        const admin = await w.orgkit.as({ userId: alice.id }).access.checkApp("acme", "retail", "apps:get");
        expect(admin.allowed).toBe(true);
        await asAlice.teams.removeMember("acme", "regulated", olivia.id);
        const decision = await asOlivia.access.checkApp("acme", "retail", "apps:get");
        expect(decision.reasons).toEqual([
          { type: "role", role: "org_contributor", effect: "allow" },
          { type: "policy", policyId: expect.any(String), name: "Retail for Olivia", effect: "allow" },
        ]);
        await asAlice.teams.addMembers("acme", "regulated", [olivia.id]);
        await expectOrgKitError(asOlivia.access.checkApp("acme", "retail", "apps:get"), "NOT_FOUND", "appId");
        await asAlice.apps.update("acme", "retail", { visibility: "org" });
        const denied = await asOlivia.access.checkApp("acme", "retail", "apps:get").catch((e: unknown) => e);
        expect(isOrgKitError(denied, "NOT_FOUND")).toBe(true);
        await asAlice.policies.delete("acme", policy.id);
        expect((await asOlivia.apps.get("acme", "retail")).id).toBe("retail");
      });

      it("follows team, role and policy changes made through another instance on the very next call", async () => {
        const w = await createWorld(harness);
        const { asAlice, alice, bob } = await acme(w);
        await asAlice.apps.create({ id: "medical", name: "Medical" });
        await asAlice.teams.create("acme", { id: "labelers", name: "Labelers" });
        await asAlice.teams.addMembers("acme", "labelers", [bob.id]);
        await asAlice.teams.addApps("acme", "labelers", [{ appId: "medical", role: "labeler_worker" }]);
        const asBob = w.orgkit.as({ userId: bob.id });
        expect((await asBob.access.checkApp("acme", "medical", "models:train")).allowed).toBe(false); // warm
        const other = (await w.another()).as({ userId: alice.id });
        await other.teams.updateAppRole("acme", "labelers", "medical", "model_trainer");
        expect((await asBob.access.checkApp("acme", "medical", "models:train")).allowed).toBe(true);
        await other.members.updateRole("acme", bob.id, "org_user");
        expect(
          (await asBob.access.checkApp("acme", "medical", "apps:get")).reasons.map((r) => r.type),
        ).toEqual(["role", "team"]);
        await other.teams.removeApp("acme", "labelers", "medical");
        expect((await asBob.access.checkApp("acme", "medical", "models:train")).allowed).toBe(false);
        await other.members.remove("acme", bob.id);
        await expectOrgKitError(asBob.apps.get("acme", "medical"), "NOT_FOUND", "appId");
        // A token narrows app access too.
        const viaToken = w.orgkit.as({ userId: alice.id, scopes: ["apps:get"] });
        expect((await viaToken.apps.get("acme", "medical")).id).toBe("medical");
        await expectFailsCleanly(
          w,
          () => viaToken.apps.update("acme", "medical", { name: "X" }),
          "FORBIDDEN",
        );
        // A token without apps:get is refused, not told that an app its user sees is missing...
        const narrowToken = w.orgkit.as({ userId: alice.id, scopes: ["models:get"] });
        await expectOrgKitError(narrowToken.apps.get("acme", "medical"), "FORBIDDEN");
        await expectOrgKitError(narrowToken.inputs.list("acme", "medical"), "FORBIDDEN");
        expect((await narrowToken.models.list("acme", "medical")).items).toEqual([]);
        await expectOrgKitError(narrowToken.apps.list("acme"), "FORBIDDEN");
        // ...while an app its user cannot see stays NOT_FOUND, exactly like a missing one.
        const bobsToken = w.orgkit.as({ userId: bob.id, scopes: ["models:get", "apps:get"] });
        await expectOrgKitError(bobsToken.models.list("acme", "medical"), "NOT_FOUND", "appId");
        await expectOrgKitError(narrowToken.apps.get("acme", "missing"), "NOT_FOUND", "appId");
      });
    });

    it("property: listed ⇔ get succeeds ⇔ authorize allows apps:get, at page sizes 1, 2 and 100; no foreign app is readable; removal cuts access", async () => {
      const roles = fc.constantFrom<OrganizationRole>(
        "admin",
        "org_contributor",
        "org_user",
        "team_contributor",
        "financial_manager",
      );
      const appRole = fc.constantFrom<AppRole>(
        "full_access",
        "model_trainer",
        "labeler_lead",
        "labeler_worker",
      );
      const worldArb = fc.record({
        users: fc.array(roles, { minLength: 1, maxLength: 3 }),
        apps: fc.array(
          fc.record({
            visibility: fc.constantFrom("private", "org", "public" as const),
            hipaa: fc.boolean(),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        teams: fc.array(
          fc.record({
            members: fc.array(fc.nat({ max: 2 }), { maxLength: 3 }),
            apps: fc.array(fc.tuple(fc.nat({ max: 4 }), appRole), { maxLength: 3 }),
          }),
          { maxLength: 2 },
        ),
        policy: fc.option(fc.record({ team: fc.nat({ max: 1 }), deny: fc.boolean() }), { nil: undefined }),
        removed: fc.nat({ max: 2 }),
      });
      await fc.assert(
        fc.asyncProperty(worldArb, async (world) => {
          const w = await createWorld(harness);
          const alice = await w.user("Alice");
          await w.organization(alice, "acme", "Acme");
          const asAlice = w.orgkit.as({ userId: alice.id, organizationId: "acme" });
          const outsider = await w.user("Olga");
          await w.organization(outsider, "globex", "Globex");
          await w.orgkit
            .as({ userId: outsider.id, organizationId: "globex" })
            .apps.create({ id: "g0", name: "Globex private" });
          const users: { id: string }[] = [];
          for (const [i, role] of world.users.entries()) {
            const user = await w.user(`P${i}`);
            await w.join("acme", alice, user, role);
            users.push(user);
          }
          for (const [i, app] of world.apps.entries()) {
            await asAlice.apps.create({
              id: `a${i}`,
              name: `App ${i}`,
              visibility: app.visibility,
              labels: app.hipaa ? ["hipaa"] : [],
            });
          }
          for (const [t, team] of world.teams.entries()) {
            await asAlice.teams.create("acme", { id: `t${t}`, name: `Team ${t}` });
            const members = [...new Set(team.members.filter((m) => m < users.length))].map(
              (m) => users[m]!.id,
            );
            if (members.length > 0) await asAlice.teams.addMembers("acme", `t${t}`, members);
            const seen = new Set<string>();
            const apps = team.apps
              .filter(([a]) => a < world.apps.length)
              .map(([a, role]) => ({ appId: `a${a}`, role }))
              .filter((a) => !seen.has(a.appId) && seen.add(a.appId));
            if (apps.length > 0) await asAlice.teams.addApps("acme", `t${t}`, apps);
          }
          if (world.policy !== undefined && world.policy.team < world.teams.length) {
            await asAlice.policies.create("acme", {
              name: "policy",
              effect: world.policy.deny ? "deny" : "allow",
              subjects: { teams: [`t${world.policy.team}`] },
              actions: world.policy.deny ? ["*"] : ["apps:get"],
              resources: { labelsNone: ["hipaa"] },
            });
          }
          const allIds = world.apps.map((_, i) => `a${i}`);
          const visibleTo = async (userId: string) => {
            const as = w.orgkit.as({ userId });
            const byGet = new Set<string>();
            for (const id of allIds) {
              try {
                await as.apps.get("acme", id);
                byGet.add(id);
              } catch (error) {
                if (!isOrgKitError(error, "NOT_FOUND")) throw error;
              }
            }
            for (const limit of [1, 2, 100]) {
              const listed: App[] = [];
              let cursor: string | undefined;
              do {
                const page = await as.apps.list("acme", { limit, ...(cursor ? { cursor } : {}) });
                listed.push(...page.items);
                cursor = page.nextCursor ?? undefined;
              } while (cursor);
              expect(new Set(listed.map((a) => a.id))).toEqual(byGet);
              expect(listed.length).toBe(byGet.size);
            }
            const isMember = (await w.orgkit.system().members.list("acme", { limit: 100 })).items.some(
              (m) => m.userId === userId,
            );
            if (isMember) {
              const matrix = await as.access.permissions("acme", { appIds: allIds });
              expect(
                new Set(Object.keys(matrix.apps ?? {}).filter((id) => matrix.apps?.[id]?.["apps:get"])),
              ).toEqual(byGet);
            }
            await expectOrgKitError(as.apps.get("globex", "g0"), "NOT_FOUND", "appId");
            expect((await as.apps.list("globex")).items).toEqual([]);
            return byGet;
          };
          for (const user of users) await visibleTo(user.id);
          const removed = users[world.removed % users.length]!;
          await asAlice.members.remove("acme", removed.id);
          const publicApps = new Set(
            world.apps.flatMap((a, i) => (a.visibility === "public" ? [`a${i}`] : [])),
          );
          expect(await visibleTo(removed.id)).toEqual(publicApps);
        }),
        { numRuns: propertyRuns },
      );
    }, 300_000);
  });
}
