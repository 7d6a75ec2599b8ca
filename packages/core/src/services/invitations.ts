import { OrgKitError } from "../errors.js";
import { newKey, randomBase62, sha256Hex } from "../internal/ids.js";
import type { DeliveryStatus, InvitationMailData, OutgoingMessage } from "../mail.js";
import { type Page, PageQuerySchema, parseInput } from "../schemas/common.js";
import {
  type CreateInvitationInput,
  CreateInvitationInputSchema,
  type Invitation,
  type InvitationPreview,
  InvitationTokenSchema,
} from "../schemas/invitation.js";
import type { Member } from "../schemas/member.js";
import type { Organization } from "../schemas/organization.js";
import { isUniqueViolation } from "../storage/errors.js";
import type { InvitationRecord, OrganizationRecord } from "../storage/records.js";
import type { Stores } from "../storage/storage.js";
import {
  authorizeOrganization,
  type Granted,
  type Locked,
  lockAndRecheck,
  requireUser,
} from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { deliver, enqueueMessage } from "./mail-delivery.js";
import { effectiveStatus, toInvitation, toOrganization } from "./mappers.js";
import { reserveSlot } from "./organizations.js";
import { enforceRateLimits } from "./rate-limit.js";
import type { CallContext, Runtime } from "./runtime.js";

/** What creating or resending an invitation returns. The token is shown here once, never again. */
export interface IssuedInvitation {
  readonly invitation: Invitation;
  /** The secret token; only its SHA-256 is stored. */
  readonly token: string;
  /** The accept link sent to the invitee. */
  readonly acceptUrl: string;
  /** The outgoing message and what happened to it after commit. */
  readonly mail: { readonly id: string; readonly status: DeliveryStatus };
}

/** What accepting an invitation returns. */
export interface AcceptedInvitation {
  readonly organization: Organization;
  readonly member: Member;
}

/** Invitations as seen by an actor. */
export interface InvitationsService {
  /**
   * Invites an email address with a role (needs `members:invite`). ALREADY_MEMBER when the address
   * belongs to a member; INVITATION_ALREADY_PENDING when one is pending. The accept link is mailed
   * after commit.
   *
   * @example
   * ```ts
   * const { token, acceptUrl } = await asAlice.invitations.create("acme", { email: "bob@acme.test", role: "org_user" });
   * ```
   */
  create(organizationId: string, input: CreateInvitationInput): Promise<IssuedInvitation>;
  /** Pending, unexpired invitations, newest first (needs `members:invite`). */
  listPending(organizationId: string, query?: { limit?: number; cursor?: string }): Promise<Page<Invitation>>;
  /** Rescinds a pending invitation (needs `members:invite`); its link stops working at once. */
  rescind(organizationId: string, invitationId: string): Promise<Invitation>;
  /** Sends a pending invitation again with a new token and a new expiry; the old link stops working. */
  resend(organizationId: string, invitationId: string): Promise<IssuedInvitation>;
  /**
   * The acting user accepts: their email must equal the invited one (INVITATION_EMAIL_MISMATCH),
   * the one-organization rule holds (ALREADY_IN_ORGANIZATION), and of any number of concurrent
   * accepts exactly one succeeds (INVITATION_ALREADY_USED for the others).
   */
  accept(token: string): Promise<AcceptedInvitation>;
  /** Declines an invitation; anyone holding the token may. */
  decline(token: string): Promise<void>;
  /** What the accept page shows; anyone holding the token may look. */
  lookup(token: string): Promise<InvitationPreview>;
}

function statusError(status: InvitationRecord["status"]): OrgKitError {
  switch (status) {
    case "accepted":
      return new OrgKitError("INVITATION_ALREADY_USED");
    case "declined":
      return new OrgKitError("INVITATION_DECLINED");
    case "revoked":
      return new OrgKitError("INVITATION_REVOKED");
    default:
      return new OrgKitError("INVITATION_EXPIRED");
  }
}

function invitationIdParam(invitationId: unknown): string {
  if (typeof invitationId !== "string" || invitationId.length === 0 || invitationId.length > 64) {
    throw new OrgKitError("NOT_FOUND", { param: "invitationId" });
  }
  return invitationId;
}

function newToken(): { token: string; tokenHash: string } {
  const token = `orgkit_inv_${randomBase62(43)}`;
  return { token, tokenHash: sha256Hex(token) };
}

function invitationMessage(
  rt: Runtime,
  organization: OrganizationRecord,
  inviterName: string | null,
  invitation: { email: string; role: string; expiresAt: Date },
  acceptUrl: string,
): Omit<OutgoingMessage, "id"> {
  const data: InvitationMailData = {
    organizationId: organization.id,
    organizationName: organization.name,
    inviterName,
    role: invitation.role,
    acceptUrl,
    expiresAt: invitation.expiresAt.toISOString(),
    productName: rt.productName,
  };
  const who = inviterName ?? "An administrator";
  return {
    template: "invitation",
    to: invitation.email,
    subject: `${who} invited you to join ${organization.name} on ${rt.productName}`,
    text: [
      `${who} invited you to join the organization ${organization.name} on ${rt.productName} as ${invitation.role}.`,
      "",
      `Accept or decline the invitation: ${acceptUrl}`,
      "",
      `The invitation expires on ${invitation.expiresAt.toUTCString()}. If you did not expect it, ignore this email.`,
    ].join("\n"),
    data: { ...data },
  };
}

/** Builds the invitations service for one actor. */
export function invitationsService(ctx: CallContext): InvitationsService {
  const { rt } = ctx;

  /** Invitations send mail: they are rate-limited per inviting account and per organization. */
  function limitInvitations(granted: Granted): Promise<void> {
    return enforceRateLimits(rt.rateLimiter, [
      [granted.userKey && `invitations:account:${granted.userKey}`, rt.rateLimits.invitation.perAccount],
      [`invitations:organization:${granted.organization.key}`, rt.rateLimits.invitation.perOrganization],
    ]);
  }

  async function inviterName(stores: Stores, userKey: string | null): Promise<string | null> {
    if (userKey === null) return null;
    return (await stores.users.getByKey(userKey))?.name ?? null;
  }

  async function inviterId(stores: Stores, userKey: string | null): Promise<string | null> {
    if (userKey === null) return null;
    return (await stores.users.getByKey(userKey))?.id ?? null;
  }

  /** Issues a token and an outbox message inside `tx`; used by create and resend. */
  async function issue(
    tx: Stores,
    locked: Locked,
    write: (token: { token: string; tokenHash: string }, expiresAt: Date) => Promise<InvitationRecord>,
  ): Promise<{ record: InvitationRecord; token: string; acceptUrl: string; message: OutgoingMessage }> {
    const organization = locked.record;
    const token = newToken();
    const expiresAt = new Date(rt.clock.now().getTime() + rt.invitationTtlMs);
    const record = await write(token, expiresAt);
    const acceptUrl = rt.invitationLink(token.token);
    const name = await inviterName(tx, locked.userKey);
    const message = await enqueueMessage(
      tx,
      rt,
      invitationMessage(rt, organization, name, record, acceptUrl),
    );
    return { record, token: token.token, acceptUrl, message };
  }

  async function issued(
    granted: Granted,
    result: { record: InvitationRecord; token: string; acceptUrl: string; message: OutgoingMessage },
  ): Promise<IssuedInvitation> {
    const status = await deliver(rt, result.message);
    const actor = ctx.actor;
    return {
      invitation: toInvitation(
        result.record,
        granted.organization.id,
        actor.type === "user" ? actor.userId : null,
        rt.clock.now(),
      ),
      token: result.token,
      acceptUrl: result.acceptUrl,
      mail: { id: result.message.id, status },
    };
  }

  async function byToken(token: unknown): Promise<InvitationRecord> {
    const valid = parseInput(InvitationTokenSchema, token, "token");
    const invitation = await rt.storage.invitations.getByTokenHash(sha256Hex(valid));
    if (invitation === null) throw new OrgKitError("NOT_FOUND", { param: "token" });
    return invitation;
  }

  function assertPending(invitation: InvitationRecord): void {
    const status = effectiveStatus(invitation, rt.clock.now());
    if (status !== "pending") throw statusError(status);
  }

  /** After a lost conditional write: why the invitation is no longer pending. */
  async function whyNotPending(tx: Stores, invitation: InvitationRecord): Promise<OrgKitError> {
    const current = await tx.invitations.get(invitation.organizationKey, invitation.key);
    return statusError(current === null ? "revoked" : effectiveStatus(current, rt.clock.now()));
  }

  return {
    async create(organizationId, input) {
      const data = parseInput(CreateInvitationInputSchema, input);
      const granted = await authorizeOrganization(ctx, organizationId, "members:invite");
      await limitInvitations(granted);
      const result = await rt.storage
        .transaction(async (tx) => {
          const locked = await lockAndRecheck(tx, ctx, granted, "members:invite");
          const existing = await tx.users.getByEmail(data.email);
          if (existing !== null && (await tx.members.get(locked.organization.key, existing.key)) !== null) {
            throw new OrgKitError("ALREADY_MEMBER", { param: "email" });
          }
          // Teams to join on accepting must be the organization's own (issue 3).
          for (const [index, teamId] of data.teamIds.entries()) {
            if ((await tx.teams.get(locked.organization.key, teamId)) === null) {
              throw new OrgKitError("NOT_FOUND", { param: `teamIds.${index}` });
            }
          }
          const now = rt.clock.now();
          await tx.invitations.expireStale(locked.organization.key, data.email, now);
          const out = await issue(tx, locked, (token, expiresAt) =>
            tx.invitations.insert({
              key: newKey(),
              organizationKey: locked.organization.key,
              email: data.email,
              role: data.role,
              teamIds: data.teamIds,
              tokenHash: token.tokenHash,
              inviterUserKey: locked.userKey,
              expiresAt,
              at: now,
            }),
          );
          await recordAudit(tx, ctx, {
            organizationId: locked.organization.id,
            organizationKey: locked.organization.key,
            action: "ORGANIZATION_INVITATION_CREATE",
            targetType: "invitation",
            targetId: out.record.key,
            after: {
              email: data.email,
              role: data.role,
              teamIds: data.teamIds,
              expiresAt: out.record.expiresAt,
            },
          });
          return out;
        })
        .catch((error: unknown) => {
          if (isUniqueViolation(error, "pending_invitation")) {
            throw new OrgKitError("INVITATION_ALREADY_PENDING", { param: "email" });
          }
          throw error;
        });
      return issued(granted, result);
    },

    async listPending(organizationId, query = {}) {
      const q = parseInput(PageQuerySchema.strict(), query);
      const granted = await authorizeOrganization(ctx, organizationId, "members:invite");
      const listScope = `invitations:${granted.organization.id}`;
      let after: { createdAt: number; key: string } | undefined;
      if (q.cursor !== undefined) {
        const [createdAt, key] = decodeCursor(q.cursor, listScope, ["number", "string"]);
        after = { createdAt: createdAt as number, key: key as string };
      }
      const now = rt.clock.now();
      const rows = await rt.storage.invitations.listPending(granted.organization.key, {
        now,
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const inviters = new Map<string | null, string | null>();
      for (const row of page) {
        if (!inviters.has(row.inviterUserKey)) {
          inviters.set(row.inviterUserKey, await inviterId(rt.storage, row.inviterUserKey));
        }
      }
      const last = page.at(-1);
      return {
        items: page.map((row) =>
          toInvitation(row, granted.organization.id, inviters.get(row.inviterUserKey) ?? null, now),
        ),
        nextCursor:
          rows.length > q.limit && last !== undefined
            ? encodeCursor(listScope, [last.createdAt.getTime(), last.key])
            : null,
      };
    },

    async rescind(organizationId, invitationId) {
      const id = invitationIdParam(invitationId);
      const granted = await authorizeOrganization(ctx, organizationId, "members:invite");
      return rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "members:invite");
        const invitation = await tx.invitations.get(locked.organization.key, id);
        if (invitation === null) throw new OrgKitError("NOT_FOUND", { param: "invitationId" });
        assertPending(invitation);
        const at = rt.clock.now();
        if (!(await tx.invitations.transition(invitation.key, { to: "revoked", at }))) {
          throw await whyNotPending(tx, invitation);
        }
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_INVITATION_CANCEL",
          targetType: "invitation",
          targetId: invitation.key,
          before: { status: "pending" },
          after: { status: "revoked", email: invitation.email },
        });
        const revoked = { ...invitation, status: "revoked" as const, respondedAt: at, updatedAt: at };
        return toInvitation(
          revoked,
          locked.organization.id,
          await inviterId(tx, invitation.inviterUserKey),
          at,
        );
      });
    },

    async resend(organizationId, invitationId) {
      const id = invitationIdParam(invitationId);
      const granted = await authorizeOrganization(ctx, organizationId, "members:invite");
      await limitInvitations(granted);
      const result = await rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "members:invite");
        const invitation = await tx.invitations.get(locked.organization.key, id);
        if (invitation === null) throw new OrgKitError("NOT_FOUND", { param: "invitationId" });
        // A pending invitation past its expiry may be resent: that is what resending is for.
        if (invitation.status !== "pending") throw statusError(invitation.status);
        const out = await issue(tx, locked, async (token, expiresAt) => {
          if (
            !(await tx.invitations.rotateToken(invitation.key, token.tokenHash, expiresAt, rt.clock.now()))
          ) {
            throw await whyNotPending(tx, invitation);
          }
          return { ...invitation, tokenHash: token.tokenHash, expiresAt, updatedAt: rt.clock.now() };
        });
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_INVITATION_RESEND",
          targetType: "invitation",
          targetId: invitation.key,
          before: { expiresAt: invitation.expiresAt },
          after: { expiresAt: out.record.expiresAt },
        });
        return out;
      });
      return issued(granted, result);
    },

    async accept(token) {
      const invitation = await byToken(token);
      const user = await requireUser(ctx);
      assertPending(invitation);
      if (user.email !== invitation.email) throw new OrgKitError("INVITATION_EMAIL_MISMATCH");
      return rt.storage.transaction(async (tx) => {
        const at = rt.clock.now();
        const organization = await tx.organizations.lock(invitation.organizationKey);
        if (organization === null) throw new OrgKitError("NOT_FOUND", { param: "token" });
        if (
          !(await tx.invitations.transition(invitation.key, {
            to: "accepted",
            at,
            acceptedUserKey: user.key,
          }))
        ) {
          throw await whyNotPending(tx, invitation);
        }
        if ((await tx.members.get(invitation.organizationKey, user.key)) !== null) {
          throw new OrgKitError("ALREADY_MEMBER");
        }
        await reserveSlot(tx, ctx, user.key);
        const membership = await tx.members.insert({
          organizationKey: invitation.organizationKey,
          userKey: user.key,
          role: invitation.role,
          name: user.name,
          email: user.email,
          at,
        });
        // The invitation's teams that still exist, joined in this transaction.
        const teams = [];
        for (const teamId of invitation.teamIds) {
          const team = await tx.teams.get(invitation.organizationKey, teamId);
          if (team === null) continue;
          await tx.teams.addMembers(team, [{ userKey: user.key, name: user.name, email: user.email }], at);
          teams.push(team.id);
        }
        // The token reached the invitee's mailbox, so accepting it proves they own the address.
        if (!user.emailVerified) await tx.users.markEmailVerified(user.key, at);
        await recordAudit(tx, ctx, {
          organizationId: organization.id,
          organizationKey: organization.key,
          action: "ORGANIZATION_INVITATION_ACCEPT",
          targetType: "invitation",
          targetId: invitation.key,
          before: { status: "pending" },
          after: { status: "accepted" },
        });
        await recordAudit(tx, ctx, {
          organizationId: organization.id,
          organizationKey: organization.key,
          action: "ORGANIZATION_MEMBER_ADD",
          targetType: "membership",
          targetId: user.id,
          after: {
            role: invitation.role,
            invitationId: invitation.key,
            ...(teams.length > 0 ? { teams } : {}),
          },
        });
        return {
          organization: toOrganization(organization),
          member: {
            userId: user.id,
            name: user.name,
            email: user.email,
            role: membership.role,
            joinedAt: membership.createdAt,
          },
        };
      });
    },

    async decline(token) {
      const invitation = await byToken(token);
      assertPending(invitation);
      await rt.storage.transaction(async (tx) => {
        const at = rt.clock.now();
        if (!(await tx.invitations.transition(invitation.key, { to: "declined", at }))) {
          throw await whyNotPending(tx, invitation);
        }
        const organization = await tx.organizations.getByKey(invitation.organizationKey);
        await recordAudit(tx, ctx, {
          organizationId: organization?.id ?? null,
          action: "ORGANIZATION_INVITATION_DECLINE",
          targetType: "invitation",
          targetId: invitation.key,
          before: { status: "pending" },
          after: { status: "declined" },
        });
      });
    },

    async lookup(token) {
      const invitation = await byToken(token);
      const organization = await rt.storage.organizations.getByKey(invitation.organizationKey);
      if (organization === null) throw new OrgKitError("NOT_FOUND", { param: "token" });
      const inviter =
        invitation.inviterUserKey === null
          ? null
          : await rt.storage.users.getByKey(invitation.inviterUserKey);
      return {
        organization: { id: organization.id, name: organization.name, logoUrl: organization.logoUrl },
        inviter: inviter === null ? null : { id: inviter.id, name: inviter.name },
        email: invitation.email,
        role: invitation.role,
        status: effectiveStatus(invitation, rt.clock.now()),
        expiresAt: invitation.expiresAt,
      };
    },
  };
}
