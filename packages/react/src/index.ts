/**
 * `@orgkit/react`: hooks and components over the orgkit client.
 *
 * The component kit (InviteMemberDialog, TeamAppsTable, ...) arrives with its own issue; for now
 * the package re-exports the browser-safe typed client and the vocabulary a UI needs to label
 * roles, so that it builds, is typed, and pulls no Node built-in into a browser bundle.
 */
export {
  APP_ROLES,
  type AppRole,
  createOrgKitClient,
  isOrgKitApiError,
  ORGANIZATION_ROLES,
  type OrganizationRole,
  OrgKitApiError,
  type OrgKitClient,
  type OrgKitClientOptions,
} from "@orgkit/core/client";
