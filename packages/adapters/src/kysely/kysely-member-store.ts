import {
  type AccessRow,
  type MemberListQuery,
  type MemberRow,
  type MemberSort,
  type MemberStore,
  type MembershipRecord,
  memberSearchText,
  memberSortName,
  type NewMembership,
  type OrganizationRole,
} from "@orgkit/core";
import { type Selectable, sql } from "kysely";
import type { MembershipsTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

/** The membership column each sort walks; each has an index (organization_key, column, user_key). */
const SORT_COLUMNS = {
  name: "m.sort_name",
  email: "m.email",
  joinedAt: "m.created_at",
} as const satisfies Record<MemberSort, string>;

/** {@link MemberStore} over Kysely. */
export class KyselyMemberStore implements MemberStore {
  constructor(private readonly ctx: StoreContext) {}

  async get(organizationKey: string, userKey: string): Promise<MembershipRecord | null> {
    const row = await this.ctx.db
      .selectFrom("memberships")
      .selectAll()
      .where("organization_key", "=", organizationKey)
      .where("user_key", "=", userKey)
      .executeTakeFirst();
    return row ? toMembershipRecord(row) : null;
  }

  async getAccess(organizationId: string, userId: string): Promise<AccessRow | null> {
    const row = await this.ctx.db
      .selectFrom("organizations as o")
      .leftJoin("users as u", (join) => join.on("u.id", "=", userId))
      .leftJoin("memberships as m", (join) =>
        join.onRef("m.organization_key", "=", "o.key").onRef("m.user_key", "=", "u.key"),
      )
      .select(["o.key", "o.id", "o.version", "u.key as user_key", "m.role"])
      .where("o.id", "=", organizationId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      organization: { key: row.key, id: row.id, version: Number(row.version) },
      userKey: row.user_key,
      role: row.role as OrganizationRole | null,
    };
  }

  async insert(membership: NewMembership): Promise<MembershipRecord> {
    const at = membership.at.getTime();
    const { name, email } = membership;
    await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .insertInto("memberships")
        .values({
          organization_key: membership.organizationKey,
          user_key: membership.userKey,
          role: membership.role,
          sort_name: memberSortName(name),
          email,
          search: memberSearchText(name, email),
          created_at: at,
          updated_at: at,
        })
        .execute(),
    );
    return {
      organizationKey: membership.organizationKey,
      userKey: membership.userKey,
      role: membership.role,
      createdAt: new Date(at),
      updatedAt: new Date(at),
    };
  }

  async updateRole(
    organizationKey: string,
    userKey: string,
    role: OrganizationRole,
    at: Date,
  ): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable("memberships")
      .set({ role, updated_at: at.getTime() })
      .where("organization_key", "=", organizationKey)
      .where("user_key", "=", userKey)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(organizationKey: string, userKey: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom("memberships")
      .where("organization_key", "=", organizationKey)
      .where("user_key", "=", userKey)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async countByRole(organizationKey: string, role: OrganizationRole): Promise<number> {
    const row = await this.ctx.db
      .selectFrom("memberships")
      .select((eb) => eb.fn.countAll().as("count"))
      .where("organization_key", "=", organizationKey)
      .where("role", "=", role)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async count(organizationKey: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom("memberships")
      .select((eb) => eb.fn.countAll().as("count"))
      .where("organization_key", "=", organizationKey)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async list(organizationKey: string, query: MemberListQuery): Promise<MemberRow[]> {
    const column = SORT_COLUMNS[query.sort];
    const direction = query.direction;
    let select = this.ctx.db
      .selectFrom("memberships as m")
      .innerJoin("users as u", "u.key", "m.user_key")
      .select(["m.user_key", "u.id as user_id", "u.name", "u.email", "m.role", "m.created_at"])
      .where("m.organization_key", "=", organizationKey);
    if (query.role !== undefined) select = select.where("m.role", "=", query.role);
    if (query.search) {
      // SQLite has no default LIKE escape character, so name one (a single backslash).
      select = select.where(
        sql<boolean>`${sql.ref("m.search")} like ${`%${escapeLike(query.search)}%`} escape '\\'`,
      );
    }
    const after = query.after;
    if (after) {
      const value = query.sort === "joinedAt" ? Number(after.value) : String(after.value);
      // A row-value comparison, which both engines turn into a range scan of the sort index.
      select = select.where((eb) =>
        eb(
          eb.refTuple(column, "m.user_key"),
          direction === "asc" ? ">" : "<",
          eb.tuple(value, after.userKey),
        ),
      );
    }
    const rows = await select
      .orderBy(column, direction)
      .orderBy("m.user_key", direction)
      .limit(query.limit)
      .execute();
    return rows.map((row) => ({
      userKey: row.user_key,
      userId: row.user_id,
      name: row.name,
      email: row.email,
      role: row.role as OrganizationRole,
      joinedAt: toDate(row.created_at),
    }));
  }
}

/** `term` with LIKE's wildcards (`%`, `_`) and the escape character itself escaped by a backslash. */
function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toMembershipRecord(row: Selectable<MembershipsTable>): MembershipRecord {
  return {
    organizationKey: row.organization_key,
    userKey: row.user_key,
    role: row.role as OrganizationRole,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
