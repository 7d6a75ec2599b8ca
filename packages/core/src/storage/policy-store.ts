import type { AppRole } from "../authz/app-roles.js";
import type { PolicyEffect } from "../authz/policies.js";
import type { OrganizationRole } from "../authz/scopes.js";

/** A reference kept both ways: the internal key to match on, the public id to show. */
export interface KeyedRef {
  readonly key: string;
  readonly id: string;
}

/** An access policy as stored. */
export interface PolicyRecord {
  readonly key: string;
  readonly organizationKey: string;
  readonly name: string;
  readonly effect: PolicyEffect;
  readonly subjects: {
    readonly teams: readonly KeyedRef[];
    readonly roles: readonly OrganizationRole[];
    readonly users: readonly KeyedRef[];
  };
  /** App scopes, or `["*"]` for all of them. */
  readonly actions: readonly string[];
  readonly resources: {
    readonly labelsAll?: readonly string[] | undefined;
    readonly labelsAny?: readonly string[] | undefined;
    readonly labelsNone?: readonly string[] | undefined;
    readonly apps?: readonly KeyedRef[] | undefined;
  };
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Access policies of organizations. Writers lock the organization first. */
export interface PolicyStore {
  insert(policy: PolicyRecord): Promise<PolicyRecord>;
  /** The policy with this key in the organization, or null. */
  get(organizationKey: string, key: string): Promise<PolicyRecord | null>;
  /** Every policy of the organization, oldest first. */
  list(organizationKey: string): Promise<PolicyRecord[]>;
  /** Replaces a policy's document; returns the new record or null. */
  replace(policy: PolicyRecord): Promise<PolicyRecord | null>;
  delete(key: string): Promise<boolean>;
}

/** What a permission snapshot is built from, beyond the role. */
export interface SnapshotGrants {
  /** The teams the user belongs to. */
  readonly teams: readonly KeyedRef[];
  /** Each (app, team) pair of the user's teams, with the team's role. */
  readonly teamApps: readonly { readonly appKey: string; readonly teamId: string; readonly role: AppRole }[];
  /** Every policy of the organization (the engine keeps those whose subjects match). */
  readonly policies: readonly PolicyRecord[];
}

/** The organization, the user's role in it and, unless the caller's copy is current, their grants. */
export interface SnapshotRow {
  readonly organization: { readonly key: string; readonly id: string; readonly version: number };
  readonly userKey: string | null;
  readonly role: OrganizationRole | null;
  /** Null when `known` matched the current version (the caller's cached snapshot is still good). */
  readonly grants: SnapshotGrants | null;
}

/** The version of a snapshot the caller already holds. */
export interface KnownSnapshot {
  readonly organizationKey: string;
  readonly userKey: string;
  readonly version: number;
}

/** The read behind the authorization engine's cold check. */
export interface PermissionStore {
  /**
   * The organization by public id with its version, the user's role, and — unless `known` is
   * still current — the user's teams, their team apps and the organization's policies, in ONE
   * statement (one round trip, one consistent read, every part an index lookup). Null when the
   * organization does not exist.
   */
  load(organizationId: string, userId: string, known: KnownSnapshot | null): Promise<SnapshotRow | null>;
}
