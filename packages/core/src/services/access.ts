import { authorize, type Decision, type PermissionMatrix, permissionMatrix } from "../authz/authorize.js";
import { isScope, type Scope } from "../authz/scopes.js";
import { notFound, OrgKitError } from "../errors.js";
import { readAccess, subjectFor } from "./access-control.js";
import type { CallContext } from "./runtime.js";

/** Authorization questions a UI or a host asks. */
export interface AccessService {
  /**
   * Whether the actor may perform `action` in the organization, with the reasons that decided.
   * Never throws FORBIDDEN: a refusal is a decision. NOT_FOUND when the organization does not
   * exist or the actor is not a member (the two look the same). One indexed read when cold.
   *
   * @example
   * ```ts
   * const d = await asBob.access.check("acme", "members:invite");
   * if (!d.allowed) console.log(d.reasons); // [{ type: "no_grant", role: "org_user" }]
   * ```
   */
  check(organizationId: string, action: Scope): Promise<Decision>;
  /** The effective permission matrix of the actor in the organization, for hiding controls. */
  permissions(organizationId: string): Promise<PermissionMatrix>;
}

/** Builds the access service for one actor. */
export function accessService(ctx: CallContext): AccessService {
  async function subject(organizationId: string) {
    if (typeof organizationId !== "string" || organizationId.length === 0 || organizationId.length > 64) {
      throw notFound("organizationId");
    }
    const actor = ctx.actor;
    if (actor.type === "anonymous") throw new OrgKitError("UNAUTHENTICATED");
    const row = await readAccess(ctx.rt.storage, ctx, organizationId);
    // A foreign organization answers exactly like a missing one.
    if (row === null || (actor.type === "user" && row.role === null)) throw notFound("organizationId");
    return { subject: subjectFor(ctx, row), organizationId: row.organization.id };
  }

  return {
    async check(organizationId, action) {
      if (typeof action !== "string" || !isScope(action)) {
        throw new OrgKitError("VALIDATION_FAILED", { param: "action", message: "Unknown scope." });
      }
      const { subject: s, organizationId: id } = await subject(organizationId);
      return authorize(s, action, { type: "organization", organizationId: id });
    },
    async permissions(organizationId) {
      const { subject: s, organizationId: id } = await subject(organizationId);
      return permissionMatrix(s, id);
    },
  };
}
