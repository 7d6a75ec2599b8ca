/**
 * Building and caching permission snapshots: one statement reads the organization, the user's
 * role, teams, team apps and the policies (see `PermissionStore.load`); the snapshot is cached
 * per (organization, user) and reused while the organization's version is unchanged.
 */
import { type PermissionSnapshot, snapshotForRole, teamAppGrants } from "../authz/authorize.js";
import type { CompiledPolicy } from "../authz/policies.js";
import type { AppScope } from "../authz/scopes.js";
import type { KnownSnapshot, PolicyRecord, SnapshotRow } from "../storage/policy-store.js";
import type { Stores } from "../storage/storage.js";
import type { CallContext } from "./runtime.js";

/** The organization's policies whose subjects include the user, compiled for the engine. */
export function compilePolicies(
  policies: readonly PolicyRecord[],
  user: { readonly userKey: string; readonly role: string; readonly teamKeys: ReadonlySet<string> },
): CompiledPolicy[] {
  return policies
    .filter(
      (p) =>
        p.subjects.users.some((u) => u.key === user.userKey) ||
        p.subjects.roles.some((r) => r === user.role) ||
        p.subjects.teams.some((t) => user.teamKeys.has(t.key)),
    )
    .map((p) => ({
      id: p.key,
      name: p.name,
      effect: p.effect,
      actions: p.actions.includes("*") ? null : new Set(p.actions as AppScope[]),
      labelsAll: p.resources.labelsAll ?? null,
      labelsAny: p.resources.labelsAny ?? null,
      labelsNone: p.resources.labelsNone ?? null,
      appKeys: p.resources.apps === undefined ? null : new Set(p.resources.apps.map((a) => a.key)),
    }));
}

/** The hint that lets the read skip the grants when the cached snapshot is still current. */
export function knownOf(snapshot: PermissionSnapshot | undefined): KnownSnapshot | null {
  return snapshot?.organizationKey && snapshot.userKey
    ? { organizationKey: snapshot.organizationKey, userKey: snapshot.userKey, version: snapshot.version }
    : null;
}

/**
 * The snapshot a {@link SnapshotRow} yields: the cached one when the row says it is current,
 * else a new one (cached). Null when the user is not a member.
 */
export function snapshotFromRow(
  ctx: CallContext,
  userId: string,
  row: SnapshotRow,
  cached: PermissionSnapshot | undefined,
): PermissionSnapshot | null {
  if (row.role === null || row.userKey === null) return null;
  if (row.grants === null && cached !== undefined) return cached;
  const grants = row.grants ?? { teams: [], teamApps: [], policies: [] };
  const snapshot = snapshotForRole({
    organizationId: row.organization.id,
    organizationKey: row.organization.key,
    userId,
    userKey: row.userKey,
    version: row.organization.version,
    role: row.role,
    teamIds: grants.teams.map((t) => t.id),
    teamApps: teamAppGrants(grants.teamApps),
    policies: compilePolicies(grants.policies, {
      userKey: row.userKey,
      role: row.role,
      teamKeys: new Set(grants.teams.map((t) => t.key)),
    }),
  });
  if (row.grants !== null) ctx.rt.snapshots.set(snapshot);
  return snapshot;
}

/**
 * The user's snapshot in an organization whose key and version the caller has just read (with
 * an app, say): no query when the cache holds it at that version, else one.
 */
export async function snapshotAt(
  ctx: CallContext,
  stores: Stores,
  organization: { readonly key: string; readonly id: string; readonly version: number },
  userId: string,
  userKey: string | null,
): Promise<PermissionSnapshot | null> {
  if (userKey === null) return null;
  const cached = ctx.rt.snapshots.get(organization.id, userId);
  if (
    cached !== undefined &&
    cached.organizationKey === organization.key &&
    cached.userKey === userKey &&
    cached.version === organization.version
  ) {
    return cached;
  }
  const row = await stores.permissions.load(organization.id, userId, knownOf(cached));
  if (row === null || row.organization.key !== organization.key) return null;
  return snapshotFromRow(ctx, userId, row, cached);
}
