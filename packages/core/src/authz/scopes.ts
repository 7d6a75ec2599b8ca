/**
 * The closed scope vocabulary (Clarifai's API scope names, lower-case) and the organization
 * role table. Roles are data: a role is a name and the set of scopes it grants.
 */

/** App-level scopes: what one can do on an app and its content. */
export const APP_SCOPES = [
  "apps:get",
  "apps:add",
  "apps:update",
  "apps:delete",
  "apps:transfer",
  "inputs:get",
  "inputs:add",
  "inputs:delete",
  "concepts:get",
  "concepts:add",
  "concepts:delete",
  "annotations:get",
  "annotations:add",
  "annotations:delete",
  "models:get",
  "models:add",
  "models:delete",
  "models:train",
  "workflows:get",
  "workflows:add",
  "workflows:delete",
  "predict",
  "search",
  "collaborators:get",
  "collaborators:add",
  "collaborators:delete",
] as const;

/** Organization-level scopes: what one can do on the organization itself. */
export const ORGANIZATION_SCOPES = [
  "org:update",
  "org:delete",
  "members:get",
  "members:invite",
  "members:update",
  "members:remove",
  "teams:get",
  "teams:add",
  "teams:update",
  "teams:delete",
  "billing:get",
  "billing:manage",
  "security:get",
  "security:manage",
  "audit:get",
  "tokens:manage",
] as const;

/** Every scope orgkit knows. */
export const SCOPES = [...APP_SCOPES, ...ORGANIZATION_SCOPES] as const;

/** One scope of the closed vocabulary. */
export type Scope = (typeof SCOPES)[number];
/** An app-level scope. */
export type AppScope = (typeof APP_SCOPES)[number];
/** An organization-level scope. */
export type OrganizationScope = (typeof ORGANIZATION_SCOPES)[number];

const SCOPE_SET: ReadonlySet<string> = new Set(SCOPES);

/** True when `value` is a scope of the vocabulary. */
export function isScope(value: string): value is Scope {
  return SCOPE_SET.has(value);
}

/** The five built-in organization roles (Clarifai's). */
export const ORGANIZATION_ROLES = [
  "admin",
  "financial_manager",
  "org_contributor",
  "org_user",
  "team_contributor",
] as const;

/** A built-in organization role. */
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

/** A role definition: its scopes on the organization and, for every org app, its scopes there. */
export interface RoleDefinition {
  /** Human label for a UI. */
  readonly label: string;
  /** One sentence for a role picker. */
  readonly description: string;
  /** Scopes on the organization itself. */
  readonly organizationScopes: readonly OrganizationScope[];
  /**
   * Scopes on every app the organization owns. Empty for roles whose app access comes from
   * teams (`team_contributor`) or who see no content (`financial_manager`).
   */
  readonly appScopes: readonly AppScope[];
}

const READ_APP_SCOPES = [
  "apps:get",
  "inputs:get",
  "concepts:get",
  "annotations:get",
  "models:get",
  "workflows:get",
  "collaborators:get",
  "search",
  "predict",
] as const satisfies readonly AppScope[];

const CONTRIBUTOR_APP_SCOPES = [
  ...READ_APP_SCOPES,
  "apps:add",
  "apps:update",
  "inputs:add",
  "inputs:delete",
  "concepts:add",
  "concepts:delete",
  "annotations:add",
  "annotations:delete",
  "models:add",
  "models:delete",
  "models:train",
  "workflows:add",
  "workflows:delete",
] as const satisfies readonly AppScope[];

/**
 * The built-in role table. `admin` holds every scope; the others are what DESIGN.md §3 says.
 * Custom roles (named scope sets an admin defines) extend this table at run time.
 */
export const ROLE_DEFINITIONS: Readonly<Record<OrganizationRole, RoleDefinition>> = {
  admin: {
    label: "Admin",
    description: "Manages the organization, its members, security and billing, and every app.",
    organizationScopes: ORGANIZATION_SCOPES,
    appScopes: APP_SCOPES,
  },
  financial_manager: {
    label: "Financial manager",
    description: "Sees and manages billing and usage; read-only on members and teams; no app content.",
    organizationScopes: ["members:get", "teams:get", "billing:get", "billing:manage", "audit:get"],
    appScopes: [],
  },
  org_contributor: {
    label: "Organization contributor (all apps)",
    description: "Contributes to every app of the organization.",
    organizationScopes: ["members:get", "teams:get"],
    appScopes: CONTRIBUTOR_APP_SCOPES,
  },
  org_user: {
    label: "Organization user (all apps)",
    description: "Views every app of the organization and predicts with its models.",
    organizationScopes: ["members:get", "teams:get"],
    appScopes: READ_APP_SCOPES,
  },
  team_contributor: {
    label: "Team contributor (select apps)",
    description: "Contributes only to the apps their teams are given.",
    organizationScopes: ["members:get", "teams:get"],
    appScopes: [],
  },
};

/** True when `value` names a built-in organization role. */
export function isOrganizationRole(value: string): value is OrganizationRole {
  return Object.hasOwn(ROLE_DEFINITIONS, value);
}
