import type {
  NewOrganization,
  OrganizationPatch,
  OrganizationRecord,
  OrganizationRole,
  OrganizationStore,
  OrganizationWithRole,
} from "@orgkit/core";
import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import type { OrganizationsTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

/** {@link OrganizationStore} over Kysely. */
export class KyselyOrganizationStore implements OrganizationStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(organization: NewOrganization): Promise<OrganizationRecord> {
    const at = organization.at.getTime();
    const row = {
      key: organization.key,
      id: organization.id,
      name: organization.name,
      name_key: organization.nameKey,
      billing_email: organization.billingEmail,
      website: organization.website,
      logo_url: organization.logoUrl,
      description: organization.description,
      version: 1,
      created_at: at,
      updated_at: at,
    } satisfies Insertable<OrganizationsTable>;
    await this.ctx.atomic((db) =>
      translateUnique(
        this.ctx.classifyError,
        (async () => {
          await db.insertInto("accounts").values({ id: organization.id, kind: "organization" }).execute();
          await db.insertInto("organizations").values(row).execute();
        })(),
      ),
    );
    return toOrganizationRecord(row);
  }

  async getByKey(key: string): Promise<OrganizationRecord | null> {
    const row = await this.ctx.db
      .selectFrom("organizations")
      .selectAll()
      .where("key", "=", key)
      .executeTakeFirst();
    return row ? toOrganizationRecord(row) : null;
  }

  async getById(id: string): Promise<OrganizationRecord | null> {
    const row = await this.ctx.db
      .selectFrom("organizations")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toOrganizationRecord(row) : null;
  }

  async listForUser(userKey: string): Promise<OrganizationWithRole[]> {
    const rows = await this.ctx.db
      .selectFrom("memberships as m")
      .innerJoin("organizations as o", "o.key", "m.organization_key")
      .selectAll("o")
      .select("m.role")
      .where("m.user_key", "=", userKey)
      .orderBy("o.name")
      .orderBy("o.key")
      .execute();
    return rows.map(({ role, ...row }) => ({
      organization: toOrganizationRecord(row),
      role: role as OrganizationRole,
    }));
  }

  async update(key: string, patch: OrganizationPatch, at: Date): Promise<OrganizationRecord | null> {
    const set: Updateable<OrganizationsTable> = { updated_at: at.getTime() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.nameKey !== undefined) set.name_key = patch.nameKey;
    if (patch.billingEmail !== undefined) set.billing_email = patch.billingEmail;
    if (patch.website !== undefined) set.website = patch.website;
    if (patch.logoUrl !== undefined) set.logo_url = patch.logoUrl;
    if (patch.description !== undefined) set.description = patch.description;
    const row = await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .updateTable("organizations")
        .set(set)
        .where("key", "=", key)
        .returningAll()
        .executeTakeFirst(),
    );
    return row ? toOrganizationRecord(row) : null;
  }

  async delete(key: string): Promise<boolean> {
    return this.ctx.atomic(async (db) => {
      // Every member gives back the slot they hold in this organization, before the cascade
      // forgets who they were.
      await db
        .updateTable("users")
        .set((eb) => ({ organization_count: eb("organization_count", "-", 1) }))
        .where("key", "in", (eb) =>
          eb.selectFrom("memberships").select("user_key").where("organization_key", "=", key),
        )
        .where("organization_count", ">", 0)
        .execute();
      const deleted = await db
        .deleteFrom("organizations")
        .where("key", "=", key)
        .returning("id")
        .executeTakeFirst();
      if (!deleted) return false;
      await db.deleteFrom("accounts").where("id", "=", deleted.id).execute();
      return true;
    });
  }

  async lock(key: string): Promise<OrganizationRecord | null> {
    const row = await this.ctx.db
      .updateTable("organizations")
      .set({ version: sql`version + 1` })
      .where("key", "=", key)
      .returningAll()
      .executeTakeFirst();
    return row ? toOrganizationRecord(row) : null;
  }
}

/** A stored organization row as the port's record. */
export function toOrganizationRecord(row: Selectable<OrganizationsTable>): OrganizationRecord {
  return {
    key: row.key,
    id: row.id,
    name: row.name,
    billingEmail: row.billing_email,
    website: row.website,
    logoUrl: row.logo_url,
    description: row.description,
    version: Number(row.version),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
