import {
  type ConceptRecord,
  type ContentVisibility,
  type ModelRecord,
  type ModelStore,
  type ModelVersionRecord,
  type ModelVersionStatus,
  sortName,
  type TextKeyset,
} from "@orgkit/core";
import type { Selectable, Updateable } from "kysely";
import { containsText, parseJson, parseStringArray } from "./query-helpers.js";
import type { ModelsTable, ModelVersionsTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

/** {@link ModelStore} over Kysely. */
export class KyselyModelStore implements ModelStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(
    model: Omit<ModelRecord, "createdAt" | "updatedAt"> & { readonly at: Date },
  ): Promise<ModelRecord> {
    const at = model.at.getTime();
    const row = {
      key: model.key,
      app_key: model.appKey,
      id: model.id,
      name: model.name,
      sort_name: sortName(model.name),
      search: `${sortName(model.name)} ${model.id}`,
      type: model.type,
      description: model.description,
      visibility: model.visibility,
      concepts_json: JSON.stringify(model.conceptIds),
      created_at: at,
      updated_at: at,
    };
    await translateUnique(this.ctx.classifyError, this.ctx.db.insertInto("models").values(row).execute());
    return toModelRecord(row);
  }

  async get(appKey: string, id: string): Promise<ModelRecord | null> {
    const row = await this.ctx.db
      .selectFrom("models")
      .selectAll()
      .where("app_key", "=", appKey)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toModelRecord(row) : null;
  }

  async listAll(appKey: string): Promise<ModelRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("models")
      .selectAll()
      .where("app_key", "=", appKey)
      .orderBy("id")
      .execute();
    return rows.map(toModelRecord);
  }

  async list(
    appKey: string,
    query: { search?: string | undefined; after?: TextKeyset | undefined; limit: number },
  ): Promise<ModelRecord[]> {
    let select = this.ctx.db.selectFrom("models").selectAll().where("app_key", "=", appKey);
    if (query.search) select = select.where(containsText("search", query.search));
    const after = query.after;
    if (after)
      select = select.where((eb) =>
        eb(eb.refTuple("sort_name", "key"), ">", eb.tuple(after.value, after.key)),
      );
    const rows = await select.orderBy("sort_name").orderBy("key").limit(query.limit).execute();
    return rows.map(toModelRecord);
  }

  async update(
    key: string,
    patch: {
      name?: string;
      description?: string | null;
      visibility?: ContentVisibility;
      conceptIds?: readonly string[];
    },
    at: Date,
  ): Promise<ModelRecord | null> {
    const set: Updateable<ModelsTable> = { updated_at: at.getTime() };
    if (patch.name !== undefined) {
      set.name = patch.name;
      set.sort_name = sortName(patch.name);
    }
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.visibility !== undefined) set.visibility = patch.visibility;
    if (patch.conceptIds !== undefined) set.concepts_json = JSON.stringify(patch.conceptIds);
    return this.ctx.atomic(async (db) => {
      const row = await db
        .updateTable("models")
        .set(set)
        .where("key", "=", key)
        .returningAll()
        .executeTakeFirst();
      if (!row) return null;
      if (patch.name !== undefined) {
        await db
          .updateTable("models")
          .set({ search: `${row.sort_name} ${row.id}` })
          .where("key", "=", key)
          .execute();
      }
      return toModelRecord(row);
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.ctx.atomic(async (db) => {
      await db.deleteFrom("stars").where("target_key", "=", key).execute();
      const result = await db.deleteFrom("models").where("key", "=", key).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    });
  }

  async insertVersion(
    modelKey: string,
    version: { key: string; status: ModelVersionStatus; params: unknown; metrics: unknown; at: Date },
  ): Promise<ModelVersionRecord> {
    return this.ctx.atomic(async (db) => {
      // Lock the model row (a write) so that concurrent versions number one after the other.
      await db
        .updateTable("models")
        .set({ updated_at: version.at.getTime() })
        .where("key", "=", modelKey)
        .execute();
      const last = await db
        .selectFrom("model_versions")
        .select((eb) => eb.fn.max("number").as("number"))
        .where("model_key", "=", modelKey)
        .executeTakeFirst();
      const row = {
        key: version.key,
        model_key: modelKey,
        number: Number(last?.number ?? 0) + 1,
        status: version.status,
        params_json: version.params === null ? null : JSON.stringify(version.params),
        metrics_json: version.metrics === null ? null : JSON.stringify(version.metrics),
        created_at: version.at.getTime(),
      };
      await translateUnique(this.ctx.classifyError, db.insertInto("model_versions").values(row).execute());
      return toVersionRecord(row);
    });
  }

  async listVersions(modelKey: string): Promise<ModelVersionRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("model_versions")
      .selectAll()
      .where("model_key", "=", modelKey)
      .orderBy("number", "desc")
      .execute();
    return rows.map(toVersionRecord);
  }

  async getVersion(modelKey: string, number?: number): Promise<ModelVersionRecord | null> {
    let select = this.ctx.db.selectFrom("model_versions").selectAll().where("model_key", "=", modelKey);
    select =
      number === undefined ? select.where("status", "=", "trained") : select.where("number", "=", number);
    const row = await select.orderBy("number", "desc").limit(1).executeTakeFirst();
    return row ? toVersionRecord(row) : null;
  }

  async ensureConcepts(appKey: string, ids: readonly string[], at: Date): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return;
    await this.ctx.db
      .insertInto("concepts")
      .values(unique.map((id) => ({ app_key: appKey, id, created_at: at.getTime() })))
      .onConflict((oc) => oc.columns(["app_key", "id"]).doNothing())
      .execute();
  }

  async listConcepts(appKey: string): Promise<ConceptRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("concepts")
      .selectAll()
      .where("app_key", "=", appKey)
      .orderBy("id")
      .execute();
    return rows.map((r) => ({ appKey: r.app_key, id: r.id, createdAt: toDate(r.created_at) }));
  }
}

function toModelRecord(row: Selectable<ModelsTable>): ModelRecord {
  return {
    key: row.key,
    appKey: row.app_key,
    id: row.id,
    name: row.name,
    type: row.type,
    description: row.description,
    visibility: row.visibility as ContentVisibility,
    conceptIds: parseStringArray(row.concepts_json),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function toVersionRecord(row: Selectable<ModelVersionsTable>): ModelVersionRecord {
  return {
    key: row.key,
    modelKey: row.model_key,
    number: Number(row.number),
    status: row.status as ModelVersionStatus,
    params: parseJson(row.params_json),
    metrics: parseJson(row.metrics_json),
    createdAt: toDate(row.created_at),
  };
}
