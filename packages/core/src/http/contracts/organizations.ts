/** Endpoints of organizations, their members and the caller's access in them. */
import { z } from "zod";
import { APP_SCOPES, SCOPES } from "../../authz/scopes.js";
import { MemberSchema, OrganizationRoleSchema } from "../../schemas/member.js";
import {
  CreateOrganizationInputSchema,
  MyOrganizationSchema,
  OrganizationSchema,
  UpdateOrganizationInputSchema,
} from "../../schemas/organization.js";
import { MEMBER_SORTS } from "../../storage/member-store.js";
import { endpoint, pageQuery } from "../contract.js";
import {
  AppPermissionsSchema,
  DecisionSchema,
  OrgParams,
  OrgUserParams,
  PermissionMatrixSchema,
} from "./shared.js";

/** `/orgs`: organizations. */
export const organizationsContract = {
  create: endpoint({
    method: "POST",
    path: "/orgs",
    tag: "organizations",
    summary: "Create an organization; the caller becomes its first admin.",
    body: CreateOrganizationInputSchema.omit({ adminUserId: true }),
    response: OrganizationSchema,
    status: 201,
  }),
  list: endpoint({
    method: "GET",
    path: "/orgs",
    tag: "organizations",
    summary: "The organizations the caller belongs to, with their role.",
    query: pageQuery(),
    response: z.object({ items: z.array(MyOrganizationSchema), nextCursor: z.string().nullable() }),
    paginated: true,
  }),
  get: endpoint({
    method: "GET",
    path: "/orgs/{orgId}",
    tag: "organizations",
    summary: "An organization the caller belongs to.",
    params: OrgParams,
    response: OrganizationSchema,
  }),
  update: endpoint({
    method: "PATCH",
    path: "/orgs/{orgId}",
    tag: "organizations",
    summary: "Update the organization's profile.",
    scope: "org:update",
    params: OrgParams,
    body: UpdateOrganizationInputSchema,
    response: OrganizationSchema,
  }),
  delete: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}",
    tag: "organizations",
    summary: "Delete the organization and everything it owns.",
    scope: "org:delete",
    params: OrgParams,
    response: null,
  }),
  leave: endpoint({
    method: "POST",
    path: "/orgs/{orgId}/leave",
    tag: "organizations",
    summary: "Leave the organization (LAST_ADMIN for its only admin).",
    params: OrgParams,
    response: null,
  }),
};

/** `/orgs/{orgId}/members`. */
export const membersContract = {
  list: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/members",
    tag: "members",
    summary: "A page of members: search on name and email, filter by role, sort.",
    scope: "members:get",
    params: OrgParams,
    query: pageQuery().extend({
      search: z.string().max(100).optional(),
      role: OrganizationRoleSchema.optional(),
      sort: z.enum(MEMBER_SORTS).optional(),
      direction: z.enum(["asc", "desc"]).optional(),
    }),
    response: z.object({ items: z.array(MemberSchema), nextCursor: z.string().nullable() }),
    paginated: true,
  }),
  get: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/members/{userId}",
    tag: "members",
    summary: "One member.",
    scope: "members:get",
    params: OrgUserParams,
    response: MemberSchema,
  }),
  updateRole: endpoint({
    method: "PATCH",
    path: "/orgs/{orgId}/members/{userId}",
    tag: "members",
    summary: "Change a member's role (LAST_ADMIN when it would leave no admin).",
    scope: "members:update",
    params: OrgUserParams,
    body: z.object({ role: OrganizationRoleSchema }).strict(),
    response: MemberSchema,
  }),
  remove: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}/members/{userId}",
    tag: "members",
    summary: "Remove a member (LAST_ADMIN when it would leave no admin).",
    scope: "members:remove",
    params: OrgUserParams,
    response: null,
  }),
};

/** `/orgs/{orgId}/access`: what the caller may do. */
export const accessContract = {
  check: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/access/check",
    tag: "access",
    summary: "Whether the caller may perform an action in the organization, with the reasons.",
    params: OrgParams,
    query: z.object({ action: z.enum(SCOPES) }),
    response: DecisionSchema,
  }),
  permissions: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/access/permissions",
    tag: "access",
    summary: "The caller's effective permissions in the organization (and on up to 100 apps).",
    params: OrgParams,
    query: z.object({
      appIds: z
        .string()
        .max(6500)
        .optional()
        .transform((value) => (value === undefined || value === "" ? undefined : value.split(",")))
        .meta({ description: "Comma-separated app ids." }),
    }),
    response: PermissionMatrixSchema,
  }),
  checkApp: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/access/check",
    tag: "access",
    summary:
      "Whether the caller may perform an app action on one app, with every grant and policy that decided.",
    params: z.object({ ownerId: z.string().min(1).max(64), appId: z.string().min(1).max(200) }),
    query: z.object({ action: z.enum(APP_SCOPES) }),
    response: DecisionSchema,
  }),
  appPermissions: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/access/permissions",
    tag: "access",
    summary: "Every app scope with whether the caller has it on one app, for hiding an app page's controls.",
    params: z.object({ ownerId: z.string().min(1).max(64), appId: z.string().min(1).max(200) }),
    response: AppPermissionsSchema,
  }),
};

/** The organization groups: `organizations`, `members`, `access`. */
export const organizationContracts = {
  organizations: organizationsContract,
  members: membersContract,
  access: accessContract,
};
