/** Implementations of the organization, member and access endpoints. */
import type { organizationContracts } from "../contracts/organizations.js";
import type { ImplementationsOf } from "./types.js";

/** Implementations of the organization endpoints. */
export const organizationHandlers: ImplementationsOf<typeof organizationContracts> = {
  organizations: {
    create: async ({ services, body }) => services.organizations.create(body),
    list: async ({ services, query, paginate }) =>
      paginate(await services.organizations.list(), (organization) => organization.id, query),
    get: async ({ services, params }) => services.organizations.get(params.orgId),
    update: async ({ services, params, body }) => services.organizations.update(params.orgId, body),
    delete: async ({ services, params }) => {
      await services.organizations.delete(params.orgId);
      return undefined;
    },
    leave: async ({ services, params }) => {
      await services.organizations.leave(params.orgId);
      return undefined;
    },
  },
  members: {
    list: async ({ services, params, query }) => services.members.list(params.orgId, query),
    get: async ({ services, params }) => services.members.get(params.orgId, params.userId),
    updateRole: async ({ services, params, body }) =>
      services.members.updateRole(params.orgId, params.userId, body.role),
    remove: async ({ services, params }) => {
      await services.members.remove(params.orgId, params.userId);
      return undefined;
    },
  },
  access: {
    check: async ({ services, params, query }) => services.access.check(params.orgId, query.action),
    permissions: async ({ services, params, query }) =>
      services.access.permissions(params.orgId, query.appIds === undefined ? {} : { appIds: query.appIds }),
    checkApp: async ({ services, params, query }) =>
      services.access.checkApp(params.ownerId, params.appId, query.action),
    appPermissions: async ({ services, params }) =>
      services.access.appPermissions(params.ownerId, params.appId),
  },
};
