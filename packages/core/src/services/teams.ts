import type { AppRole } from "../authz/app-roles.js";
import { notFound, OrgKitError } from "../errors.js";
import { newKey } from "../internal/ids.js";
import { type Page, parseInput } from "../schemas/common.js";
import {
  AppRoleSchema,
  type CreateTeamInput,
  CreateTeamInputSchema,
  type NamedListQuery,
  NamedListQuerySchema,
  type Team,
  type TeamApp,
  type TeamAppsInput,
  TeamAppsInputSchema,
  type TeamMember,
  TeamMemberIdsSchema,
  type UpdateTeamInput,
  UpdateTeamInputSchema,
} from "../schemas/team.js";
import { isUniqueViolation } from "../storage/errors.js";
import type { Stores } from "../storage/storage.js";
import { sortName, type TeamRecord, type TextKeyset } from "../storage/team-store.js";
import { authorizeOrganization, type Granted, lockAndRecheck } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { decodeCursor, nextCursorOf } from "./cursor.js";
import type { CallContext } from "./runtime.js";

/** Teams of an organization as seen by an actor (read: `teams:get`; write: `teams:add|update|delete`). */
export interface TeamsService {
  /**
   * Creates a team (needs `teams:add`); CONFLICT on `id` when the organization has one.
   *
   * @example
   * ```ts
   * await asAlice.teams.create("acme", { id: "labelers", name: "Labelers" });
   * await asAlice.teams.addMembers("acme", "labelers", [bob.id]);
   * await asAlice.teams.addApps("acme", "labelers", [{ appId: "medical", role: "labeler_worker" }]);
   * ```
   */
  create(organizationId: string, input: CreateTeamInput): Promise<Team>;
  /** A page of teams by name; `search` matches name or id. */
  list(organizationId: string, query?: NamedListQuery): Promise<Page<Team>>;
  /** One team; NOT_FOUND when the organization has none with this id. */
  get(organizationId: string, teamId: string): Promise<Team>;
  /** Renames a team (needs `teams:update`). */
  update(organizationId: string, teamId: string, input: UpdateTeamInput): Promise<Team>;
  /** Deletes a team with its member and app rows (needs `teams:delete`). */
  delete(organizationId: string, teamId: string): Promise<void>;
  /**
   * Adds members of the organization to a team (needs `teams:update`); those already in it are
   * skipped. A user who is not a member of the organization answers NOT_FOUND, param `userIds.<i>`,
   * and nothing is added.
   */
  addMembers(organizationId: string, teamId: string, userIds: readonly string[]): Promise<TeamMember[]>;
  /** A page of a team's members by name; `search` on name and email. */
  listMembers(organizationId: string, teamId: string, query?: NamedListQuery): Promise<Page<TeamMember>>;
  /** Removes a member from a team (needs `teams:update`); NOT_FOUND when not in it. */
  removeMember(organizationId: string, teamId: string, userId: string): Promise<void>;
  /**
   * Gives the team apps of the organization, each with an app role (needs `teams:update`). An app
   * the organization does not own answers NOT_FOUND, param `apps.<i>.appId`, and nothing is added.
   */
  addApps(organizationId: string, teamId: string, apps: TeamAppsInput): Promise<TeamApp[]>;
  /** Changes the team's role on one of its apps (needs `teams:update`). */
  updateAppRole(organizationId: string, teamId: string, appId: string, role: AppRole): Promise<TeamApp>;
  /** A page of the team's apps by name; `search` on name or id. */
  listApps(organizationId: string, teamId: string, query?: NamedListQuery): Promise<Page<TeamApp>>;
  /** Takes an app from a team (needs `teams:update`); NOT_FOUND when it does not hold it. */
  removeApp(organizationId: string, teamId: string, appId: string): Promise<void>;
}

function idParam(value: unknown, param: string): string {
  // No stored id holds a NUL, and Postgres refuses one in text (the query would fail).
  if (typeof value !== "string" || value.length === 0 || value.length > 64 || value.includes("\u0000")) {
    throw notFound(param);
  }
  return value;
}

/** A team record as the API shows it. */
export function toTeam(team: TeamRecord, organizationId: string): Team {
  return {
    id: team.id,
    organizationId,
    name: team.name,
    createdAt: team.createdAt,
    updatedAt: team.updatedAt,
  };
}

function keyset(cursor: string | undefined, scope: string): TextKeyset | undefined {
  if (cursor === undefined) return undefined;
  const [value, key] = decodeCursor(cursor, scope, ["string", "string"]);
  return { value: value as string, key: key as string };
}

/** Builds the teams service for one actor. */
export function teamsService(ctx: CallContext): TeamsService {
  const { rt } = ctx;

  async function teamOf(stores: Stores, organizationKey: string, teamId: string): Promise<TeamRecord> {
    const team = await stores.teams.get(organizationKey, idParam(teamId, "teamId"));
    if (team === null) throw notFound("teamId");
    return team;
  }

  /** Runs a team change with the organization locked (team changes are authorization changes). */
  async function change<T>(
    organizationId: string,
    scope: "teams:add" | "teams:update" | "teams:delete",
    fn: (tx: Stores, locked: Granted) => Promise<T>,
  ): Promise<T> {
    const granted = await authorizeOrganization(ctx, organizationId, scope);
    return rt.storage.transaction(async (tx) => fn(tx, await lockAndRecheck(tx, ctx, granted, scope)));
  }

  return {
    async create(organizationId, input) {
      const data = parseInput(CreateTeamInputSchema, input);
      return change(organizationId, "teams:add", async (tx, locked) => {
        const team = await tx.teams
          .insert({
            key: newKey(),
            organizationKey: locked.organization.key,
            id: data.id,
            name: data.name,
            at: rt.clock.now(),
          })
          .catch((error: unknown) => {
            if (isUniqueViolation(error, "team_id")) {
              throw new OrgKitError("CONFLICT", {
                param: "id",
                message: "The organization has a team with this id.",
              });
            }
            throw error;
          });
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_TEAM_CREATE",
          targetType: "team",
          targetId: team.id,
          after: { name: team.name },
        });
        return toTeam(team, locked.organization.id);
      });
    },

    async list(organizationId, query = {}) {
      const q = parseInput(NamedListQuerySchema, query);
      const granted = await authorizeOrganization(ctx, organizationId, "teams:get");
      const scope = JSON.stringify(["teams", granted.organization.id, q.search ?? ""]);
      const rows = await rt.storage.teams.list(granted.organization.key, {
        search: q.search || undefined,
        after: keyset(q.cursor, scope),
        limit: q.limit + 1,
      });
      return {
        items: rows.slice(0, q.limit).map((t) => toTeam(t, granted.organization.id)),
        nextCursor: nextCursorOf(rows, q.limit, scope, (t) => [sortName(t.name), t.key]),
      };
    },

    async get(organizationId, teamId) {
      const granted = await authorizeOrganization(ctx, organizationId, "teams:get");
      return toTeam(await teamOf(rt.storage, granted.organization.key, teamId), granted.organization.id);
    },

    async update(organizationId, teamId, input) {
      const data = parseInput(UpdateTeamInputSchema, input);
      return change(organizationId, "teams:update", async (tx, locked) => {
        const team = await teamOf(tx, locked.organization.key, teamId);
        const after = await tx.teams.rename(team.key, data.name, rt.clock.now());
        if (after === null) throw notFound("teamId");
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_TEAM_UPDATE",
          targetType: "team",
          targetId: team.id,
          before: { name: team.name },
          after: { name: after.name },
        });
        return toTeam(after, locked.organization.id);
      });
    },

    async delete(organizationId, teamId) {
      await change(organizationId, "teams:delete", async (tx, locked) => {
        const team = await teamOf(tx, locked.organization.key, teamId);
        await tx.teams.delete(team.key);
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_TEAM_DELETE",
          targetType: "team",
          targetId: team.id,
          before: { name: team.name },
        });
      });
    },

    async addMembers(organizationId, teamId, userIds) {
      const ids = parseInput(TeamMemberIdsSchema, userIds, "userIds");
      return change(organizationId, "teams:update", async (tx, locked) => {
        const team = await teamOf(tx, locked.organization.key, teamId);
        const users = [];
        for (const [index, userId] of ids.entries()) {
          const user = await tx.users.getById(userId);
          const membership = user === null ? null : await tx.members.get(locked.organization.key, user.key);
          // Someone outside the organization answers like someone who does not exist.
          if (user === null || membership === null) throw notFound(`userIds.${index}`);
          users.push(user);
        }
        const at = rt.clock.now();
        const added = new Set(
          await tx.teams.addMembers(
            team,
            users.map((u) => ({ userKey: u.key, name: u.name, email: u.email })),
            at,
          ),
        );
        for (const user of users) {
          if (!added.has(user.key)) continue;
          await recordAudit(tx, ctx, {
            organizationId: locked.organization.id,
            organizationKey: locked.organization.key,
            action: "ORGANIZATION_TEAM_MEMBER_ADD",
            targetType: "team",
            targetId: team.id,
            after: { userId: user.id },
          });
        }
        return users.map((u) => ({ userId: u.id, name: u.name, email: u.email, addedAt: at }));
      });
    },

    async listMembers(organizationId, teamId, query = {}) {
      const q = parseInput(NamedListQuerySchema, query);
      const granted = await authorizeOrganization(ctx, organizationId, "teams:get");
      const team = await teamOf(rt.storage, granted.organization.key, teamId);
      const scope = JSON.stringify(["team-members", team.key, q.search ?? ""]);
      const rows = await rt.storage.teams.listMembers(team.key, {
        search: q.search || undefined,
        after: keyset(q.cursor, scope),
        limit: q.limit + 1,
      });
      return {
        items: rows
          .slice(0, q.limit)
          .map((r) => ({ userId: r.userId, name: r.name, email: r.email, addedAt: r.addedAt })),
        nextCursor: nextCursorOf(rows, q.limit, scope, (r) => [r.sortName, r.userKey]),
      };
    },

    async removeMember(organizationId, teamId, userId) {
      await change(organizationId, "teams:update", async (tx, locked) => {
        const team = await teamOf(tx, locked.organization.key, teamId);
        const user = await tx.users.getById(idParam(userId, "userId"));
        if (user === null || !(await tx.teams.removeMember(team.key, user.key))) throw notFound("userId");
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_TEAM_MEMBER_REMOVE",
          targetType: "team",
          targetId: team.id,
          before: { userId: user.id },
        });
      });
    },

    async addApps(organizationId, teamId, apps) {
      const wanted = parseInput(TeamAppsInputSchema, apps, "apps");
      return change(organizationId, "teams:update", async (tx, locked) => {
        const team = await teamOf(tx, locked.organization.key, teamId);
        const found = new Map(
          (
            await tx.apps.getByIds(
              locked.organization.key,
              wanted.map((a) => a.appId),
            )
          ).map((a) => [a.id, a]),
        );
        const missing = wanted.findIndex((a) => !found.has(a.appId));
        // An app of another account answers like a missing one.
        if (missing >= 0) throw notFound(`apps.${missing}.appId`);
        const at = rt.clock.now();
        const rows = wanted.map((a) => ({ app: found.get(a.appId)!, role: a.role }));
        const added = new Set(
          await tx.teams.addApps(
            team,
            rows.map((r) => ({ appKey: r.app.key, role: r.role, sortName: sortName(r.app.name) })),
            at,
          ),
        );
        for (const row of rows) {
          if (!added.has(row.app.key)) continue;
          await recordAudit(tx, ctx, {
            organizationId: locked.organization.id,
            organizationKey: locked.organization.key,
            action: "ORGANIZATION_TEAM_APP_ADD",
            targetType: "team",
            targetId: team.id,
            after: { appId: row.app.id, role: row.role },
          });
        }
        return rows.map((r) => ({ appId: r.app.id, name: r.app.name, role: r.role, addedAt: at }));
      });
    },

    async updateAppRole(organizationId, teamId, appId, role) {
      const newRole = parseInput(AppRoleSchema, role, "role");
      return change(organizationId, "teams:update", async (tx, locked) => {
        const team = await teamOf(tx, locked.organization.key, teamId);
        const [app] = await tx.apps.getByIds(locked.organization.key, [idParam(appId, "appId")]);
        const grant = app === undefined ? null : await tx.teams.getAppGrant(team.key, app.key);
        if (app === undefined || grant === null) throw notFound("appId");
        const before = grant.role;
        if (before !== newRole) {
          await tx.teams.updateAppRole(team.key, app.key, newRole, rt.clock.now());
          await recordAudit(tx, ctx, {
            organizationId: locked.organization.id,
            organizationKey: locked.organization.key,
            action: "ORGANIZATION_TEAM_APP_CHANGE",
            targetType: "team",
            targetId: team.id,
            before: { appId: app.id, role: before },
            after: { appId: app.id, role: newRole },
          });
        }
        return { appId: app.id, name: app.name, role: newRole, addedAt: grant.addedAt };
      });
    },

    async listApps(organizationId, teamId, query = {}) {
      const q = parseInput(NamedListQuerySchema, query);
      const granted = await authorizeOrganization(ctx, organizationId, "teams:get");
      const team = await teamOf(rt.storage, granted.organization.key, teamId);
      const scope = JSON.stringify(["team-apps", team.key, q.search ?? ""]);
      const rows = await rt.storage.teams.listApps(team.key, {
        search: q.search || undefined,
        after: keyset(q.cursor, scope),
        limit: q.limit + 1,
      });
      return {
        items: rows
          .slice(0, q.limit)
          .map((r) => ({ appId: r.appId, name: r.name, role: r.role, addedAt: r.addedAt })),
        nextCursor: nextCursorOf(rows, q.limit, scope, (r) => [r.sortName, r.appKey]),
      };
    },

    async removeApp(organizationId, teamId, appId) {
      await change(organizationId, "teams:update", async (tx, locked) => {
        const team = await teamOf(tx, locked.organization.key, teamId);
        const [app] = await tx.apps.getByIds(locked.organization.key, [idParam(appId, "appId")]);
        if (app === undefined || !(await tx.teams.removeApp(team.key, app.key))) throw notFound("appId");
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_TEAM_APP_REMOVE",
          targetType: "team",
          targetId: team.id,
          before: { appId: app.id },
        });
      });
    },
  };
}
