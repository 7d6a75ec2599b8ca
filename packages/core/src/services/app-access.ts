/**
 * Authorizing a call on one app: one indexed read of the app with its organization's version
 * and the actor's collaborator role, the actor's permission snapshot (cached per organization
 * version; one more read when cold), then the pure engine.
 */
import { type AuthorizationSubject, authorize, type Decision, type Resource } from "../authz/authorize.js";
import type { Scope } from "../authz/scopes.js";
import { notFound, OrgKitError } from "../errors.js";
import type { App } from "../schemas/app.js";
import type { AppAccessRow, AppRecord } from "../storage/app-store.js";
import type { Stores } from "../storage/storage.js";
import type { CallContext } from "./runtime.js";
import { assertTokenAllowed } from "./security.js";
import { snapshotAt } from "./snapshots.js";

/** An app the actor was allowed to act on, with what decided it. */
export interface AppGrant {
  readonly row: AppAccessRow;
  readonly app: AppRecord;
  readonly subject: AuthorizationSubject;
  readonly resource: Extract<Resource, { type: "app" }>;
  readonly decision: Decision;
}

/** The engine's view of an app, with the actor's collaborator role read alongside. */
export function appResource(
  app: AppRecord,
  organizationId: string | null,
  collaboratorRole: AppAccessRow["collaboratorRole"],
): Extract<Resource, { type: "app" }> {
  return {
    type: "app",
    organizationId,
    appId: app.id,
    appKey: app.key,
    ownerType: app.ownerType,
    ownerId: app.ownerId,
    labels: app.labels,
    visibility: app.visibility,
    collaboratorRole,
  };
}

/**
 * An id from a caller, to look up: NOT_FOUND on `param`, like a missing row, for anything no stored
 * id can be (not a string, empty, over 64 characters, or holding a NUL, which Postgres refuses in text).
 */
export function idParam(value: unknown, param: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 64 || value.includes("\u0000")) {
    throw notFound(param);
  }
  return value;
}

/** The subject for a call on an app of `row`'s owner. */
export async function appSubject(
  ctx: CallContext,
  stores: Stores,
  row: Pick<AppAccessRow, "organization" | "actorKey">,
): Promise<AuthorizationSubject> {
  const actor = ctx.actor;
  if (actor.type === "system") return { type: "system" };
  if (actor.type !== "user") throw new OrgKitError("UNAUTHENTICATED");
  const snapshot =
    row.organization === null
      ? null
      : await snapshotAt(ctx, stores, row.organization, actor.userId, row.actorKey);
  return { type: "user", userId: actor.userId, snapshot, tokenScopes: actor.tokenScopes };
}

/**
 * Authorizes `scope` on the app `appId` of account `ownerId`. An app the actor may not see
 * (`apps:get`) answers NOT_FOUND exactly like a missing one; a visible app without the scope
 * answers FORBIDDEN, also when only the actor's token lacks it (the user can see the app).
 * Pass `tx` to authorize inside a write transaction.
 */
export async function authorizeApp(
  ctx: CallContext,
  ownerId: string,
  appId: string,
  scope: Scope,
  stores: Stores = ctx.rt.storage,
): Promise<AppGrant> {
  idParam(ownerId, "ownerId");
  idParam(appId, "appId");
  const actor = ctx.actor;
  if (actor.type === "anonymous") throw new OrgKitError("UNAUTHENTICATED");
  const row = await stores.apps.getForAccess(ownerId, appId, actor.type === "user" ? actor.userId : null);
  if (row === null) throw notFound("appId");
  const subject = await appSubject(ctx, stores, row);
  const resource = appResource(row.app, row.organization?.id ?? null, row.collaboratorRole);
  // Whether the app exists for the actor is the user's own standing: a token that lacks the scope
  // (even apps:get) is FORBIDDEN on an app its user can see, not told the app is missing.
  const narrowed = subject.type === "user" && subject.tokenScopes !== undefined;
  const visible = authorize(
    narrowed ? { ...subject, tokenScopes: undefined } : subject,
    "apps:get",
    resource,
  );
  if (!visible.allowed) throw notFound("appId");
  const decision = scope === "apps:get" && !narrowed ? visible : authorize(subject, scope, resource);
  if (!decision.allowed) {
    throw new OrgKitError("FORBIDDEN", { message: `You need the ${scope} permission on this app.` });
  }
  if (actor.type === "user" && actor.token !== undefined && row.organization !== null) {
    await assertTokenAllowed(stores, row.organization.key, actor.token);
  }
  return { row, app: row.app, subject, resource, decision };
}

/** An app record as the API shows it. */
export function toApp(app: AppRecord, pinned: boolean): App {
  return {
    id: app.id,
    ownerId: app.ownerId,
    ownerType: app.ownerType,
    name: app.name,
    description: app.description,
    labels: [...app.labels],
    visibility: app.visibility,
    pinned,
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
  };
}

/** The audit fields of an event about an app: its organization's chain, or the global one. */
export function appAuditScope(row: Pick<AppAccessRow, "organization">): {
  organizationId: string | null;
  organizationKey: string | null;
} {
  return { organizationId: row.organization?.id ?? null, organizationKey: row.organization?.key ?? null };
}
