import type { OrganizationRole } from "../authz/scopes.js";
import type { MemberRow, MembershipRecord } from "./records.js";

/** A membership to insert. */
export interface NewMembership {
  readonly organizationKey: string;
  readonly userKey: string;
  readonly role: OrganizationRole;
  /** The member's current name and email, kept on the membership so that lists walk one index. */
  readonly name: string;
  readonly email: string;
  readonly at: Date;
}

/** Columns a members list can be sorted by. */
export const MEMBER_SORTS = ["name", "email", "joinedAt"] as const;
/** One of {@link MEMBER_SORTS}. */
export type MemberSort = (typeof MEMBER_SORTS)[number];

/** A position in a sorted members list: the sort value and the user key of the last row seen. */
export interface MemberKeyset {
  readonly value: string | number;
  readonly userKey: string;
}

/** A members list query; `limit` is already clamped by the service. */
export interface MemberListQuery {
  /** Lower-cased text to find anywhere in the member's name or email. */
  readonly search?: string | undefined;
  readonly role?: OrganizationRole | undefined;
  readonly sort: MemberSort;
  readonly direction: "asc" | "desc";
  /** Rows strictly after this position in the requested order. */
  readonly after?: MemberKeyset | undefined;
  readonly limit: number;
}

/**
 * What the authorization engine needs for one (organization, user) pair, read at once.
 */
export interface AccessRow {
  readonly organization: { readonly key: string; readonly id: string; readonly version: number };
  readonly userKey: string | null;
  /** The user's role, or null when they are not a member. */
  readonly role: OrganizationRole | null;
}

/**
 * Memberships. Writers call `OrganizationStore.lock` first; the store itself enforces only
 * the (organization, user) uniqueness.
 */
export interface MemberStore {
  /** One membership, or null. */
  get(organizationKey: string, userKey: string): Promise<MembershipRecord | null>;
  /**
   * The organization by public id, its version, and the user's role in it, in ONE indexed read
   * (this is the cold authorization check). Null when the organization does not exist.
   */
  getAccess(organizationId: string, userId: string): Promise<AccessRow | null>;
  /** Inserts a membership; MUST throw `UniqueViolationError("membership")` for a duplicate. */
  insert(membership: NewMembership): Promise<MembershipRecord>;
  /** Changes a member's role; returns false when there is no such membership. */
  updateRole(organizationKey: string, userKey: string, role: OrganizationRole, at: Date): Promise<boolean>;
  /** Deletes a membership; returns false when there was none. */
  delete(organizationKey: string, userKey: string): Promise<boolean>;
  /** How many members hold `role`. */
  countByRole(organizationKey: string, role: OrganizationRole): Promise<number>;
  /** How many members the organization has. */
  count(organizationKey: string): Promise<number>;
  /**
   * A page of members in the requested order, ties broken by user key, strictly after
   * `query.after`; up to `limit` rows. MUST be served by an index on (organization, sort column,
   * user key), not by sorting every member.
   */
  list(organizationKey: string, query: MemberListQuery): Promise<MemberRow[]>;
}

/**
 * The value a members list sorts names by, and the keyset value of the `name` sort: NFC,
 * lower-cased. Adapters MUST store exactly this, so that cursors built from a row match the index.
 */
export function memberSortName(name: string): string {
  return name.normalize("NFC").toLowerCase();
}

/** The text a members search looks in: the sort name and the email, separated by a space. */
export function memberSearchText(name: string, email: string): string {
  return `${memberSortName(name)} ${email}`;
}
