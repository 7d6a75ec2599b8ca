import type { Invitation } from "../schemas/invitation.js";
import type { Member } from "../schemas/member.js";
import type { Organization } from "../schemas/organization.js";
import type { PublicUser, User } from "../schemas/user.js";
import type { InvitationRecord, MemberRow, OrganizationRecord, UserRecord } from "../storage/records.js";

/** A user record as its owner sees it (never the hash). */
export function toUser(user: UserRecord): User {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    emailVerified: user.emailVerified,
    hasPassword: user.passwordHash !== null,
    createdAt: user.createdAt,
  };
}

/** A user record as others see it. */
export function toPublicUser(user: UserRecord): PublicUser {
  return { id: user.id, name: user.name };
}

/** An organization record as the API shows it. */
export function toOrganization(organization: OrganizationRecord): Organization {
  return {
    id: organization.id,
    name: organization.name,
    billingEmail: organization.billingEmail,
    website: organization.website,
    logoUrl: organization.logoUrl,
    description: organization.description,
    createdAt: organization.createdAt,
    updatedAt: organization.updatedAt,
  };
}

/** A members-list row as the API shows it. */
export function toMember(row: MemberRow): Member {
  return { userId: row.userId, name: row.name, email: row.email, role: row.role, joinedAt: row.joinedAt };
}

/** The status an invitation has now: a pending one past its expiry reads as expired. */
export function effectiveStatus(invitation: InvitationRecord, now: Date): InvitationRecord["status"] {
  return invitation.status === "pending" && invitation.expiresAt.getTime() <= now.getTime()
    ? "expired"
    : invitation.status;
}

/** An invitation record as the organization's admins see it (never the token hash). */
export function toInvitation(
  invitation: InvitationRecord,
  organizationId: string,
  invitedBy: string | null,
  now: Date,
): Invitation {
  return {
    id: invitation.key,
    organizationId,
    email: invitation.email,
    role: invitation.role,
    teamIds: [...invitation.teamIds],
    status: effectiveStatus(invitation, now),
    invitedBy,
    expiresAt: invitation.expiresAt,
    createdAt: invitation.createdAt,
  };
}
