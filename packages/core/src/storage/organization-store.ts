import type { OrganizationRole } from "../authz/scopes.js";
import type { OrganizationRecord } from "./records.js";

/** An organization to insert. */
export interface NewOrganization {
  readonly key: string;
  readonly id: string;
  readonly name: string;
  /** The case-insensitive form of the name that uniqueness is decided on. */
  readonly nameKey: string;
  readonly billingEmail: string;
  readonly website: string | null;
  readonly logoUrl: string | null;
  readonly description: string | null;
  readonly at: Date;
}

/** Fields of an organization's profile that can change. */
export interface OrganizationPatch {
  readonly name?: string;
  readonly nameKey?: string;
  readonly billingEmail?: string;
  readonly website?: string | null;
  readonly logoUrl?: string | null;
  readonly description?: string | null;
}

/** An organization together with the reading user's role in it. */
export interface OrganizationWithRole {
  readonly organization: OrganizationRecord;
  readonly role: OrganizationRole;
}

/**
 * Organizations and their claim on the shared account namespace.
 */
export interface OrganizationStore {
  /**
   * Inserts an organization at version 1 and claims `id` in the account namespace. MUST throw
   * `UniqueViolationError("account_id")` when the id is taken by a user or an organization and
   * `UniqueViolationError("organization_name")` when `nameKey` is taken.
   */
  insert(organization: NewOrganization): Promise<OrganizationRecord>;
  /** The organization with this internal key, or null. */
  getByKey(key: string): Promise<OrganizationRecord | null>;
  /** The organization with this public id, or null. */
  getById(id: string): Promise<OrganizationRecord | null>;
  /** The organizations the user belongs to with their role, ordered by name then key. */
  listForUser(userKey: string): Promise<OrganizationWithRole[]>;
  /**
   * Applies a patch and returns the new record (null when the organization is gone).
   * MUST throw `UniqueViolationError("organization_name")` when the new name is taken.
   */
  update(key: string, patch: OrganizationPatch, at: Date): Promise<OrganizationRecord | null>;
  /**
   * Deletes the organization and everything it owns (memberships, invitations, ...), and frees
   * its account id. MUST release the organization slot of every member in the same transaction.
   */
  delete(key: string): Promise<boolean>;
  /**
   * Increments the organization's version and locks its row until the transaction ends; returns
   * the locked record (with the new version), or null when it does not exist. Every membership, team, role or policy
   * change MUST call it first: it serializes such changes per organization (so invariants such as
   * "at least one admin" can be checked by reading) and invalidates cached permission snapshots.
   */
  lock(key: string): Promise<OrganizationRecord | null>;
}
