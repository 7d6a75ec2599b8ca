/** Endpoints of teams (their members and apps) and of access policies. */
import { z } from "zod";
import { ExplainInputSchema, PolicyInputSchema, PolicySchema } from "../../schemas/policy.js";
import {
  AppRoleSchema,
  CreateTeamInputSchema,
  TeamAppSchema,
  TeamAppsInputSchema,
  TeamMemberIdsSchema,
  TeamMemberSchema,
  TeamSchema,
  UpdateTeamInputSchema,
} from "../../schemas/team.js";
import { endpoint, pageQuery, pathParam } from "../contract.js";
import { DecisionSchema, itemsOf, OrgParams } from "./shared.js";

/** `{orgId}/teams/{teamId}`. */
const TeamParams = z.object({ orgId: pathParam(), teamId: pathParam() });
/** `{orgId}/teams/{teamId}/members/{userId}`. */
const TeamMemberParams = z.object({ orgId: pathParam(), teamId: pathParam(), userId: pathParam() });
/** `{orgId}/teams/{teamId}/apps/{appId}`. */
const TeamAppParams = z.object({ orgId: pathParam(), teamId: pathParam(), appId: pathParam() });
/** `{orgId}/policies/{policyId}`. */
const PolicyParams = z.object({ orgId: pathParam(), policyId: pathParam() });

/** A page query of a list sorted by name, with a search on name (and id or email). */
const namedPageQuery = () =>
  pageQuery().extend({
    search: z.string().max(100).optional().meta({ description: "Matches the name (and id or email)." }),
  });

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** `/orgs/{orgId}/teams`: teams of an organization. */
export const teamsContract = {
  create: endpoint({
    method: "POST",
    path: "/orgs/{orgId}/teams",
    tag: "teams",
    summary: "Create a team (CONFLICT when the organization has one with this id).",
    scope: "teams:add",
    params: OrgParams,
    body: CreateTeamInputSchema,
    response: TeamSchema,
    status: 201,
  }),
  list: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/teams",
    tag: "teams",
    summary: "A page of the organization's teams by name; `search` matches name or id.",
    scope: "teams:get",
    params: OrgParams,
    query: namedPageQuery(),
    response: pageOf(TeamSchema),
    paginated: true,
  }),
  get: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/teams/{teamId}",
    tag: "teams",
    summary: "One team.",
    scope: "teams:get",
    params: TeamParams,
    response: TeamSchema,
  }),
  update: endpoint({
    method: "PATCH",
    path: "/orgs/{orgId}/teams/{teamId}",
    tag: "teams",
    summary: "Rename a team.",
    scope: "teams:update",
    params: TeamParams,
    body: UpdateTeamInputSchema,
    response: TeamSchema,
  }),
  delete: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}/teams/{teamId}",
    tag: "teams",
    summary: "Delete a team with its members and apps (the people and apps themselves stay).",
    scope: "teams:delete",
    params: TeamParams,
    response: null,
  }),
};

/** `/orgs/{orgId}/teams/{teamId}/members`: who is in a team. */
export const teamMembersContract = {
  add: endpoint({
    method: "POST",
    path: "/orgs/{orgId}/teams/{teamId}/members",
    tag: "teams",
    summary:
      "Add members of the organization to a team (those already in it are skipped); someone outside the organization answers NOT_FOUND and nothing is added.",
    scope: "teams:update",
    params: TeamParams,
    body: z.object({ userIds: TeamMemberIdsSchema }).strict(),
    response: itemsOf(TeamMemberSchema),
  }),
  list: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/teams/{teamId}/members",
    tag: "teams",
    summary: "A page of a team's members by name; `search` matches name or email.",
    scope: "teams:get",
    params: TeamParams,
    query: namedPageQuery(),
    response: pageOf(TeamMemberSchema),
    paginated: true,
  }),
  remove: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}/teams/{teamId}/members/{userId}",
    tag: "teams",
    summary: "Remove a member from a team (NOT_FOUND when not in it); they stay in the organization.",
    scope: "teams:update",
    params: TeamMemberParams,
    response: null,
  }),
};

/** `/orgs/{orgId}/teams/{teamId}/apps`: the apps a team holds, each with an app role. */
export const teamAppsContract = {
  add: endpoint({
    method: "POST",
    path: "/orgs/{orgId}/teams/{teamId}/apps",
    tag: "teams",
    summary:
      "Give a team apps of the organization, each with an app role; an app the organization does not own answers NOT_FOUND and nothing is added.",
    scope: "teams:update",
    params: TeamParams,
    body: z.object({ apps: TeamAppsInputSchema }).strict(),
    response: itemsOf(TeamAppSchema),
  }),
  list: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/teams/{teamId}/apps",
    tag: "teams",
    summary: "A page of a team's apps by name, with the team's role on each; `search` matches name or id.",
    scope: "teams:get",
    params: TeamParams,
    query: namedPageQuery(),
    response: pageOf(TeamAppSchema),
    paginated: true,
  }),
  updateRole: endpoint({
    method: "PATCH",
    path: "/orgs/{orgId}/teams/{teamId}/apps/{appId}",
    tag: "teams",
    summary: "Change the team's role on one of its apps (NOT_FOUND when the team does not hold it).",
    scope: "teams:update",
    params: TeamAppParams,
    body: z.object({ role: AppRoleSchema }).strict(),
    response: TeamAppSchema,
  }),
  remove: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}/teams/{teamId}/apps/{appId}",
    tag: "teams",
    summary: "Take an app from a team (NOT_FOUND when the team does not hold it).",
    scope: "teams:update",
    params: TeamAppParams,
    response: null,
  }),
};

/** `/orgs/{orgId}/policies`: access policies. */
export const policiesContract = {
  create: endpoint({
    method: "POST",
    path: "/orgs/{orgId}/policies",
    tag: "policies",
    summary:
      "Create an access policy: allow or deny app actions to teams, roles or users, on apps chosen by labels or ids (deny overrides allow).",
    scope: "security:manage",
    params: OrgParams,
    body: PolicyInputSchema,
    response: PolicySchema,
    status: 201,
  }),
  list: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/policies",
    tag: "policies",
    summary: "A page of the organization's access policies, oldest first.",
    scope: "security:get",
    params: OrgParams,
    query: pageQuery(),
    response: pageOf(PolicySchema),
    paginated: true,
  }),
  explain: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/policies/explain",
    tag: "policies",
    summary:
      "Why a member may or may not perform an action, in the organization or on one of its apps: every role, team grant and policy that decided it.",
    description:
      "For an administrator answering \"why can't Bob train this model?\". Unlike `/access/check`, it explains another member's access, and an app the member cannot see is explained rather than hidden. A user outside the organization or an app it does not own answers NOT_FOUND.",
    scope: "security:get",
    params: OrgParams,
    query: ExplainInputSchema,
    response: DecisionSchema,
  }),
  get: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/policies/{policyId}",
    tag: "policies",
    summary: "One access policy.",
    scope: "security:get",
    params: PolicyParams,
    response: PolicySchema,
  }),
  update: endpoint({
    method: "PUT",
    path: "/orgs/{orgId}/policies/{policyId}",
    tag: "policies",
    summary: "Replace a policy's name, effect, subjects, actions and resources.",
    scope: "security:manage",
    params: PolicyParams,
    body: PolicyInputSchema,
    response: PolicySchema,
  }),
  delete: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}/policies/{policyId}",
    tag: "policies",
    summary: "Delete an access policy; it stops applying on every member's next call.",
    scope: "security:manage",
    params: PolicyParams,
    response: null,
  }),
};

/** The teams and policies groups: `teams`, `teamMembers`, `teamApps`, `policies`. */
export const teamContracts = {
  teams: teamsContract,
  teamMembers: teamMembersContract,
  teamApps: teamAppsContract,
  policies: policiesContract,
};
