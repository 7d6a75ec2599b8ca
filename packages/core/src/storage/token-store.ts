import type { Scope } from "../authz/scopes.js";

/** A personal access token as stored: the SHA-256 of the token and a display prefix, never the token. */
export interface TokenRecord {
  readonly key: string;
  readonly userKey: string;
  readonly name: string;
  /** The first characters of the token, for recognizing it in a list (`orgkit_pat_AbC1`). */
  readonly prefix: string;
  readonly tokenHash: string;
  readonly scopes: readonly Scope[];
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

/** A token to insert. */
export type NewToken = Omit<TokenRecord, "lastUsedAt" | "revokedAt">;

/** A token with its owner's public id, for lists an organization's admins see. */
export interface TokenWithOwner {
  readonly token: TokenRecord;
  readonly userId: string;
}

/**
 * Personal access tokens.
 */
export interface TokenStore {
  /** Inserts a token; MUST throw `UniqueViolationError("access_token")` for a duplicate hash. */
  insert(token: NewToken): Promise<TokenRecord>;
  /** The token with this hash and its owner's public id, in one indexed read; null when none. */
  getForAuthentication(tokenHash: string): Promise<TokenWithOwner | null>;
  /** One token of a user, or null. */
  get(userKey: string, key: string): Promise<TokenRecord | null>;
  /** A user's tokens that are not revoked, newest first. */
  listForUser(userKey: string): Promise<TokenRecord[]>;
  /** Tokens, not revoked, of the organization's current members, newest first. */
  listForOrganization(organizationKey: string): Promise<TokenWithOwner[]>;
  /**
   * Sets `lastUsedAt` to `at` only when it is null or before `notAfter` (one conditional write),
   * so that a busy token is written at most once a minute.
   */
  touch(key: string, at: Date, notAfter: Date): Promise<void>;
  /** Revokes a token; false when it was already revoked or does not exist. Conditional write. */
  revoke(key: string, at: Date): Promise<boolean>;
}
