/**
 * The records the storage port reads and writes, in domain terms. Adapters convert their
 * columns to and from these; times are `Date`s, booleans are booleans, lists are arrays.
 */
import type { OrganizationRole } from "../authz/scopes.js";

/** A user as stored. `key` is internal and stable; `id` is the public account id. */
export interface UserRecord {
  readonly key: string;
  readonly id: string;
  /** Trimmed and lower-cased. */
  readonly email: string;
  readonly name: string;
  /** A PHC string (`$scrypt$...`), or null for a user who signs in another way. */
  readonly passwordHash: string | null;
  readonly emailVerified: boolean;
  /** When the password was last set (for password lifespans); null without a password. */
  readonly passwordChangedAt: Date | null;
  /** Until when password sign-in is locked after repeated failures; null when not locked. */
  readonly lockedUntil: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An organization as stored. */
export interface OrganizationRecord {
  readonly key: string;
  readonly id: string;
  readonly name: string;
  readonly billingEmail: string;
  readonly website: string | null;
  readonly logoUrl: string | null;
  readonly description: string | null;
  /**
   * Bumped in the same transaction as every membership, team, role or policy change, so that a
   * cached permission snapshot can tell it is stale.
   */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A membership row: one user's role in one organization. */
export interface MembershipRecord {
  readonly organizationKey: string;
  readonly userKey: string;
  readonly role: OrganizationRole;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** One row of a members list: the membership with the member's public profile. */
export interface MemberRow {
  readonly userKey: string;
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly role: OrganizationRole;
  readonly joinedAt: Date;
}

/** The stored lifecycle of an invitation. `expired` is also derived when `expiresAt` passes. */
export const INVITATION_STATUSES = ["pending", "accepted", "declined", "revoked", "expired"] as const;
/** One of {@link INVITATION_STATUSES}. */
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** An invitation as stored. The token itself is never stored, only its SHA-256. */
export interface InvitationRecord {
  readonly key: string;
  readonly organizationKey: string;
  readonly email: string;
  readonly role: OrganizationRole;
  readonly teamIds: readonly string[];
  readonly tokenHash: string;
  readonly status: InvitationStatus;
  readonly inviterUserKey: string | null;
  readonly expiresAt: Date;
  readonly respondedAt: Date | null;
  readonly acceptedUserKey: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The subject of an audit event's actor. */
export interface AuditActor {
  readonly type: "user" | "system" | "anonymous";
  /** The user's public id, or null for system and anonymous actors. */
  readonly id: string | null;
}

/** An audit event to append. */
export interface AuditEventInput {
  readonly organizationId: string | null;
  /** The organization's internal key when the caller has it (saves the store a lookup). */
  readonly organizationKey?: string | null | undefined;
  readonly actor: AuditActor;
  /** Clarifai's vocabulary (`ORGANIZATION_MEMBER_ADD`, ...) plus orgkit's own. */
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly ip: string | null;
  readonly outcome: "success" | "failure";
  readonly at: Date;
}

/** An audit event as stored: the input, its place in its chain and its hashes. */
export interface AuditEventRecord extends AuditEventInput {
  readonly id: string;
  /** The hash chain it belongs to: `org:<organization key>`, or `global` without an organization. */
  readonly chain: string;
  /** Its position in the chain: 1, 2, 3, … with no gap. */
  readonly sequence: number;
  /** The hash of the event before it in the chain (64 zeros for the first). */
  readonly previousHash: string;
  /** SHA-256 of this event's fields and `previousHash` ({@link hashAuditEvent}). */
  readonly hash: string;
}
/** Delivery state of an outgoing message. */
export type OutboxStatus = "pending" | "sent" | "failed";

/** An outgoing message as stored in the outbox. */
export interface OutboxMessageRecord {
  readonly id: string;
  /** The template that renders it (`invitation`, ...). */
  readonly template: string;
  readonly to: string;
  readonly subject: string;
  /** A plain-text body; null once the message was delivered (it may carry a secret link). */
  readonly text: string | null;
  /** The template's data; null once delivered, for the same reason. */
  readonly data: Record<string, unknown> | null;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}
