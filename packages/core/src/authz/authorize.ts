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
      readonly organizationId: string;
      readonly appId: string;
      readonly labels?: readonly string[];
    };

/** One fact that contributed to a decision, for "why can't Bob do this?". */
export type DecisionReason =
  | { readonly type: "system" }
  | { readonly type: "not_member"; readonly organizationId: string }
  | { readonly type: "role"; readonly role: OrganizationRole; readonly effect: "allow" }
  | { readonly type: "no_grant"; readonly role: OrganizationRole }
  | { readonly type: "token_scope"; readonly effect: "deny" };

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
  const snapshot = subject.snapshot;
  if (snapshot === null || snapshot.organizationId !== resource.organizationId) {
    return {
      allowed: false,
      action,
      resource,
      reasons: [{ type: "not_member", organizationId: resource.organizationId }],
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

/**
 * Computes the snapshot of a role in an organization. Team, collaborator and policy grants are
 * folded in here as they arrive, so that {@link authorize} stays a set lookup.
 */
export function snapshotForRole(input: {
  organizationId: string;
  userId: string;
  version: number;
  role: OrganizationRole;
}): PermissionSnapshot {
  const definition = ROLE_DEFINITIONS[input.role];
  return {
    ...input,
    organizationScopes: new Set<OrganizationScope>(definition.organizationScopes),
    appScopes: new Set<AppScope>(definition.appScopes),
  };
}

/** The matrix a UI hides controls with: for each scope, whether the subject holds it. */
export interface PermissionMatrix {
  readonly organizationId: string;
  readonly role: OrganizationRole | null;
  /** Organization-level scopes, each with whether it is granted on the organization. */
  readonly organization: Readonly<Record<OrganizationScope, boolean>>;
  /** App-level scopes granted on every app of the organization by the role alone. */
  readonly allApps: Readonly<Record<AppScope, boolean>>;
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
