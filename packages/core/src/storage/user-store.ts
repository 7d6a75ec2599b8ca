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
  /** Replaces the user's password hash. */
  setPasswordHash(key: string, passwordHash: string | null, at: Date): Promise<void>;
  /**
   * Atomically adds one to the number of organizations the user belongs to, only if it is
   * below `limit`. MUST be one conditional write (it also locks the user row until the
   * transaction ends); returns false, writing nothing, when the user is at the limit.
   */
  reserveOrganizationSlot(key: string, limit: number): Promise<boolean>;
  /** Gives back one organization slot (the user left or was removed). Never goes below zero. */
  releaseOrganizationSlot(key: string): Promise<void>;
}
