import { describe, expect, expectTypeOf, it } from "vitest";
import { authorize, permissionMatrix, snapshotForRole } from "./authorize.js";
import { ORGANIZATION_ROLES, ROLE_DEFINITIONS, SCOPES, type Scope } from "./scopes.js";

const org = { type: "organization", organizationId: "acme" } as const;

function subject(role: (typeof ORGANIZATION_ROLES)[number], tokenScopes?: Scope[]) {
  return {
    type: "user" as const,
    userId: "bob",
    snapshot: snapshotForRole({ organizationId: "acme", userId: "bob", version: 3, role }),
    tokenScopes: tokenScopes === undefined ? undefined : new Set(tokenScopes),
  };
}

describe("authorize", () => {
  it("grants an admin every organization scope, with the role as the reason", () => {
    for (const scope of ROLE_DEFINITIONS.admin.organizationScopes) {
      expect(authorize(subject("admin"), scope, org)).toEqual({
        allowed: true,
        action: scope,
        resource: org,
        reasons: [{ type: "role", role: "admin", effect: "allow" }],
      });
    }
  });

  it("refuses what a role does not hold and says which role lacked it", () => {
    const decision = authorize(subject("org_user"), "members:invite", org);
    expect(decision.allowed).toBe(false);
    expect(decision.reasons).toEqual([{ type: "no_grant", role: "org_user" }]);
  });

  it("gives the financial manager billing but no app content", () => {
    const fm = subject("financial_manager");
    expect(authorize(fm, "billing:manage", org).allowed).toBe(true);
    expect(authorize(fm, "apps:get", { type: "app", organizationId: "acme", appId: "a" }).allowed).toBe(
      false,
    );
  });

  it("refuses a snapshot of another organization as not a member", () => {
    const decision = authorize(subject("admin"), "members:get", {
      type: "organization",
      organizationId: "other",
    });
    expect(decision).toMatchObject({
      allowed: false,
      reasons: [{ type: "not_member", organizationId: "other" }],
    });
    expect(authorize({ type: "user", userId: "x", snapshot: null }, "members:get", org).allowed).toBe(false);
  });

  it("narrows a token to its scopes even for an admin", () => {
    const viaToken = subject("admin", ["members:get"]);
    expect(authorize(viaToken, "members:get", org).allowed).toBe(true);
    expect(authorize(viaToken, "members:invite", org)).toMatchObject({
      allowed: false,
      reasons: [{ type: "role" }, { type: "token_scope", effect: "deny" }],
    });
    // A token can never add what the role lacks.
    expect(authorize(subject("org_user", ["members:invite"]), "members:invite", org).allowed).toBe(false);
  });

  it("lets the system actor do anything", () => {
    for (const scope of SCOPES) expect(authorize({ type: "system" }, scope, org).allowed).toBe(true);
  });

  it("builds a matrix that agrees with authorize for every role and scope", () => {
    for (const role of ORGANIZATION_ROLES) {
      const s = subject(role);
      const matrix = permissionMatrix(s, "acme");
      for (const [scope, allowed] of Object.entries(matrix.organization)) {
        expect(authorize(s, scope as Scope, org).allowed).toBe(allowed);
      }
      expect(Object.keys(matrix.organization).length + Object.keys(matrix.allApps).length).toBe(
        SCOPES.length,
      );
    }
  });

  it("types a decision's action as a Scope", () => {
    expectTypeOf(authorize({ type: "system" }, "predict", org).action).toEqualTypeOf<Scope>();
  });
});

describe("the role table", () => {
  it("gives admin a superset of every other role", () => {
    const admin = new Set([
      ...ROLE_DEFINITIONS.admin.organizationScopes,
      ...ROLE_DEFINITIONS.admin.appScopes,
    ]);
    for (const role of ORGANIZATION_ROLES) {
      for (const scope of [
        ...ROLE_DEFINITIONS[role].organizationScopes,
        ...ROLE_DEFINITIONS[role].appScopes,
      ]) {
        expect(admin.has(scope)).toBe(true);
      }
    }
  });

  it("keeps member management to admins", () => {
    const managers = ORGANIZATION_ROLES.filter((role) =>
      ROLE_DEFINITIONS[role].organizationScopes.some((s) => s === "members:invite" || s === "members:remove"),
    );
    expect(managers).toEqual(["admin"]);
  });
});
