import type { InputListQuery, InputRecord, InputStore, StarKind, StarRow, StarStore } from "@orgkit/core";
import type { Selectable } from "kysely";
import { containsText, parseStringArray } from "./query-helpers.js";
import type { InputsTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

/** {@link InputStore} over Kysely. */
export class KyselyInputStore implements InputStore {
  constructor(private readonly ctx: StoreContext) {}

  async insertMany(
    inputs: readonly (Omit<InputRecord, "createdAt"> & { readonly at: Date })[],
  ): Promise<void> {
    if (inputs.length === 0) return;
    await this.ctx.atomic(async (db) => {
      await translateUnique(
        this.ctx.classifyError,
        db
          .insertInto("inputs")
          .values(
            inputs.map((input) => ({
              key: input.key,
              app_key: input.appKey,
              id: input.id,
              text_value: input.text,
              url: input.url,
              search: (input.text ?? input.url ?? "").normalize("NFC").toLowerCase(),
              concepts_json: JSON.stringify(input.conceptIds),
              created_at: input.at.getTime(),
            })),
          )
          .execute(),
      );
      const labels = inputs.flatMap((input) =>
        [...new Set(input.conceptIds)].map((conceptId) => ({
          input_key: input.key,
          app_key: input.appKey,
          concept_id: conceptId,
          created_at: input.at.getTime(),
        })),
      );
      if (labels.length > 0) await db.insertInto("input_concepts").values(labels).execute();
    });
  }

  async get(appKey: string, id: string): Promise<InputRecord | null> {
    const row = await this.ctx.db
      .selectFrom("inputs")
      .selectAll()
      .where("app_key", "=", appKey)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toInputRecord(row) : null;
  }

  async list(appKey: string, query: InputListQuery): Promise<InputRecord[]> {
    let select = this.ctx.db.selectFrom("inputs as i").selectAll("i").where("i.app_key", "=", appKey);
    if (query.conceptId !== undefined) {
      const conceptId = query.conceptId;
      select = select.where((eb) =>
        eb.exists(
          eb
            .selectFrom("input_concepts as ic")
            .select("ic.input_key")
            .where("ic.app_key", "=", appKey)
            .where("ic.concept_id", "=", conceptId)
            .whereRef("ic.input_key", "=", "i.key"),
        ),
      );
    }
    if (query.search) select = select.where(containsText("i.search", query.search));
    const after = query.after;
    if (after)
      select = select.where((eb) =>
        eb(eb.refTuple("i.created_at", "i.key"), "<", eb.tuple(after.value, after.key)),
      );
    const rows = await select
      .orderBy("i.created_at", "desc")
      .orderBy("i.key", "desc")
      .limit(query.limit)
      .execute();
    return rows.map(toInputRecord);
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom("inputs").where("key", "=", key).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async listTextExamples(appKey: string, limit: number): Promise<{ text: string; conceptIds: string[] }[]> {
    const rows = await this.ctx.db
      .selectFrom("inputs")
      .select(["text_value", "concepts_json"])
      .where("app_key", "=", appKey)
      .where("text_value", "is not", null)
      .orderBy("created_at")
      .orderBy("key")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ text: r.text_value ?? "", conceptIds: parseStringArray(r.concepts_json) }));
  }
}

function toInputRecord(row: Selectable<InputsTable>): InputRecord {
  return {
    key: row.key,
    appKey: row.app_key,
    id: row.id,
    text: row.text_value,
    url: row.url,
    conceptIds: parseStringArray(row.concepts_json),
    createdAt: toDate(row.created_at),
  };
}

/** {@link StarStore} over Kysely. */
export class KyselyStarStore implements StarStore {
  constructor(private readonly ctx: StoreContext) {}

  async star(userKey: string, kind: StarKind, targetKey: string, appKey: string, at: Date): Promise<boolean> {
    const result = await this.ctx.db
      .insertInto("stars")
      .values({ user_key: userKey, target_key: targetKey, kind, app_key: appKey, created_at: at.getTime() })
      .onConflict((oc) => oc.columns(["user_key", "target_key"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async unstar(userKey: string, targetKey: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom("stars")
      .where("user_key", "=", userKey)
      .where("target_key", "=", targetKey)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async list(
    userKey: string,
    after: { readonly value: number; readonly key: string } | undefined,
    limit: number,
  ): Promise<StarRow[]> {
    let select = this.ctx.db
      .selectFrom("stars as s")
      .innerJoin("apps as a", "a.key", "s.app_key")
      .leftJoin("models as m", "m.key", "s.target_key")
      .leftJoin("workflows as w", "w.key", "s.target_key")
      .select([
        "s.kind",
        "s.target_key",
        "s.created_at",
        "s.app_key",
        "a.id as app_id",
        "a.owner_id",
        "m.id as model_id",
        "m.name as model_name",
        "w.id as workflow_id",
        "w.name as workflow_name",
      ])
      .where("s.user_key", "=", userKey);
    if (after)
      select = select.where((eb) =>
        eb(eb.refTuple("s.created_at", "s.target_key"), "<", eb.tuple(after.value, after.key)),
      );
    const rows = await select
      .orderBy("s.created_at", "desc")
      .orderBy("s.target_key", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: r.kind as StarKind,
      targetKey: r.target_key,
      targetId: (r.kind === "model" ? r.model_id : r.workflow_id) ?? "",
      targetName: (r.kind === "model" ? r.model_name : r.workflow_name) ?? "",
      appKey: r.app_key,
      appId: r.app_id,
      ownerId: r.owner_id,
      starredAt: toDate(r.created_at),
    }));
  }

  async count(targetKey: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom("stars")
      .select((eb) => eb.fn.countAll().as("count"))
      .where("target_key", "=", targetKey)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
