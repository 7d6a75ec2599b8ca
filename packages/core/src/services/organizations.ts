import { OrgKitError } from "../errors.js";
import { newKey } from "../internal/ids.js";
import { parseInput } from "../schemas/common.js";
import {
  type CreateOrganizationInput,
  CreateOrganizationInputSchema,
  type MyOrganization,
  type Organization,
  organizationNameKey,
  type UpdateOrganizationInput,
  UpdateOrganizationInputSchema,
} from "../schemas/organization.js";
import { isUniqueViolation } from "../storage/errors.js";
import type { OrganizationPatch } from "../storage/organization-store.js";
import type { UserRecord } from "../storage/records.js";
import type { Stores } from "../storage/storage.js";
import { authorizeOrganization, lockAndRecheck, refuseToken, requireUser } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { toOrganization } from "./mappers.js";
import { removeMembership } from "./members.js";
import type { CallContext } from "./runtime.js";

/** Organizations as seen by an actor. */
export interface OrganizationsService {
  /**
   * Creates an organization; the acting user becomes its first `admin`. The id must be free
   * across users and organizations and the name unique case-insensitively (CONFLICT, param `id`
   * or `name`); ALREADY_IN_ORGANIZATION when the user is at `limits.organizationsPerUser`.
   *
   * @example
   * ```ts
   * await orgkit.as({ userId: "alice" }).organizations.create({
   *   id: "test-org", name: "Test Org", billingEmail: "test-org@example.com" });
   * ```
   */
  create(input: CreateOrganizationInput): Promise<Organization>;
  /** An organization the actor belongs to; NOT_FOUND otherwise. */
  get(organizationId: string): Promise<Organization>;
  /** The organizations the acting user belongs to, with their role, by name. */
  list(): Promise<MyOrganization[]>;
  /** Updates the profile (needs `org:update`). */
  update(organizationId: string, input: UpdateOrganizationInput): Promise<Organization>;
  /** Deletes the organization and everything it owns (needs `org:delete`, admins only). */
  delete(organizationId: string): Promise<void>;
  /** The acting user leaves the organization; LAST_ADMIN when they are its only admin. */
  leave(organizationId: string): Promise<void>;
}

function translateConflict(error: unknown): never {
  if (isUniqueViolation(error, "account_id")) {
    throw new OrgKitError("CONFLICT", { param: "id", message: "This id is taken by another account." });
  }
  if (isUniqueViolation(error, "organization_name")) {
    throw new OrgKitError("CONFLICT", {
      param: "name",
      message: "An organization with this name already exists.",
    });
  }
  throw error;
}

async function creator(ctx: CallContext, adminUserId: string | undefined): Promise<UserRecord> {
  if (ctx.actor.type === "system") {
    if (adminUserId === undefined) {
      throw new OrgKitError("VALIDATION_FAILED", {
        param: "adminUserId",
        message: "Name the user who becomes the first admin.",
      });
    }
    const user = await ctx.rt.storage.users.getById(adminUserId);
    if (user === null) throw new OrgKitError("NOT_FOUND", { param: "adminUserId" });
    return user;
  }
  if (adminUserId !== undefined) {
    throw new OrgKitError("VALIDATION_FAILED", {
      param: "adminUserId",
      message: "Only trusted code can name another user as admin.",
    });
  }
  return requireUser(ctx);
}

/** Throws ALREADY_IN_ORGANIZATION unless the user has a free organization slot (and takes it). */
export async function reserveSlot(tx: Stores, ctx: CallContext, userKey: string): Promise<void> {
  const limit = ctx.rt.limits.organizationsPerUser;
  if (!(await tx.users.reserveOrganizationSlot(userKey, limit))) {
    throw new OrgKitError("ALREADY_IN_ORGANIZATION", {
      message:
        limit === 1
          ? "You already belong to an organization; leave it before joining another one."
          : `You already belong to ${limit} organizations, the most allowed; leave one before joining another.`,
    });
  }
}

/** Builds the organizations service for one actor. */
export function organizationsService(ctx: CallContext): OrganizationsService {
  const { rt } = ctx;
  return {
    async create(input) {
      const data = parseInput(CreateOrganizationInputSchema, input);
      refuseToken(ctx, "A personal access token cannot create organizations.");
      const user = await creator(ctx, data.adminUserId);
      const organization = await rt.storage
        .transaction(async (tx) => {
          const at = rt.clock.now();
          await reserveSlot(tx, ctx, user.key);
          const created = await tx.organizations.insert({
            key: newKey(),
            id: data.id,
            name: data.name,
            nameKey: organizationNameKey(data.name),
            billingEmail: data.billingEmail,
            website: data.website ?? null,
            logoUrl: data.logoUrl ?? null,
            description: data.description ?? null,
            at,
          });
          await tx.members.insert({
            organizationKey: created.key,
            userKey: user.key,
            role: "admin",
            name: user.name,
            email: user.email,
            at,
          });
          await recordAudit(tx, ctx, {
            organizationId: created.id,
            organizationKey: created.key,
            action: "ORGANIZATION_CREATE",
            targetType: "organization",
            targetId: created.id,
            after: toOrganization(created),
          });
          await recordAudit(tx, ctx, {
            organizationId: created.id,
            organizationKey: created.key,
            action: "ORGANIZATION_MEMBER_ADD",
            targetType: "membership",
            targetId: user.id,
            after: { role: "admin" },
          });
          return created;
        })
        .catch(translateConflict);
      return toOrganization(organization);
    },

    async get(organizationId) {
      const granted = await authorizeOrganization(ctx, organizationId, null);
      const organization = await rt.storage.organizations.getByKey(granted.organization.key);
      if (organization === null) throw new OrgKitError("NOT_FOUND", { param: "organizationId" });
      return toOrganization(organization);
    },

    async list() {
      const user = await requireUser(ctx);
      const rows = await rt.storage.organizations.listForUser(user.key);
      return rows.map(({ organization, role }) => ({ ...toOrganization(organization), role }));
    },

    async update(organizationId, input) {
      const data = parseInput(UpdateOrganizationInputSchema, input);
      const granted = await authorizeOrganization(ctx, organizationId, "org:update");
      const updated = await rt.storage
        .transaction(async (tx) => {
          const { record: before } = await lockAndRecheck(tx, ctx, granted, "org:update");
          const patch: OrganizationPatch = {
            ...data,
            ...(data.name === undefined ? {} : { nameKey: organizationNameKey(data.name) }),
          };
          const after = await tx.organizations.update(before.key, patch, rt.clock.now());
          if (after === null) throw new OrgKitError("NOT_FOUND", { param: "organizationId" });
          const changed = Object.keys(data) as (keyof typeof data)[];
          await recordAudit(tx, ctx, {
            organizationId: after.id,
            action: "ORGANIZATION_UPDATE",
            targetType: "organization",
            targetId: after.id,
            before: Object.fromEntries(changed.map((field) => [field, before[field]])),
            after: Object.fromEntries(changed.map((field) => [field, after[field]])),
          });
          return after;
        })
        .catch(translateConflict);
      return toOrganization(updated);
    },

    async delete(organizationId) {
      const granted = await authorizeOrganization(ctx, organizationId, "org:delete");
      await rt.storage.transaction(async (tx) => {
        const { record: organization } = await lockAndRecheck(tx, ctx, granted, "org:delete");
        await recordAudit(tx, ctx, {
          organizationId: organization.id,
          action: "ORGANIZATION_DELETE",
          targetType: "organization",
          targetId: organization.id,
          before: toOrganization(organization),
        });
        await tx.organizations.delete(organization.key);
      });
    },

    async leave(organizationId) {
      refuseToken(ctx, "A personal access token cannot leave an organization.");
      const user = await requireUser(ctx);
      const granted = await authorizeOrganization(ctx, organizationId, null);
      await rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, null);
        const membership = await tx.members.get(locked.organization.key, user.key);
        if (membership === null) throw new OrgKitError("NOT_FOUND", { param: "organizationId" });
        await removeMembership(tx, ctx, locked.organization, user, membership.role, { reason: "left" });
      });
    },
  };
}
