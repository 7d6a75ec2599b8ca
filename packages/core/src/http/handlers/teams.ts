/** Implementations of the team, team member, team app and access policy endpoints. */
import type { Page } from "../../schemas/common.js";
import type { Policy } from "../../schemas/policy.js";
import { decodeCursor, encodeCursor } from "../../services/cursor.js";
import type { teamContracts } from "../contracts/teams.js";
import type { PageRequest } from "../server.js";
import type { ImplementationsOf } from "./types.js";

/**
 * Pages the policies of one organization (the service returns them whole, oldest first). The
 * cursor names the organization, so one from another organization is INVALID_CURSOR rather than
 * a silently wrong page even if the policy ids of two organizations were to interleave.
 */
function pagePolicies(
  policies: readonly Policy[],
  organizationId: string,
  request: PageRequest,
): Page<Policy> {
  const scope = JSON.stringify(["policies", organizationId]);
  const position = (p: Policy): [string, string] => [p.createdAt.toISOString(), p.id];
  const after =
    request.cursor === undefined ? undefined : decodeCursor(request.cursor, scope, ["string", "string"]);
  const sorted = [...policies].sort((a, b) => compare(position(a), position(b)));
  const rest =
    after === undefined ? sorted : sorted.filter((p) => compare(position(p), after as [string, string]) > 0);
  const limit = request.limit ?? 20;
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rest.length > limit && last !== undefined ? encodeCursor(scope, position(last)) : null,
  };
}

function compare(a: readonly [string, string], b: readonly [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Implementations of the teams and policies endpoints. */
export const teamHandlers: ImplementationsOf<typeof teamContracts> = {
  teams: {
    create: async ({ services, params, body }) => services.teams.create(params.orgId, body),
    list: async ({ services, params, query }) => services.teams.list(params.orgId, query),
    get: async ({ services, params }) => services.teams.get(params.orgId, params.teamId),
    update: async ({ services, params, body }) => services.teams.update(params.orgId, params.teamId, body),
    delete: async ({ services, params }) => {
      await services.teams.delete(params.orgId, params.teamId);
      return undefined;
    },
  },
  teamMembers: {
    add: async ({ services, params, body }) => ({
      items: await services.teams.addMembers(params.orgId, params.teamId, body.userIds),
    }),
    list: async ({ services, params, query }) =>
      services.teams.listMembers(params.orgId, params.teamId, query),
    remove: async ({ services, params }) => {
      await services.teams.removeMember(params.orgId, params.teamId, params.userId);
      return undefined;
    },
  },
  teamApps: {
    add: async ({ services, params, body }) => ({
      items: await services.teams.addApps(params.orgId, params.teamId, body.apps),
    }),
    list: async ({ services, params, query }) => services.teams.listApps(params.orgId, params.teamId, query),
    updateRole: async ({ services, params, body }) =>
      services.teams.updateAppRole(params.orgId, params.teamId, params.appId, body.role),
    remove: async ({ services, params }) => {
      await services.teams.removeApp(params.orgId, params.teamId, params.appId);
      return undefined;
    },
  },
  policies: {
    create: async ({ services, params, body }) => services.policies.create(params.orgId, body),
    list: async ({ services, params, query }) =>
      pagePolicies(await services.policies.list(params.orgId), params.orgId, query),
    explain: async ({ services, params, query }) => services.policies.explain(params.orgId, query),
    get: async ({ services, params }) => services.policies.get(params.orgId, params.policyId),
    update: async ({ services, params, body }) =>
      services.policies.update(params.orgId, params.policyId, body),
    delete: async ({ services, params }) => {
      await services.policies.delete(params.orgId, params.policyId);
      return undefined;
    },
  },
};
