import {
  type AppAccessRow,
  type AppListQuery,
  type AppListRow,
  type AppPatch,
  type AppRecord,
  type AppRole,
  type AppStore,
  type AppTransfer,
  type AppVisibility,
  type CollaborationKeyset,
  type CollaborationRow,
  type CollaboratorRow,
  type NewApp,
  type OwnerAccount,
  sortName,
  type TextKeyset,
} from "@orgkit/core";
import { type Expression, type Selectable, type SqlBool, sql, type Updateable } from "kysely";
import { containsText, parseStringArray } from "./query-helpers.js";
import type { AppsTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

const SORT_COLUMNS = { name: "a.sort_name", updatedAt: "a.updated_at" } as const;

/** {@link AppStore} over Kysely. */
export class KyselyAppStore implements AppStore {
  constructor(private readonly ctx: StoreContext) {}

  async resolveOwner(ownerId: string): Promise<OwnerAccount | null> {
    const row = await this.ctx.db
      .selectFrom("accounts as ac")
      .leftJoin("users as u", "u.id", "ac.id")
      .leftJoin("organizations as o", "o.id", "ac.id")
      .select(["ac.kind", "u.key as user_key", "o.key as organization_key"])
      .where("ac.id", "=", ownerId)
      .executeTakeFirst();
    if (!row) return null;
    const key = row.kind === "user" ? row.user_key : row.organization_key;
    return key === null ? null : { type: row.kind, key, id: ownerId };
  }

  async insert(app: NewApp): Promise<AppRecord> {
    const row = appRow(app);
    await translateUnique(this.ctx.classifyError, this.ctx.db.insertInto("apps").values(row).execute());
    return toAppRecord(row);
  }

  async getForAccess(
    ownerId: string,
    appId: string,
    actorUserId: string | null,
  ): Promise<AppAccessRow | null> {
    const row = await this.ctx.db
      .selectFrom("apps as a")
      .leftJoin("organizations as o", "o.key", "a.organization_key")
      .leftJoin("users as u", (join) => join.on("u.id", "=", actorUserId ?? ""))
      .leftJoin("app_collaborators as c", (join) =>
        join.onRef("c.app_key", "=", "a.key").onRef("c.user_key", "=", "u.key"),
      )
      .leftJoin("app_pins as p", (join) =>
        join.onRef("p.app_key", "=", "a.key").onRef("p.user_key", "=", "u.key"),
      )
      .selectAll("a")
      .select([
        "o.id as org_id",
        "o.version as org_version",
        "u.key as actor_key",
        "c.role as collaborator_role",
        "p.app_key as pinned",
      ])
      .where("a.owner_id", "=", ownerId)
      .where("a.id", "=", appId)
      .executeTakeFirst();
    if (!row) return null;
    const { org_id, org_version, actor_key, collaborator_role, pinned, ...app } = row;
    return {
      app: toAppRecord(app),
      organization:
        app.organization_key === null || org_id === null || org_version === null
          ? null
          : { key: app.organization_key, id: org_id, version: Number(org_version) },
      actorKey: actor_key,
      collaboratorRole: collaborator_role as AppRole | null,
      pinned: pinned !== null,
    };
  }

  async getByKey(key: string): Promise<AppRecord | null> {
    const row = await this.ctx.db.selectFrom("apps").selectAll().where("key", "=", key).executeTakeFirst();
    return row ? toAppRecord(row) : null;
  }

  async getByIds(ownerKey: string, ids: readonly string[]): Promise<AppRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom("apps")
      .selectAll()
      .where("owner_key", "=", ownerKey)
      .where("id", "in", [...ids])
      .execute();
    return rows.map(toAppRecord);
  }

  async list(ownerKey: string, query: AppListQuery): Promise<AppListRow[]> {
    // The user's pins, read once (a prefix of the pins' primary key): the pinned part of the
    // list is then a primary-key lookup of those few apps, the rest an index walk skipping them.
    const pins =
      query.pinnedBy === null
        ? []
        : (
            await this.ctx.db
              .selectFrom("app_pins")
              .select("app_key")
              .where("user_key", "=", query.pinnedBy)
              .execute()
          ).map((r) => r.app_key);
    const out: AppListRow[] = [];
    const after = query.after;
    if (pins.length > 0 && (after === undefined || after.pinned)) {
      out.push(...(await this.#page(ownerKey, query, pins, true, after, query.limit)));
    }
    if (out.length < query.limit) {
      const rest = after?.pinned ? undefined : after;
      out.push(...(await this.#page(ownerKey, query, pins, false, rest, query.limit - out.length)));
    }
    return out;
  }

  async #page(
    ownerKey: string,
    query: AppListQuery,
    pins: readonly string[],
    pinned: boolean,
    after: AppListQuery["after"],
    limit: number,
  ): Promise<AppListRow[]> {
    const column = SORT_COLUMNS[query.sort];
    const direction = query.direction;
    const filter = query.filter;
    const collaboratorKey = filter.type === "some" ? filter.collaboratorKey : null;
    let select = this.ctx.db
      .selectFrom("apps as a")
      .leftJoin("app_collaborators as c", (join) =>
        join.onRef("c.app_key", "=", "a.key").on("c.user_key", "=", collaboratorKey ?? ""),
      )
      .selectAll("a")
      .select("c.role as collaborator_role")
      .where("a.owner_key", "=", ownerKey);
    if (pinned) select = select.where("a.key", "in", [...pins]);
    else if (pins.length > 0) select = select.where("a.key", "not in", [...pins]);
    if (filter.type === "some") {
      select = select.where((eb) => {
        const ors: Expression<SqlBool>[] = [];
        if (filter.visibilities.length > 0) ors.push(eb("a.visibility", "in", [...filter.visibilities]));
        if (filter.collaboratorKey !== null) ors.push(eb("c.role", "is not", null));
        const teamsOf = filter.teamsOf;
        if (teamsOf !== null) {
          // Uncorrelated: the user's team apps are read once (team_members_by_user, then the
          // team_apps primary key), not once per app row.
          ors.push(
            eb(
              "a.key",
              "in",
              eb
                .selectFrom("team_members as tm")
                .innerJoin("team_apps as ta", "ta.team_key", "tm.team_key")
                .select("ta.app_key")
                .where("tm.organization_key", "=", teamsOf.organizationKey)
                .where("tm.user_key", "=", teamsOf.userKey),
            ),
          );
        }
        return ors.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(ors);
      });
    }
    if (query.search) select = select.where(containsText("a.search", query.search));
    if (after) {
      const value = query.sort === "updatedAt" ? Number(after.value) : String(after.value);
      select = select.where((eb) =>
        eb(eb.refTuple(column, "a.key"), direction === "asc" ? ">" : "<", eb.tuple(value, after.key)),
      );
    }
    const rows = await select.orderBy(column, direction).orderBy("a.key", direction).limit(limit).execute();
    return rows.map(({ collaborator_role, ...row }) => ({
      app: toAppRecord(row),
      pinned,
      collaboratorRole: collaborator_role as AppRole | null,
      sortValue: query.sort === "name" ? row.sort_name : Number(row.updated_at),
    }));
  }

  async update(key: string, patch: AppPatch, at: Date): Promise<AppRecord | null> {
    return this.ctx.atomic(async (db) => {
      const set: Updateable<AppsTable> = { updated_at: at.getTime() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.labels !== undefined) set.labels_json = JSON.stringify(patch.labels);
      if (patch.visibility !== undefined) set.visibility = patch.visibility;
      const row = await db
        .updateTable("apps")
        .set(set)
        .where("key", "=", key)
        .returningAll()
        .executeTakeFirst();
      if (!row) return null;
      if (patch.name !== undefined) {
        const searchRow = { sort_name: sortName(row.name), search: `${sortName(row.name)} ${row.id}` };
        await db.updateTable("apps").set(searchRow).where("key", "=", key).execute();
        await db
          .updateTable("team_apps")
          .set({ sort_name: searchRow.sort_name })
          .where("app_key", "=", key)
          .execute();
      }
      return toAppRecord(row);
    });
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom("apps").where("key", "=", key).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async transfer(key: string, fromOwnerKey: string, to: AppTransfer, at: Date): Promise<AppRecord | null> {
    const row = await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .updateTable("apps")
        .set({
          owner_type: to.owner.type,
          owner_key: to.owner.key,
          owner_id: to.owner.id,
          organization_key: to.owner.type === "organization" ? to.owner.key : null,
          user_key: to.owner.type === "user" ? to.owner.key : null,
          id: to.id,
          name: to.name,
          sort_name: sortName(to.name),
          search: `${sortName(to.name)} ${to.id}`,
          updated_at: at.getTime(),
        })
        .where("key", "=", key)
        .where("owner_key", "=", fromOwnerKey)
        .returningAll()
        .executeTakeFirst(),
    );
    return row ? toAppRecord(row) : null;
  }

  async pin(userKey: string, appKey: string, at: Date): Promise<boolean> {
    const result = await this.ctx.db
      .insertInto("app_pins")
      .values({ user_key: userKey, app_key: appKey, created_at: at.getTime() })
      .onConflict((oc) => oc.columns(["user_key", "app_key"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async unpin(userKey: string, appKey: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom("app_pins")
      .where("user_key", "=", userKey)
      .where("app_key", "=", appKey)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async addCollaborator(appKey: string, userKey: string, role: AppRole, at: Date): Promise<void> {
    const user = await this.ctx.db
      .selectFrom("users")
      .select("name")
      .where("key", "=", userKey)
      .executeTakeFirstOrThrow();
    await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .insertInto("app_collaborators")
        .values({
          app_key: appKey,
          user_key: userKey,
          role,
          sort_name: sortName(user.name),
          created_at: at.getTime(),
          updated_at: at.getTime(),
        })
        .execute(),
    );
  }

  async getCollaborator(appKey: string, userKey: string): Promise<AppRole | null> {
    const row = await this.ctx.db
      .selectFrom("app_collaborators")
      .select("role")
      .where("app_key", "=", appKey)
      .where("user_key", "=", userKey)
      .executeTakeFirst();
    return row ? (row.role as AppRole) : null;
  }

  async updateCollaborator(appKey: string, userKey: string, role: AppRole, at: Date): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable("app_collaborators")
      .set({ role, updated_at: at.getTime() })
      .where("app_key", "=", appKey)
      .where("user_key", "=", userKey)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async removeCollaborator(appKey: string, userKey: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom("app_collaborators")
      .where("app_key", "=", appKey)
      .where("user_key", "=", userKey)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async listCollaborators(
    appKey: string,
    after: TextKeyset | undefined,
    limit: number,
  ): Promise<CollaboratorRow[]> {
    let select = this.ctx.db
      .selectFrom("app_collaborators as c")
      .innerJoin("users as u", "u.key", "c.user_key")
      .innerJoin("apps as a", "a.key", "c.app_key")
      .select([
        "c.app_key",
        "a.id as app_id",
        "c.user_key",
        "c.role",
        "c.sort_name",
        "c.created_at",
        "u.id",
        "u.name",
      ])
      .where("c.app_key", "=", appKey);
    if (after) {
      select = select.where((eb) =>
        eb(eb.refTuple("c.sort_name", "c.user_key"), ">", eb.tuple(after.value, after.key)),
      );
    }
    const rows = await select.orderBy("c.sort_name").orderBy("c.user_key").limit(limit).execute();
    return rows.map(toCollaboratorRow);
  }

  async listCollaborations(
    userKey: string,
    after: CollaborationKeyset | undefined,
    limit: number,
  ): Promise<CollaborationRow[]> {
    let select = this.ctx.db
      .selectFrom("app_collaborators as c")
      .innerJoin("apps as a", "a.key", "c.app_key")
      .selectAll("a")
      .select(["c.role as collaborator_role", "c.created_at as added_at"])
      .where("c.user_key", "=", userKey);
    if (after) {
      select = select.where((eb) =>
        eb(eb.refTuple("c.created_at", "c.app_key"), "<", eb.tuple(after.at.getTime(), after.appKey)),
      );
    }
    const rows = await select
      .orderBy("c.created_at", "desc")
      .orderBy("c.app_key", "desc")
      .limit(limit)
      .execute();
    return rows.map(({ collaborator_role, added_at, ...app }) => ({
      app: toAppRecord(app),
      userKey,
      role: collaborator_role as AppRole,
      addedAt: toDate(added_at),
    }));
  }

  async listCollaboratorsOfOwner(
    ownerKey: string,
    after: CollaborationKeyset | undefined,
    limit: number,
  ): Promise<CollaboratorRow[]> {
    let select = this.ctx.db
      .selectFrom("apps as a")
      .innerJoin("app_collaborators as c", "c.app_key", "a.key")
      .innerJoin("users as u", "u.key", "c.user_key")
      .select([
        "c.app_key",
        "a.id as app_id",
        "c.user_key",
        "c.role",
        "c.sort_name",
        "c.created_at",
        "u.id",
        "u.name",
      ])
      .where("a.owner_key", "=", ownerKey);
    if (after) {
      select = select.where((eb) =>
        eb(
          eb.refTuple("c.created_at", "c.app_key", "c.user_key"),
          "<",
          eb.tuple(after.at.getTime(), after.appKey, after.userKey),
        ),
      );
    }
    const rows = await select
      .orderBy("c.created_at", "desc")
      .orderBy("c.app_key", "desc")
      .orderBy("c.user_key", "desc")
      .limit(limit)
      .execute();
    return rows.map(toCollaboratorRow);
  }
}

function appRow(app: NewApp) {
  const at = app.at.getTime();
  return {
    key: app.key,
    owner_type: app.owner.type,
    owner_key: app.owner.key,
    owner_id: app.owner.id,
    organization_key: app.owner.type === "organization" ? app.owner.key : null,
    user_key: app.owner.type === "user" ? app.owner.key : null,
    id: app.id,
    name: app.name,
    sort_name: sortName(app.name),
    search: `${sortName(app.name)} ${app.id}`,
    description: app.description,
    labels_json: JSON.stringify(app.labels),
    visibility: app.visibility,
    created_at: at,
    updated_at: at,
  };
}

function toCollaboratorRow(r: {
  app_key: string;
  app_id: string;
  user_key: string;
  role: string;
  sort_name: string;
  created_at: number | string;
  id: string;
  name: string;
}): CollaboratorRow {
  return {
    appKey: r.app_key,
    appId: r.app_id,
    userKey: r.user_key,
    userId: r.id,
    name: r.name,
    role: r.role as AppRole,
    addedAt: toDate(r.created_at),
    sortName: r.sort_name,
  };
}

/** A stored app row as the port's record. */
export function toAppRecord(row: Selectable<AppsTable>): AppRecord {
  return {
    key: row.key,
    ownerType: row.owner_type,
    ownerKey: row.owner_key,
    ownerId: row.owner_id,
    id: row.id,
    name: row.name,
    description: row.description,
    labels: parseStringArray(row.labels_json),
    visibility: row.visibility as AppVisibility,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
