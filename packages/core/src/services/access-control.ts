import {
  type AuthorizationSubject,
  authorize,
  type Decision,
  type PermissionSnapshot,
  snapshotForRole,
} from "../authz/authorize.js";
import type { Scope } from "../authz/scopes.js";
import { notFound, OrgKitError } from "../errors.js";
import type { AccessRow } from "../storage/member-store.js";
import type { OrganizationRecord, UserRecord } from "../storage/records.js";
import type { Stores } from "../storage/storage.js";
import type { CallContext } from "./runtime.js";
import { assertTokenAllowed } from "./security.js";
import { knownOf, snapshotFromRow } from "./snapshots.js";

/** An access row with the permission snapshot it yields (null for a non-member or the system). */
export interface AccessState extends AccessRow {
  readonly snapshot?: PermissionSnapshot | null;
}

/** An organization the actor was allowed to act on, as read before the write. */
export interface Granted {
  readonly organization: AccessRow["organization"];
  /** The acting user's internal key; null for the system actor. */
  readonly userKey: string | null;
  readonly decision: Decision | null;
}

/** The subject the authorization engine sees for this call and access row. */
export function subjectFor(ctx: CallContext, row: AccessState): AuthorizationSubject {
  const actor = ctx.actor;
  if (actor.type === "system") return { type: "system" };
  if (actor.type === "anonymous" || row.role === null || row.userKey === null) {
    return { type: "user", userId: actor.type === "user" ? actor.userId : "", snapshot: null };
  }
  // A row read without grants (another service's plain membership read) gets the role alone.
  const snapshot =
    row.snapshot ??
    snapshotForRole({
      organizationId: row.organization.id,
      organizationKey: row.organization.key,
      userId: actor.userId,
      userKey: row.userKey,
      version: row.organization.version,
      role: row.role,
    });
  return { type: "user", userId: actor.userId, snapshot, tokenScopes: actor.tokenScopes };
}

/**
 * The organization, the actor's role and their permission snapshot, in one statement (the
 * grants part skipped when the cached snapshot is current). Null when the organization does not exist.
 */
export async function readAccess(
  stores: Stores,
  ctx: CallContext,
  organizationId: string,
): Promise<AccessState | null> {
  const actor = ctx.actor;
  if (actor.type === "user") {
    const cached = ctx.rt.snapshots.get(organizationId, actor.userId);
    const row = await stores.permissions.load(organizationId, actor.userId, knownOf(cached));
    if (row === null) return null;
    return {
      organization: row.organization,
      userKey: row.userKey,
      role: row.role,
      snapshot: snapshotFromRow(ctx, actor.userId, row, cached),
    };
  }
  const organization = await stores.organizations.getById(organizationId);
  if (organization === null) return null;
  return {
    organization: { key: organization.key, id: organization.id, version: organization.version },
    userKey: null,
    role: null,
  };
}

function decide(ctx: CallContext, row: AccessState | null, scope: Scope | null): Granted {
  // A missing organization and one the actor does not belong to answer the same NOT_FOUND.
  if (row === null) throw notFound("organizationId");
  if (ctx.actor.type === "anonymous") throw new OrgKitError("UNAUTHENTICATED");
  if (ctx.actor.type === "user" && row.role === null) throw notFound("organizationId");
  if (scope === null) return { organization: row.organization, userKey: row.userKey, decision: null };
  const decision = authorize(subjectFor(ctx, row), scope, {
    type: "organization",
    organizationId: row.organization.id,
  });
  if (!decision.allowed) {
    throw new OrgKitError("FORBIDDEN", { message: `You need the ${scope} permission in this organization.` });
  }
  return { organization: row.organization, userKey: row.userKey, decision };
}

/**
 * FORBIDDEN for a call made with a personal access token. Tokens carry scopes on organizations
 * and apps; the account itself (its sessions, other tokens, creating or leaving organizations)
 * is managed only from a signed-in session, so a token leaked with `predict` cannot sign its
 * user out everywhere or walk them out of their organization.
 */
export function refuseToken(ctx: CallContext, message: string): void {
  if (ctx.actor.type === "user" && ctx.actor.token !== undefined) {
    throw new OrgKitError("FORBIDDEN", { message });
  }
}

/**
 * Authorizes the actor for `scope` in an organization (or for bare membership when `scope` is
 * null) with one indexed read. Throws NOT_FOUND for a missing or foreign organization (the two
 * look the same) and FORBIDDEN for a member without the scope.
 */
export async function authorizeOrganization(
  ctx: CallContext,
  organizationId: string,
  scope: Scope | null,
): Promise<Granted> {
  if (typeof organizationId !== "string" || organizationId.length === 0 || organizationId.length > 64) {
    throw notFound("organizationId");
  }
  const granted = decide(ctx, await readAccess(ctx.rt.storage, ctx, organizationId), scope);
  // A token the organization's token policy forbids stops at its door (one more read, tokens only).
  if (ctx.actor.type === "user" && ctx.actor.token !== undefined) {
    await assertTokenAllowed(ctx.rt.storage, granted.organization.key, ctx.actor.token);
  }
  return granted;
}

/** An organization locked for writing, with its record as of the lock. */
export interface Locked extends Granted {
  readonly record: OrganizationRecord;
}

/**
 * Inside a write transaction: locks the organization (bumping its version) and, when anything
 * changed since `granted` was read, authorizes again against the locked state, so that a member
 * removed a moment ago cannot slip a write in.
 */
export async function lockAndRecheck(
  tx: Stores,
  ctx: CallContext,
  granted: Granted,
  scope: Scope | null,
): Promise<Locked> {
  const record = await tx.organizations.lock(granted.organization.key);
  if (record === null) throw notFound("organizationId");
  const organization = { key: record.key, id: record.id, version: record.version };
  if (record.version === granted.organization.version + 1) return { ...granted, organization, record };
  const again = decide(ctx, await readAccess(tx, ctx, granted.organization.id), scope);
  return { ...again, organization, record };
}

/** The acting user's record; UNAUTHENTICATED when the actor is not a user or no longer exists. */
export async function requireUser(ctx: CallContext, stores: Stores = ctx.rt.storage): Promise<UserRecord> {
  const actor = ctx.actor;
  if (actor.type !== "user") {
    throw new OrgKitError("UNAUTHENTICATED", { message: "This call needs a signed-in user." });
  }
  const user = await stores.users.getById(actor.userId);
  if (user === null) throw new OrgKitError("UNAUTHENTICATED", { message: "This user no longer exists." });
  return user;
}
