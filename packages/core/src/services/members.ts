import type { OrganizationRole } from "../authz/scopes.js";
import { notFound, OrgKitError } from "../errors.js";
import { type Page, parseInput } from "../schemas/common.js";
import {
  type ListMembersQuery,
  ListMembersQuerySchema,
  type Member,
  OrganizationRoleSchema,
} from "../schemas/member.js";
import { type MemberKeyset, memberSortName } from "../storage/member-store.js";
import type { Stores } from "../storage/storage.js";
import { authorizeOrganization, lockAndRecheck } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { toMember } from "./mappers.js";
import type { CallContext } from "./runtime.js";

/** Members of an organization as seen by an actor. */
export interface MembersService {
  /**
   * A page of members (needs `members:get`): search on name and email, a role filter, sorted by
   * name, email or join date either way, with a keyset cursor; `limit` is clamped to [1, 100].
   *
   * @example
   * ```ts
   * const page = await asAlice.members.list("acme", { search: "bob", sort: "joinedAt", direction: "desc" });
   * const next = page.nextCursor && await asAlice.members.list("acme", { cursor: page.nextCursor });
   * ```
   */
  list(organizationId: string, query?: ListMembersQuery): Promise<Page<Member>>;
  /** One member (needs `members:get`); NOT_FOUND when the user is not a member. */
  get(organizationId: string, userId: string): Promise<Member>;
  /** Reassigns a member's role (needs `members:update`); LAST_ADMIN when it would leave no admin. */
  updateRole(organizationId: string, userId: string, role: OrganizationRole): Promise<Member>;
  /** Removes a member (needs `members:remove`); LAST_ADMIN when it would leave no admin. */
  remove(organizationId: string, userId: string): Promise<void>;
}

/**
 * Ends a membership with the organization locked: refuses the last admin, removes the user's team
 * rows, the membership and their organization slot, and audits ORGANIZATION_MEMBER_REMOVE (with
 * `after`, e.g. `{ reason: "left" }`). Shared by `members.remove` and `organizations.leave`.
 */
export async function removeMembership(
  tx: Stores,
  ctx: CallContext,
  organization: { readonly key: string; readonly id: string },
  user: { readonly key: string; readonly id: string },
  role: OrganizationRole,
  after?: unknown,
): Promise<void> {
  if (role === "admin") await assertNotLastAdmin(tx, organization.key);
  // Team rows go with the membership, in this transaction (issue 3).
  const teamIds = await tx.teams.removeUserFromAll(organization.key, user.key);
  await tx.members.delete(organization.key, user.key);
  await tx.users.releaseOrganizationSlot(user.key);
  await recordAudit(tx, ctx, {
    organizationId: organization.id,
    organizationKey: organization.key,
    action: "ORGANIZATION_MEMBER_REMOVE",
    targetType: "membership",
    targetId: user.id,
    before: { role, ...(teamIds.length > 0 ? { teams: teamIds } : {}) },
    ...(after === undefined ? {} : { after }),
  });
}

/** Throws LAST_ADMIN when the organization has one admin or none. Call with the org locked. */
export async function assertNotLastAdmin(tx: Stores, organizationKey: string): Promise<void> {
  if ((await tx.members.countByRole(organizationKey, "admin")) <= 1) {
    throw new OrgKitError("LAST_ADMIN", {
      message: "An organization must keep at least one admin: make someone else admin first.",
    });
  }
}

function userIdParam(userId: unknown): string {
  if (typeof userId !== "string" || userId.length === 0 || userId.length > 64) throw notFound("userId");
  return userId;
}

/** Builds the members service for one actor. */
export function membersService(ctx: CallContext): MembersService {
  const { rt } = ctx;

  async function memberOf(stores: Stores, organizationKey: string, userId: string) {
    const user = await stores.users.getById(userId);
    const membership = user === null ? null : await stores.members.get(organizationKey, user.key);
    if (user === null || membership === null) throw notFound("userId");
    return { user, membership };
  }

  return {
    async list(organizationId, query = {}) {
      const q = parseInput(ListMembersQuerySchema, query);
      const granted = await authorizeOrganization(ctx, organizationId, "members:get");
      const listScope = JSON.stringify([
        granted.organization.id,
        q.sort,
        q.direction,
        q.search ?? "",
        q.role ?? "",
      ]);
      let after: MemberKeyset | undefined;
      if (q.cursor !== undefined) {
        const [value, userKey] = decodeCursor(q.cursor, listScope, [
          q.sort === "joinedAt" ? "number" : "string",
          "string",
        ]);
        after = { value: value as string | number, userKey: userKey as string };
      }
      const rows = await rt.storage.members.list(granted.organization.key, {
        search: q.search === "" ? undefined : q.search,
        role: q.role,
        sort: q.sort,
        direction: q.direction,
        after,
        limit: q.limit + 1,
      });
      const items = rows.slice(0, q.limit);
      const last = items.at(-1);
      const nextCursor =
        rows.length > q.limit && last !== undefined
          ? encodeCursor(listScope, [
              q.sort === "name"
                ? memberSortName(last.name)
                : q.sort === "email"
                  ? last.email
                  : last.joinedAt.getTime(),
              last.userKey,
            ])
          : null;
      return { items: items.map(toMember), nextCursor };
    },

    async get(organizationId, userId) {
      const granted = await authorizeOrganization(ctx, organizationId, "members:get");
      const { user, membership } = await memberOf(rt.storage, granted.organization.key, userIdParam(userId));
      return toMember({
        ...user,
        userKey: user.key,
        userId: user.id,
        role: membership.role,
        joinedAt: membership.createdAt,
      });
    },

    async updateRole(organizationId, userId, role) {
      const newRole = parseInput(OrganizationRoleSchema, role, "role");
      const granted = await authorizeOrganization(ctx, organizationId, "members:update");
      return rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "members:update");
        const { user, membership } = await memberOf(tx, locked.organization.key, userIdParam(userId));
        if (membership.role !== newRole) {
          if (membership.role === "admin") await assertNotLastAdmin(tx, locked.organization.key);
          await tx.members.updateRole(locked.organization.key, user.key, newRole, rt.clock.now());
          await recordAudit(tx, ctx, {
            organizationId: locked.organization.id,
            organizationKey: locked.organization.key,
            action: "ORGANIZATION_MEMBER_CHANGE",
            targetType: "membership",
            targetId: user.id,
            before: { role: membership.role },
            after: { role: newRole },
          });
        }
        return toMember({
          ...user,
          userKey: user.key,
          userId: user.id,
          role: newRole,
          joinedAt: membership.createdAt,
        });
      });
    },

    async remove(organizationId, userId) {
      const granted = await authorizeOrganization(ctx, organizationId, "members:remove");
      await rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "members:remove");
        const { user, membership } = await memberOf(tx, locked.organization.key, userIdParam(userId));
        await removeMembership(tx, ctx, locked.organization, user, membership.role);
      });
    },
  };
}
