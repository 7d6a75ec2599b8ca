import {
  appPermissionMatrix,
  authorize,
  type Decision,
  type PermissionMatrix,
  permissionMatrix,
} from "../authz/authorize.js";
import type { AppScope } from "../authz/scopes.js";
import { isScope, type Scope } from "../authz/scopes.js";
import { notFound, OrgKitError } from "../errors.js";
import { readAccess, subjectFor } from "./access-control.js";
import { appResource, authorizeApp } from "./app-access.js";
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
  /**
   * The effective permission matrix of the actor in the organization, for hiding controls; with
   * `appIds` (at most 100 of the organization's apps), also each app's scopes (teams,
   * collaborators, visibility and policies included). Apps the actor cannot see are left out.
   */
  permissions(organizationId: string, options?: { appIds?: readonly string[] }): Promise<PermissionMatrix>;
  /**
   * Whether the actor may perform an app action on one app, with every grant and policy that
   * decided it. NOT_FOUND when the app is missing or invisible to the actor.
   *
   * @example
   * ```ts
   * const d = await asBob.access.checkApp("acme", "medical", "models:train");
   * // { allowed: false, reasons: [{ type: "team", teamId: "labelers", appRole: "labeler_worker", ... }, ...] }
   * ```
   */
  checkApp(ownerId: string, appId: string, action: AppScope): Promise<Decision>;
  /** Every app scope on one app, for hiding an app page's controls. */
  appPermissions(ownerId: string, appId: string): Promise<Readonly<Record<AppScope, boolean>>>;
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
    async permissions(organizationId, options = {}) {
      const { subject: s, organizationId: id } = await subject(organizationId);
      const matrix = permissionMatrix(s, id);
      const appIds = options.appIds;
      if (appIds === undefined) return matrix;
      if (!Array.isArray(appIds) || appIds.length > 100) {
        throw new OrgKitError("VALIDATION_FAILED", {
          param: "appIds",
          message: "Ask about at most 100 apps.",
        });
      }
      const organization = await ctx.rt.storage.organizations.getById(id);
      const apps =
        organization === null ? [] : await ctx.rt.storage.apps.getByIds(organization.key, appIds.map(String));
      const byApp: Record<string, Readonly<Record<AppScope, boolean>>> = {};
      for (const app of apps) {
        // Collaborator roles do not apply inside one's own organization's apps' matrix here: a
        // member is never a collaborator of their organization's apps.
        const resource = appResource(app, id, null);
        if (authorize(s, "apps:get", resource).allowed) byApp[app.id] = appPermissionMatrix(s, resource);
      }
      return { ...matrix, apps: byApp };
    },

    async checkApp(ownerId, appId, action) {
      if (typeof action !== "string" || !isScope(action)) {
        throw new OrgKitError("VALIDATION_FAILED", { param: "action", message: "Unknown scope." });
      }
      const grant = await authorizeApp(ctx, ownerId, appId, "apps:get");
      return authorize(grant.subject, action, grant.resource);
    },

    async appPermissions(ownerId, appId) {
      const grant = await authorizeApp(ctx, ownerId, appId, "apps:get");
      return appPermissionMatrix(grant.subject, grant.resource);
    },
  };
}
