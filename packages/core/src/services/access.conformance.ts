import { describe, expect, it } from "vitest";
import { APP_SCOPES, ORGANIZATION_ROLES, ORGANIZATION_SCOPES, ROLE_DEFINITIONS } from "../authz/scopes.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
} from "../testing/harness.js";

/** Conformance: authorization decisions and the permission matrix, read from storage. */
export function accessConformance(harness: ConformanceHarness): void {
  describe("access", () => {
    it("gives each role exactly the matrix its definition says", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      await w.organization(alice, "acme");
      for (const role of ORGANIZATION_ROLES) {
        const user = role === "admin" ? alice : await w.user(`U-${role.replace(/_/g, "-")}`);
        if (role !== "admin") await w.join("acme", alice, user, role);
        const matrix = await w.orgkit.as({ userId: user.id }).access.permissions("acme");
        const definition = ROLE_DEFINITIONS[role];
        expect(matrix.role).toBe(role);
        for (const scope of ORGANIZATION_SCOPES) {
          expect([role, scope, matrix.organization[scope]]).toEqual([
            role,
            scope,
            definition.organizationScopes.includes(scope),
          ]);
        }
        for (const scope of APP_SCOPES) {
          expect(matrix.allApps[scope]).toBe(definition.appScopes.includes(scope));
        }
      }
    });

    it("explains a decision with the role that granted it or the missing grant", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      const bob = await w.user("Bob");
      await w.organization(alice, "acme");
      await w.join("acme", alice, bob, "org_user");
      expect(await w.orgkit.as({ userId: alice.id }).access.check("acme", "members:invite")).toMatchObject({
        allowed: true,
        reasons: [{ type: "role", role: "admin", effect: "allow" }],
      });
      expect(await w.orgkit.as({ userId: bob.id }).access.check("acme", "members:invite")).toMatchObject({
        allowed: false,
        reasons: [{ type: "no_grant", role: "org_user" }],
      });
      await expectOrgKitError(
        w.orgkit.as({ userId: bob.id }).access.check("acme", "members:fly" as never),
        "VALIDATION_FAILED",
        "action",
      );
    });

    it("narrows a token's calls to its scopes, in checks and in the services", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      await w.organization(alice, "acme");
      const viaToken = w.orgkit.as({ userId: alice.id, scopes: ["members:get"] });
      expect((await viaToken.members.list("acme")).items).toHaveLength(1);
      expect(await viaToken.access.check("acme", "members:invite")).toMatchObject({
        allowed: false,
        reasons: [
          { type: "role", role: "admin" },
          { type: "token_scope", effect: "deny" },
        ],
      });
      await expectFailsCleanly(
        w,
        () => viaToken.invitations.create("acme", { email: "b@example.test", role: "admin" }),
        "FORBIDDEN",
      );
      expect(() => w.orgkit.as({ userId: alice.id, scopes: ["root" as never] })).toThrow(/Unknown scope/);
    });

    it("answers NOT_FOUND to outsiders, and follows role changes and removal on the very next call", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      const bob = await w.user("Bob");
      await w.organization(alice, "acme");
      await expectOrgKitError(
        w.orgkit.as({ userId: bob.id }).access.check("acme", "members:get"),
        "NOT_FOUND",
      );
      await w.join("acme", alice, bob, "org_user");
      const asBob = w.orgkit.as({ userId: bob.id });
      // Warm the snapshot cache, then change the role through another connection.
      expect((await asBob.access.check("acme", "org:update")).allowed).toBe(false);
      const other = await w.another();
      await other.as({ userId: alice.id }).members.updateRole("acme", bob.id, "admin");
      expect((await asBob.access.check("acme", "org:update")).allowed).toBe(true);
      await other.as({ userId: alice.id }).members.remove("acme", bob.id);
      await expectOrgKitError(asBob.access.check("acme", "members:get"), "NOT_FOUND");
      await expectOrgKitError(asBob.organizations.update("acme", { name: "Taken over" }), "NOT_FOUND");
    });

    it("lets the system actor do everything, still audited as system", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      await w.organization(alice, "acme");
      const system = w.orgkit.system({ ip: "10.0.0.1" });
      expect((await system.access.check("acme", "org:delete")).reasons).toEqual([{ type: "system" }]);
      await system.organizations.update("acme", { description: "Seeded" });
      expect((await w.storage.audit.listForOrganization("acme", 10)).at(-1)).toMatchObject({
        action: "ORGANIZATION_UPDATE",
        actor: { type: "system", id: null },
        ip: "10.0.0.1",
      });
      await expectOrgKitError(system.organizations.list(), "UNAUTHENTICATED");
    });
  });
}
