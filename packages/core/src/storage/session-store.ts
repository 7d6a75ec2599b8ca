import type { OrganizationRole } from "../authz/scopes.js";

/** A session as stored. Its token is never stored, only the SHA-256 of it. */
export interface SessionRecord {
  readonly key: string;
  readonly userKey: string;
  /** The organization the session acts as, or null when it acts as the user. */
  readonly organizationKey: string | null;
  readonly tokenHash: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** Absolute end: the session never lives past it, however active. */
  readonly expiresAt: Date;
  /** Sliding end: pushed forward on use, never past `expiresAt`. */
  readonly idleExpiresAt: Date;
  readonly revokedAt: Date | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** A session to insert. */
export type NewSession = Omit<SessionRecord, "revokedAt">;

/** What authenticating a session needs, read at once. */
export interface SessionAuthRow {
  readonly session: SessionRecord;
  readonly user: { readonly key: string; readonly id: string };
  /**
   * The session's organization context and the user's role in it NOW; `role` is null when the
   * user is no longer a member (the context must then be dropped).
   */
  readonly organization: {
    readonly key: string;
    readonly id: string;
    readonly role: OrganizationRole | null;
  } | null;
}

/**
 * Sessions.
 */
export interface SessionStore {
  /** Inserts a session. */
  insert(session: NewSession): Promise<SessionRecord>;
  /**
   * The session with this token hash with its user, and its organization context with the
   * user's current role there, in ONE indexed read. Null when there is no such session (revoked
   * and expired ones are returned; the caller decides).
   */
  getForAuthentication(tokenHash: string): Promise<SessionAuthRow | null>;
  /** One session of a user, or null. */
  get(userKey: string, key: string): Promise<SessionRecord | null>;
  /** Active (not revoked, not expired at `now`) sessions of a user, most recently seen first. */
  listActive(userKey: string, now: Date): Promise<SessionRecord[]>;
  /** Records use: `lastSeenAt` and the new sliding end. */
  touch(key: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void>;
  /** Sets the organization context (null for the user). */
  setContext(key: string, organizationKey: string | null): Promise<void>;
  /** Revokes one session; false when it was already revoked or does not exist. Conditional write. */
  revoke(key: string, at: Date): Promise<boolean>;
  /** Revokes every active session of a user but `exceptKey`; returns how many. */
  revokeAllForUser(userKey: string, at: Date, exceptKey?: string): Promise<number>;
}
