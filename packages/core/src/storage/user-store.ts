import type { UserRecord } from "./records.js";

/** A user to insert. */
export interface NewUser {
  readonly key: string;
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string | null;
  readonly emailVerified: boolean;
  readonly at: Date;
}

/** How many past password hashes a user keeps: the most any policy can ask to compare. */
export const PASSWORD_HISTORY_KEPT = 24;

/**
 * Users and their claim on the shared account namespace.
 */
export interface UserStore {
  /**
   * Inserts a user and claims `id` in the account namespace shared with organizations.
   * MUST throw `UniqueViolationError("account_id")` when the id is taken by a user or an
   * organization, and `UniqueViolationError("user_email")` when the email is taken; both are
   * enforced by unique indexes, so concurrent inserts cannot both succeed.
   */
  insert(user: NewUser): Promise<UserRecord>;
  /** The user with this internal key, or null. */
  getByKey(key: string): Promise<UserRecord | null>;
  /** The user with this public id, or null. */
  getById(id: string): Promise<UserRecord | null>;
  /** The user with this normalized email, or null. */
  getByEmail(email: string): Promise<UserRecord | null>;
  /** Marks the user's email as verified. */
  markEmailVerified(key: string, at: Date): Promise<void>;
  /**
   * Sets a new password hash and `passwordChangedAt`; a non-null hash is also appended to the
   * user's password history, of which only the newest {@link PASSWORD_HISTORY_KEPT} are kept.
   */
  setPasswordHash(key: string, passwordHash: string | null, at: Date): Promise<void>;
  /**
   * Replaces the hash of the SAME password (a rehash with stronger parameters on sign-in), only
   * if the stored hash is still `expected`; history and `passwordChangedAt` are left alone.
   */
  replacePasswordHash(key: string, expected: string, passwordHash: string): Promise<boolean>;
  /** The newest `limit` password hashes of the user (the current one first). */
  passwordHistory(key: string, limit: number): Promise<string[]>;
  /**
   * Counts a failed password sign-in in one atomic write: failures older than `windowMs` are
   * forgotten first, and reaching `maxAttempts` locks sign-in until `at + lockMs`. Returns the
   * lock's end, or null when not locked.
   */
  recordFailedSignIn(
    key: string,
    at: Date,
    rule: { readonly maxAttempts: number; readonly windowMs: number; readonly lockMs: number },
  ): Promise<Date | null>;
  /** Forgets failed sign-ins and any lock (after a successful sign-in or a password reset). */
  clearFailedSignIns(key: string): Promise<void>;
  /** Stores a password-reset request by the SHA-256 of its emailed token. */
  insertPasswordReset(reset: {
    tokenHash: string;
    userKey: string;
    at: Date;
    expiresAt: Date;
  }): Promise<void>;
  /**
   * Uses a password-reset request: one conditional write on "unused and unexpired at `at`", so
   * that a token works once. Returns the user's key, or null.
   */
  consumePasswordReset(tokenHash: string, at: Date): Promise<string | null>;
  /** The user key of an unused, unexpired password-reset request, without using it; or null. */
  findPasswordReset(tokenHash: string, at: Date): Promise<string | null>;
  /**
   * Atomically adds one to the number of organizations the user belongs to, only if it is
   * below `limit`. MUST be one conditional write (it also locks the user row until the
   * transaction ends); returns false, writing nothing, when the user is at the limit.
   */
  reserveOrganizationSlot(key: string, limit: number): Promise<boolean>;
  /** Gives back one organization slot (the user left or was removed). Never goes below zero. */
  releaseOrganizationSlot(key: string): Promise<void>;
}
