import {
  APP_ROLE_DEFINITIONS,
  type AppRole,
  type AppVisibility,
  ORG_VISIBLE_APP_SCOPES,
  PUBLIC_APP_SCOPES,
} from "./app-roles.js";
import { type CompiledPolicy, policyMatches } from "./policies.js";
import {
  APP_SCOPES,
  type AppScope,
  ORGANIZATION_SCOPES,
  type OrganizationRole,
  type OrganizationScope,
  ROLE_DEFINITIONS,
  type Scope,
} from "./scopes.js";

/**
 * What one user may do in one organization, computed from storage once per organization
 * version and then reused: checking against it costs no query.
 */
export interface PermissionSnapshot {
  readonly organizationId: string;
  readonly userId: string;
  /** The organization version the snapshot was computed at. */
  readonly version: number;
  readonly role: OrganizationRole;
  readonly organizationScopes: ReadonlySet<Scope>;
  /** Scopes on every app the organization owns (team and collaborator grants come on top). */
  readonly appScopes: ReadonlySet<Scope>;
  /** The organization's internal key, so that a snapshot of a deleted namesake is never reused; null in tests. */
  readonly organizationKey: string | null;
  /** The user's internal key; null in tests. */
  readonly userKey: string | null;
  /** The public ids of the teams the user belongs to. */
  readonly teamIds: readonly string[];
  /** Per app (internal key) the user's teams hold: the union of their app roles' scopes, and who gave what. */
  readonly teamApps: ReadonlyMap<string, TeamAppGrant>;
  /** The organization's access policies whose subjects include this user (by id, role or team). */
  readonly policies: readonly CompiledPolicy[];
}

/** What a user's teams give them on one app. */
export interface TeamAppGrant {
  /** The union of the teams' app role scopes. */
  readonly scopes: ReadonlySet<Scope>;
  /** Each team holding the app, with its role there. */
  readonly teams: readonly { readonly teamId: string; readonly role: AppRole }[];
}

/** Who is asking. A PAT narrows the user's scopes to `tokenScopes`. */
export type AuthorizationSubject =
  | { readonly type: "system" }
  | {
      readonly type: "user";
      readonly userId: string;
      /** The snapshot for the resource's organization, or null when not a member. */
      readonly snapshot: PermissionSnapshot | null;
      /** Present when the call is made with a personal access token: its scopes. */
      readonly tokenScopes?: ReadonlySet<Scope> | undefined;
    };

/** What is being acted on. */
export type Resource =
  | { readonly type: "organization"; readonly organizationId: string }
  | {
      readonly type: "app";
      /** The owning organization's public id, or null for an app a user owns. */
      readonly organizationId: string | null;
      readonly appId: string;
      readonly labels?: readonly string[];
      /** The app's internal key. Absent: "any app of the organization", which only the role answers. */
      readonly appKey?: string;
      /** Whose account owns the app. Default: the organization. */
      readonly ownerType?: "user" | "organization";
      /** The owning account's public id (the user's id for a personal app). */
      readonly ownerId?: string;
      /** Default: private. */
      readonly visibility?: AppVisibility;
      /** The acting user's collaborator role on this app, read together with the app; null when none. */
      readonly collaboratorRole?: AppRole | null;
    };

/** One fact that contributed to a decision, for "why can't Bob do this?". */
export type DecisionReason =
  | { readonly type: "system" }
  | { readonly type: "not_member"; readonly organizationId: string }
  | { readonly type: "role"; readonly role: OrganizationRole; readonly effect: "allow" }
  | { readonly type: "no_grant"; readonly role: OrganizationRole | null }
  | { readonly type: "token_scope"; readonly effect: "deny" }
  | { readonly type: "owner"; readonly ownerId: string; readonly effect: "allow" }
  | { readonly type: "team"; readonly teamId: string; readonly appRole: AppRole; readonly effect: "allow" }
  | { readonly type: "collaborator"; readonly appRole: AppRole; readonly effect: "allow" }
  | { readonly type: "visibility"; readonly visibility: "org" | "public"; readonly effect: "allow" }
  | {
      readonly type: "policy";
      readonly policyId: string;
      readonly name: string;
      readonly effect: "allow" | "deny";
    };

/** The outcome of {@link authorize}, with the reasons that decided it. */
export interface Decision {
  readonly allowed: boolean;
  readonly action: Scope;
  readonly resource: Resource;
  readonly reasons: readonly DecisionReason[];
}

const SYSTEM_REASONS: readonly DecisionReason[] = [{ type: "system" }];

/**
 * Decides whether `subject` may perform `action` on `resource`. Pure and synchronous: all it
 * needs is in the subject's snapshot.
 *
 * @example
 * ```ts
 * const decision = authorize({ type: "user", userId: "bob", snapshot }, "members:invite",
 *   { type: "organization", organizationId: "acme" });
 * if (!decision.allowed) console.log(decision.reasons);
 * ```
 */
export function authorize(subject: AuthorizationSubject, action: Scope, resource: Resource): Decision {
  if (subject.type === "system") return { allowed: true, action, resource, reasons: SYSTEM_REASONS };
  if (resource.type === "app" && (resource.appKey !== undefined || resource.organizationId === null)) {
    return authorizeOnApp(subject, action, resource);
  }
  const snapshot = subject.snapshot;
  if (snapshot === null || snapshot.organizationId !== resource.organizationId) {
    return {
      allowed: false,
      action,
      resource,
      reasons: [{ type: "not_member", organizationId: resource.organizationId ?? "" }],
    };
  }
  const granted =
    resource.type === "organization"
      ? snapshot.organizationScopes.has(action)
      : snapshot.appScopes.has(action);
  if (!granted)
    return { allowed: false, action, resource, reasons: [{ type: "no_grant", role: snapshot.role }] };
  if (subject.tokenScopes !== undefined && !subject.tokenScopes.has(action)) {
    return {
      allowed: false,
      action,
      resource,
      reasons: [
        { type: "role", role: snapshot.role, effect: "allow" },
        { type: "token_scope", effect: "deny" },
      ],
    };
  }
  return {
    allowed: true,
    action,
    resource,
    reasons: [{ type: "role", role: snapshot.role, effect: "allow" }],
  };
}

const PUBLIC_SET: ReadonlySet<Scope> = new Set(PUBLIC_APP_SCOPES);
const ORG_VISIBLE_SET: ReadonlySet<Scope> = new Set(ORG_VISIBLE_APP_SCOPES);
const APP_ROLE_SETS = Object.fromEntries(
  Object.entries(APP_ROLE_DEFINITIONS).map(([role, definition]) => [role, new Set<Scope>(definition.scopes)]),
) as unknown as Record<AppRole, ReadonlySet<Scope>>;
const APP_SCOPE_SET: ReadonlySet<Scope> = new Set(APP_SCOPES);

/** Roles whose holders see no app content, whatever an app's `org` visibility says. */
const ROLES_WITHOUT_CONTENT: ReadonlySet<OrganizationRole> = new Set(["financial_manager"]);

type AppResource = Extract<Resource, { type: "app" }>;

/**
 * A decision on one app: the union of every grant (owner, role, teams, collaborator, visibility,
 * allow policies), minus any matching deny policy, narrowed by a token's scopes. Each grant that
 * holds the action is a reason, so the UI can say where access comes from.
 */
function authorizeOnApp(
  subject: Extract<AuthorizationSubject, { type: "user" }>,
  action: Scope,
  resource: AppResource,
): Decision {
  const grants: DecisionReason[] = [];
  const snapshot = subject.snapshot;
  const inOrganization =
    resource.organizationId !== null &&
    snapshot !== null &&
    snapshot.organizationId === resource.organizationId;
  const isAppAction = APP_SCOPE_SET.has(action);
  if (isAppAction) {
    if (resource.ownerType === "user" && resource.ownerId === subject.userId && subject.userId !== "") {
      grants.push({ type: "owner", ownerId: resource.ownerId, effect: "allow" });
    }
    if (inOrganization) {
      if (snapshot.appScopes.has(action)) grants.push({ type: "role", role: snapshot.role, effect: "allow" });
      const team = resource.appKey === undefined ? undefined : snapshot.teamApps.get(resource.appKey);
      if (team?.scopes.has(action)) {
        for (const t of team.teams) {
          if (APP_ROLE_SETS[t.role].has(action)) {
            grants.push({ type: "team", teamId: t.teamId, appRole: t.role, effect: "allow" });
          }
        }
      }
      if (
        resource.visibility === "org" &&
        ORG_VISIBLE_SET.has(action) &&
        !ROLES_WITHOUT_CONTENT.has(snapshot.role)
      ) {
        grants.push({ type: "visibility", visibility: "org", effect: "allow" });
      }
    }
    const collaboratorRole = resource.collaboratorRole;
    if (collaboratorRole != null && APP_ROLE_SETS[collaboratorRole].has(action)) {
      grants.push({ type: "collaborator", appRole: collaboratorRole, effect: "allow" });
    }
    if (resource.visibility === "public" && PUBLIC_SET.has(action)) {
      grants.push({ type: "visibility", visibility: "public", effect: "allow" });
    }
  }
  let denied: DecisionReason[] | undefined;
  if (inOrganization && isAppAction && resource.appKey !== undefined && snapshot.policies.length > 0) {
    const labels = resource.labels ?? [];
    for (const policy of snapshot.policies) {
      if (!policyMatches(policy, action as AppScope, resource.appKey, labels)) continue;
      const reason: DecisionReason = {
        type: "policy",
        policyId: policy.id,
        name: policy.name,
        effect: policy.effect,
      };
      if (policy.effect === "allow") grants.push(reason);
      else if (denied === undefined) denied = [reason];
      else denied.push(reason);
    }
  }
  if (denied !== undefined) return { allowed: false, action, resource, reasons: [...grants, ...denied] };
  if (grants.length === 0) {
    return {
      allowed: false,
      action,
      resource,
      reasons: [{ type: "no_grant", role: snapshot?.role ?? null }],
    };
  }
  if (subject.tokenScopes !== undefined && !subject.tokenScopes.has(action)) {
    return {
      allowed: false,
      action,
      resource,
      reasons: [...grants, { type: "token_scope", effect: "deny" }],
    };
  }
  return { allowed: true, action, resource, reasons: grants };
}

/**
 * Computes the snapshot of a role in an organization, with the user's team grants and the
 * policies that apply to them folded in, so that {@link authorize} stays a set lookup.
 */
export function snapshotForRole(input: {
  organizationId: string;
  userId: string;
  version: number;
  role: OrganizationRole;
  organizationKey?: string | null;
  userKey?: string | null;
  teamIds?: readonly string[];
  teamApps?: ReadonlyMap<string, TeamAppGrant>;
  policies?: readonly CompiledPolicy[];
}): PermissionSnapshot {
  const definition = ROLE_DEFINITIONS[input.role];
  return {
    organizationId: input.organizationId,
    userId: input.userId,
    version: input.version,
    role: input.role,
    organizationKey: input.organizationKey ?? null,
    userKey: input.userKey ?? null,
    teamIds: input.teamIds ?? [],
    teamApps: input.teamApps ?? new Map(),
    policies: input.policies ?? [],
    organizationScopes: new Set<OrganizationScope>(definition.organizationScopes),
    appScopes: new Set<AppScope>(definition.appScopes),
  };
}

/**
 * Folds team app rows into {@link TeamAppGrant}s: per app, the union of the teams' role scopes.
 */
export function teamAppGrants(
  rows: readonly { readonly appKey: string; readonly teamId: string; readonly role: AppRole }[],
): Map<string, TeamAppGrant> {
  // Most apps are held by one team: they share that role's (immutable) scope set; a union set
  // is built only for an app a second team also holds.
  const byApp = new Map<string, { scopes: ReadonlySet<Scope>; teams: { teamId: string; role: AppRole }[] }>();
  for (const row of rows) {
    const entry = byApp.get(row.appKey);
    if (entry === undefined) {
      byApp.set(row.appKey, {
        scopes: APP_ROLE_SETS[row.role],
        teams: [{ teamId: row.teamId, role: row.role }],
      });
      continue;
    }
    const union = new Set(entry.scopes);
    for (const scope of APP_ROLE_SETS[row.role]) union.add(scope);
    entry.scopes = union;
    entry.teams.push({ teamId: row.teamId, role: row.role });
    // By team id, so that a decision lists its teams in a stable order.
    entry.teams.sort((a, b) => (a.teamId < b.teamId ? -1 : a.teamId > b.teamId ? 1 : 0));
  }
  return byApp;
}

/** For one app, whether the subject holds each app scope (what a UI hides an app's controls by). */
export function appPermissionMatrix(
  subject: AuthorizationSubject,
  resource: AppResource,
): Readonly<Record<AppScope, boolean>> {
  return Object.fromEntries(
    APP_SCOPES.map((scope) => [scope, authorize(subject, scope, resource).allowed]),
  ) as Record<AppScope, boolean>;
}

/** The matrix a UI hides controls with: for each scope, whether the subject holds it. */
export interface PermissionMatrix {
  readonly organizationId: string;
  readonly role: OrganizationRole | null;
  /** Organization-level scopes, each with whether it is granted on the organization. */
  readonly organization: Readonly<Record<OrganizationScope, boolean>>;
  /** App-level scopes granted on every app of the organization by the role alone. */
  readonly allApps: Readonly<Record<AppScope, boolean>>;
  /**
   * Per app id, every app scope with whether it is granted there (teams, collaborators,
   * visibility and policies included). Only the apps the caller asked about.
   */
  readonly apps?: Readonly<Record<string, Readonly<Record<AppScope, boolean>>>>;
}

/** Builds the {@link PermissionMatrix} for a subject in an organization. */
export function permissionMatrix(subject: AuthorizationSubject, organizationId: string): PermissionMatrix {
  const organizationResource: Resource = { type: "organization", organizationId };
  const appResource: Resource = { type: "app", organizationId, appId: "*" };
  const organization = Object.fromEntries(
    ORGANIZATION_SCOPES.map((scope) => [scope, authorize(subject, scope, organizationResource).allowed]),
  ) as Record<OrganizationScope, boolean>;
  const allApps = Object.fromEntries(
    APP_SCOPES.map((scope) => [scope, authorize(subject, scope, appResource).allowed]),
  ) as Record<AppScope, boolean>;
  const role = subject.type === "user" ? (subject.snapshot?.role ?? null) : "admin";
  return { organizationId, role, organization, allApps };
}
