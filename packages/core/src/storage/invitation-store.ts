import type { OrganizationRole } from "../authz/scopes.js";
import type { InvitationRecord, InvitationStatus } from "./records.js";

/** An invitation to insert (always pending). */
export interface NewInvitation {
  readonly key: string;
  readonly organizationKey: string;
  readonly email: string;
  readonly role: OrganizationRole;
  readonly teamIds: readonly string[];
  readonly tokenHash: string;
  readonly inviterUserKey: string | null;
  readonly expiresAt: Date;
  readonly at: Date;
}

/** A pending-invitations page query. */
export interface InvitationListQuery {
  /** Only invitations still valid at this time. */
  readonly now: Date;
  /** Rows strictly after this (createdAt, key) position, newest first. */
  readonly after?: { readonly createdAt: number; readonly key: string } | undefined;
  readonly limit: number;
}

/** A terminal transition of a pending invitation. */
export interface InvitationTransition {
  readonly to: Exclude<InvitationStatus, "pending">;
  readonly at: Date;
  /** The user who accepted (for `accepted`). */
  readonly acceptedUserKey?: string | null;
}

/**
 * Invitations. A token is stored only as its SHA-256 hash.
 */
export interface InvitationStore {
  /**
   * Inserts a pending invitation. MUST throw `UniqueViolationError("pending_invitation")` when the
   * organization already has a pending invitation for the email (a partial unique index on
   * pending rows), and `UniqueViolationError("invitation_token")` for a duplicate token hash.
   */
  insert(invitation: NewInvitation): Promise<InvitationRecord>;
  /** The invitation with this key in this organization, or null. */
  get(organizationKey: string, key: string): Promise<InvitationRecord | null>;
  /** The invitation whose token hashes to `tokenHash`, or null. */
  getByTokenHash(tokenHash: string): Promise<InvitationRecord | null>;
  /** Marks pending invitations for `email` whose expiry has passed as `expired`. */
  expireStale(organizationKey: string, email: string, now: Date): Promise<void>;
  /** Pending, unexpired invitations, newest first, strictly after `after`. */
  listPending(organizationKey: string, query: InvitationListQuery): Promise<InvitationRecord[]>;
  /**
   * Moves a pending, unexpired invitation to a terminal status. MUST be one conditional write
   * (`... WHERE status = 'pending' AND expires_at > at`): of any number of concurrent callers,
   * exactly one gets true; the others get false and write nothing.
   */
  transition(key: string, transition: InvitationTransition): Promise<boolean>;
  /**
   * Replaces the token hash and the expiry of a pending invitation (resend). One conditional
   * write on `status = 'pending'`; returns false when the invitation is no longer pending.
   */
  rotateToken(key: string, tokenHash: string, expiresAt: Date, at: Date): Promise<boolean>;
}
