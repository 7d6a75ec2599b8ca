import {
  type AppRole,
  type KeysetQuery,
  type NewTeam,
  type NewTeamApp,
  type NewTeamMember,
  sortName,
  type TeamAppRow,
  type TeamMemberRow,
  type TeamRecord,
  type TeamStore,
} from "@orgkit/core";
import type { Selectable } from "kysely";
import { containsText } from "./query-helpers.js";
import type { TeamsTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

/** {@link TeamStore} over Kysely. */
export class KyselyTeamStore implements TeamStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(team: NewTeam): Promise<TeamRecord> {
    const at = team.at.getTime();
    const row = {
      key: team.key,
      organization_key: team.organizationKey,
      id: team.id,
      name: team.name,
      sort_name: sortName(team.name),
      search: `${sortName(team.name)} ${team.id}`,
      created_at: at,
      updated_at: at,
    };
    await translateUnique(this.ctx.classifyError, this.ctx.db.insertInto("teams").values(row).execute());
    return toTeamRecord(row);
  }

  async get(organizationKey: string, id: string): Promise<TeamRecord | null> {
    const row = await this.ctx.db
      .selectFrom("teams")
      .selectAll()
      .where("organization_key", "=", organizationKey)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toTeamRecord(row) : null;
  }

  async list(organizationKey: string, query: KeysetQuery): Promise<TeamRecord[]> {
    let select = this.ctx.db.selectFrom("teams").selectAll().where("organization_key", "=", organizationKey);
    if (query.search) select = select.where(containsText("search", query.search));
    const after = query.after;
    if (after) {
      select = select.where((eb) =>
        eb(eb.refTuple("sort_name", "key"), ">", eb.tuple(after.value, after.key)),
      );
    }
    const rows = await select.orderBy("sort_name").orderBy("key").limit(query.limit).execute();
    return rows.map(toTeamRecord);
  }

  async rename(key: string, name: string, at: Date): Promise<TeamRecord | null> {
    const current = await this.ctx.db
      .selectFrom("teams")
      .select("id")
      .where("key", "=", key)
      .executeTakeFirst();
    if (!current) return null;
    const row = await this.ctx.db
      .updateTable("teams")
      .set({
        name,
        sort_name: sortName(name),
        search: `${sortName(name)} ${current.id}`,
        updated_at: at.getTime(),
      })
      .where("key", "=", key)
      .returningAll()
      .executeTakeFirst();
    return row ? toTeamRecord(row) : null;
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom("teams").where("key", "=", key).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async addMembers(team: TeamRecord, members: readonly NewTeamMember[], at: Date): Promise<string[]> {
    if (members.length === 0) return [];
    const existing = new Set(
      (
        await this.ctx.db
          .selectFrom("team_members")
          .select("user_key")
          .where("team_key", "=", team.key)
          .where(
            "user_key",
            "in",
            members.map((m) => m.userKey),
          )
          .execute()
      ).map((r) => r.user_key),
    );
    const fresh = members.filter(
      (m, i) => !existing.has(m.userKey) && members.findIndex((o) => o.userKey === m.userKey) === i,
    );
    if (fresh.length === 0) return [];
    await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .insertInto("team_members")
        .values(
          fresh.map((m) => ({
            team_key: team.key,
            organization_key: team.organizationKey,
            user_key: m.userKey,
            sort_name: sortName(m.name),
            search: `${sortName(m.name)} ${m.email}`,
            created_at: at.getTime(),
          })),
        )
        .execute(),
    );
    return fresh.map((m) => m.userKey);
  }

  async listMembers(teamKey: string, query: KeysetQuery): Promise<TeamMemberRow[]> {
    let select = this.ctx.db
      .selectFrom("team_members as tm")
      .innerJoin("users as u", "u.key", "tm.user_key")
      .select(["tm.user_key", "tm.sort_name", "tm.created_at", "u.id", "u.name", "u.email"])
      .where("tm.team_key", "=", teamKey);
    if (query.search) select = select.where(containsText("tm.search", query.search));
    const after = query.after;
    if (after) {
      select = select.where((eb) =>
        eb(eb.refTuple("tm.sort_name", "tm.user_key"), ">", eb.tuple(after.value, after.key)),
      );
    }
    const rows = await select.orderBy("tm.sort_name").orderBy("tm.user_key").limit(query.limit).execute();
    return rows.map((r) => ({
      userKey: r.user_key,
      userId: r.id,
      name: r.name,
      email: r.email,
      addedAt: toDate(r.created_at),
      sortName: r.sort_name,
    }));
  }

  async removeMember(teamKey: string, userKey: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom("team_members")
      .where("team_key", "=", teamKey)
      .where("user_key", "=", userKey)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async removeUserFromAll(organizationKey: string, userKey: string): Promise<string[]> {
    const teams = await this.ctx.db
      .selectFrom("team_members as tm")
      .innerJoin("teams as t", "t.key", "tm.team_key")
      .select("t.id")
      .where("tm.organization_key", "=", organizationKey)
      .where("tm.user_key", "=", userKey)
      .orderBy("t.id")
      .execute();
    if (teams.length > 0) {
      await this.ctx.db
        .deleteFrom("team_members")
        .where("organization_key", "=", organizationKey)
        .where("user_key", "=", userKey)
        .execute();
    }
    return teams.map((t) => t.id);
  }

  async addApps(team: TeamRecord, apps: readonly NewTeamApp[], at: Date): Promise<string[]> {
    if (apps.length === 0) return [];
    const existing = new Set(
      (
        await this.ctx.db
          .selectFrom("team_apps")
          .select("app_key")
          .where("team_key", "=", team.key)
          .where(
            "app_key",
            "in",
            apps.map((a) => a.appKey),
          )
          .execute()
      ).map((r) => r.app_key),
    );
    const fresh = apps.filter(
      (a, i) => !existing.has(a.appKey) && apps.findIndex((o) => o.appKey === a.appKey) === i,
    );
    if (fresh.length === 0) return [];
    await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .insertInto("team_apps")
        .values(
          fresh.map((a) => ({
            team_key: team.key,
            app_key: a.appKey,
            role: a.role,
            sort_name: a.sortName,
            created_at: at.getTime(),
            updated_at: at.getTime(),
          })),
        )
        .execute(),
    );
    return fresh.map((a) => a.appKey);
  }

  async getAppGrant(teamKey: string, appKey: string): Promise<{ role: AppRole; addedAt: Date } | null> {
    const row = await this.ctx.db
      .selectFrom("team_apps")
      .select(["role", "created_at"])
      .where("team_key", "=", teamKey)
      .where("app_key", "=", appKey)
      .executeTakeFirst();
    return row ? { role: row.role as AppRole, addedAt: toDate(row.created_at) } : null;
  }

  async updateAppRole(teamKey: string, appKey: string, role: AppRole, at: Date): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable("team_apps")
      .set({ role, updated_at: at.getTime() })
      .where("team_key", "=", teamKey)
      .where("app_key", "=", appKey)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async listApps(teamKey: string, query: KeysetQuery): Promise<TeamAppRow[]> {
    let select = this.ctx.db
      .selectFrom("team_apps as ta")
      .innerJoin("apps as a", "a.key", "ta.app_key")
      .select(["ta.app_key", "ta.role", "ta.sort_name", "ta.created_at", "a.id", "a.name"])
      .where("ta.team_key", "=", teamKey);
    if (query.search) select = select.where(containsText("a.search", query.search));
    const after = query.after;
    if (after) {
      select = select.where((eb) =>
        eb(eb.refTuple("ta.sort_name", "ta.app_key"), ">", eb.tuple(after.value, after.key)),
      );
    }
    const rows = await select.orderBy("ta.sort_name").orderBy("ta.app_key").limit(query.limit).execute();
    return rows.map((r) => ({
      appKey: r.app_key,
      appId: r.id,
      name: r.name,
      role: r.role as AppRole,
      addedAt: toDate(r.created_at),
      sortName: r.sort_name,
    }));
  }

  async removeApp(teamKey: string, appKey: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom("team_apps")
      .where("team_key", "=", teamKey)
      .where("app_key", "=", appKey)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}

function toTeamRecord(row: Selectable<TeamsTable>): TeamRecord {
  return {
    key: row.key,
    organizationKey: row.organization_key,
    id: row.id,
    name: row.name,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
