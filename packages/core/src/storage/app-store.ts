import type { AppRole, AppVisibility } from "../authz/app-roles.js";
import type { TextKeyset } from "./team-store.js";

/** Whose account owns an app. */
export type OwnerType = "user" | "organization";

/** An account that can own apps, resolved from its public id. */
export interface OwnerAccount {
  readonly type: OwnerType;
  readonly key: string;
  readonly id: string;
}

/** An app as stored. */
export interface AppRecord {
  readonly key: string;
  readonly ownerType: OwnerType;
  readonly ownerKey: string;
  readonly ownerId: string;
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly labels: readonly string[];
  readonly visibility: AppVisibility;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An app to insert. */
export interface NewApp {
  readonly key: string;
  readonly owner: OwnerAccount;
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly labels: readonly string[];
  readonly visibility: AppVisibility;
  readonly at: Date;
}

/** Fields of an app that can change. */
export interface AppPatch {
  readonly name?: string;
  readonly description?: string | null;
  readonly labels?: readonly string[];
  readonly visibility?: AppVisibility;
}

/**
 * An app with what authorizing a call on it needs, read at once: its owning organization's
 * version (to validate a cached permission snapshot) and the acting user's collaborator role.
 */
export interface AppAccessRow {
  readonly app: AppRecord;
  /** The owning organization, or null for a personal app. */
  readonly organization: { readonly key: string; readonly id: string; readonly version: number } | null;
  /** The acting user's internal key, or null (system, or an unknown user). */
  readonly actorKey: string | null;
  readonly collaboratorRole: AppRole | null;
  readonly pinned: boolean;
}

/** Columns an apps list can be sorted by. */
export const APP_SORTS = ["updatedAt", "name"] as const;
/** One of {@link APP_SORTS}. */
export type AppSort = (typeof APP_SORTS)[number];

/** A position in an apps list: pinned rows come first, then the sort value, then the key. */
export interface AppKeyset {
  readonly pinned: boolean;
  readonly value: string | number;
  readonly key: string;
}

/**
 * Which apps of an owner a list may return, before policies: all of them, or those of the
 * given visibilities, those the user's teams hold (in `teamsOf`'s organization) and those the
 * user collaborates on.
 */
export type AppListFilter =
  | { readonly type: "all" }
  | {
      readonly type: "some";
      readonly visibilities: readonly AppVisibility[];
      readonly teamsOf: { readonly organizationKey: string; readonly userKey: string } | null;
      readonly collaboratorKey: string | null;
    };

/** An apps list query; `limit` is already clamped. */
export interface AppListQuery {
  /** Lower-cased text to find in the app's name or id. */
  readonly search?: string | undefined;
  readonly sort: AppSort;
  readonly direction: "asc" | "desc";
  /** The user whose pins come first; null for none. */
  readonly pinnedBy: string | null;
  readonly filter: AppListFilter;
  readonly after?: AppKeyset | undefined;
  readonly limit: number;
}

/** One row of an apps list. */
export interface AppListRow {
  readonly app: AppRecord;
  readonly pinned: boolean;
  readonly collaboratorRole: AppRole | null;
  /** The keyset value of the row in the list's sort. */
  readonly sortValue: string | number;
}

/** A collaborator of an app. */
export interface CollaboratorRow {
  readonly appKey: string;
  /** The app's public id. */
  readonly appId: string;
  readonly userKey: string;
  readonly userId: string;
  readonly name: string;
  readonly role: AppRole;
  readonly addedAt: Date;
  /** The keyset value of the row (the user's sort name when added). */
  readonly sortName: string;
}

/** A position in a list of collaborations, most recent first: when added, then the app and user keys. */
export interface CollaborationKeyset {
  readonly at: Date;
  readonly appKey: string;
  readonly userKey: string;
}

/** An app a user collaborates on, with their role. */
export interface CollaborationRow {
  readonly app: AppRecord;
  readonly userKey: string;
  readonly role: AppRole;
  readonly addedAt: Date;
}

/** Where an app moves to in a transfer. */
export interface AppTransfer {
  readonly owner: OwnerAccount;
  readonly id: string;
  readonly name: string;
}

/**
 * Apps, their pins and their collaborators. An app belongs to exactly one owner; the owner
 * changes only through {@link AppStore.transfer}, a conditional write.
 */
export interface AppStore {
  /** The user or organization with this public id, or null. */
  resolveOwner(ownerId: string): Promise<OwnerAccount | null>;
  /** Inserts an app; MUST throw `UniqueViolationError("app_id")` when the owner has an app with this id. */
  insert(app: NewApp): Promise<AppRecord>;
  /**
   * The app `appId` of the account `ownerId`, with its organization's version and the acting
   * user's collaborator role and pin, in ONE indexed read. Null when there is no such app.
   */
  getForAccess(ownerId: string, appId: string, actorUserId: string | null): Promise<AppAccessRow | null>;
  /** The app with this key, or null. */
  getByKey(key: string): Promise<AppRecord | null>;
  /** The apps of an owner with these ids (ids not found are absent). */
  getByIds(ownerKey: string, ids: readonly string[]): Promise<AppRecord[]>;
  /**
   * A page of an owner's apps: the user's pinned apps first, then the others, each part in the
   * requested order, ties broken by key, strictly after `after`. MUST walk an index on
   * (owner, sort column, key).
   */
  list(ownerKey: string, query: AppListQuery): Promise<AppListRow[]>;
  /** Applies a patch; returns the new record or null when the app is gone. */
  update(key: string, patch: AppPatch, at: Date): Promise<AppRecord | null>;
  /** Deletes the app and, by cascade, its content, pins, stars, team rows and collaborators. */
  delete(key: string): Promise<boolean>;
  /**
   * Moves the app to another owner (and id and name), ONLY if it still belongs to `fromOwnerKey`:
   * of two concurrent transfers exactly one succeeds. MUST throw `UniqueViolationError("app_id")`
   * when the new owner has an app with that id. Returns the moved record, or null when the app
   * is gone or no longer belongs to `fromOwnerKey`.
   */
  transfer(key: string, fromOwnerKey: string, to: AppTransfer, at: Date): Promise<AppRecord | null>;
  /** Pins an app for a user (idempotent). */
  pin(userKey: string, appKey: string, at: Date): Promise<boolean>;
  /** Unpins an app; false when it was not pinned. */
  unpin(userKey: string, appKey: string): Promise<boolean>;
  /** Adds a collaborator; MUST throw `UniqueViolationError("app_collaborator")` for a duplicate. */
  addCollaborator(appKey: string, userKey: string, role: AppRole, at: Date): Promise<void>;
  /** A user's collaborator role on an app, or null. */
  getCollaborator(appKey: string, userKey: string): Promise<AppRole | null>;
  /** Changes a collaborator's role; false when there is no such collaborator. */
  updateCollaborator(appKey: string, userKey: string, role: AppRole, at: Date): Promise<boolean>;
  /** Removes a collaborator; false when there was none. */
  removeCollaborator(appKey: string, userKey: string): Promise<boolean>;
  /** The collaborators of an app, by user name then key, strictly after `after`. */
  listCollaborators(appKey: string, after: TextKeyset | undefined, limit: number): Promise<CollaboratorRow[]>;
  /**
   * The apps a user collaborates on, most recently added first (ties by app key, descending),
   * strictly after `after`.
   */
  listCollaborations(
    userKey: string,
    after: CollaborationKeyset | undefined,
    limit: number,
  ): Promise<CollaborationRow[]>;
  /**
   * The collaborators on an owner's apps, most recently added first (ties by app key, then user
   * key, descending), strictly after `after`.
   */
  listCollaboratorsOfOwner(
    ownerKey: string,
    after: CollaborationKeyset | undefined,
    limit: number,
  ): Promise<CollaboratorRow[]>;
}
