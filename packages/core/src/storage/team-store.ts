import type { AppRole } from "../authz/app-roles.js";

/** A team as stored: `id` is unique in its organization, `key` is internal. */
export interface TeamRecord {
  readonly key: string;
  readonly organizationKey: string;
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A team to insert. */
export interface NewTeam {
  readonly key: string;
  readonly organizationKey: string;
  readonly id: string;
  readonly name: string;
  readonly at: Date;
}

/** A position in a list sorted by a text value, ties broken by a key. */
export interface TextKeyset {
  readonly value: string;
  readonly key: string;
}

/** A page query over one index: `search` already lower-cased, `limit` already clamped. */
export interface KeysetQuery {
  readonly search?: string | undefined;
  readonly after?: TextKeyset | undefined;
  readonly limit: number;
}

/** A team member row, with the member's public profile. */
export interface TeamMemberRow {
  readonly userKey: string;
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly addedAt: Date;
  /** The keyset value of the row (its sort name). */
  readonly sortName: string;
}

/** A user to add to a team, with the name and email lists search. */
export interface NewTeamMember {
  readonly userKey: string;
  readonly name: string;
  readonly email: string;
}

/** An app of a team, with the team's role on it. */
export interface TeamAppRow {
  readonly appKey: string;
  readonly appId: string;
  readonly name: string;
  readonly role: AppRole;
  readonly addedAt: Date;
  readonly sortName: string;
}

/** An app to give a team. */
export interface NewTeamApp {
  readonly appKey: string;
  readonly role: AppRole;
  /** The app's sort name ({@link sortName}), copied so that team app lists walk one index. */
  readonly sortName: string;
}

/**
 * Teams, their members and their apps. Writers lock the organization first
 * (`OrganizationStore.lock`): team changes are authorization changes.
 */
export interface TeamStore {
  /** Inserts a team; MUST throw `UniqueViolationError("team_id")` when the id is taken in the organization. */
  insert(team: NewTeam): Promise<TeamRecord>;
  /** The team with this id in the organization, or null. */
  get(organizationKey: string, id: string): Promise<TeamRecord | null>;
  /**
   * Teams by sort name (NFC, lower-cased) then key, strictly after `after`; `search` matches the
   * sort name or the id. MUST walk an index on (organization, sort name, key).
   */
  list(organizationKey: string, query: KeysetQuery): Promise<TeamRecord[]>;
  /** Renames a team; returns the new record or null. */
  rename(key: string, name: string, at: Date): Promise<TeamRecord | null>;
  /** Deletes a team with its member and app rows. */
  delete(key: string): Promise<boolean>;
  /**
   * Adds members, skipping those already in the team; returns the user keys actually added.
   * Every user MUST be a member of the organization (a foreign key enforces it too).
   */
  addMembers(team: TeamRecord, members: readonly NewTeamMember[], at: Date): Promise<string[]>;
  /** Members by sort name then user key, strictly after `after`. */
  listMembers(teamKey: string, query: KeysetQuery): Promise<TeamMemberRow[]>;
  /** Removes one member; false when they were not in the team. */
  removeMember(teamKey: string, userKey: string): Promise<boolean>;
  /**
   * Removes the user from every team of the organization, in the caller's transaction (a member
   * leaving or removed); returns the ids of the teams they were in.
   */
  removeUserFromAll(organizationKey: string, userKey: string): Promise<string[]>;
  /** Gives apps to the team, skipping those it already holds; returns the app keys added. */
  addApps(team: TeamRecord, apps: readonly NewTeamApp[], at: Date): Promise<string[]>;
  /** The team's role on an app and when the team was given the app, or null when it does not hold it. */
  getAppGrant(teamKey: string, appKey: string): Promise<{ role: AppRole; addedAt: Date } | null>;
  /** Changes the team's role on an app; false when the team does not hold it. */
  updateAppRole(teamKey: string, appKey: string, role: AppRole, at: Date): Promise<boolean>;
  /** The team's apps by sort name then app key, strictly after `after`; `search` on name or id. */
  listApps(teamKey: string, query: KeysetQuery): Promise<TeamAppRow[]>;
  /** Takes an app from the team; false when it did not hold it. */
  removeApp(teamKey: string, appKey: string): Promise<boolean>;
}

/** The value names are sorted and searched by: NFC, lower-cased. */
export function sortName(name: string): string {
  return name.normalize("NFC").toLowerCase();
}
