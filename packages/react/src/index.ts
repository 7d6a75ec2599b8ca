/**
 * `@orgkit/react`: hooks and components over the orgkit client.
 *
 * The component kit (InviteMemberDialog, TeamAppsTable, ...) arrives with its own issue; for now
 * the package re-exports the vocabulary a UI needs to label roles, so that it builds and is typed.
 */
export { ORGANIZATION_ROLES, type OrganizationRole } from "@orgkit/core";
