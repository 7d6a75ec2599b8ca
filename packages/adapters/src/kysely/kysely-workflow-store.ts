import {
  type ContentVisibility,
  sortName,
  type TextKeyset,
  type WorkflowGraph,
  type WorkflowRecord,
  type WorkflowStore,
  type WorkflowVersionRecord,
} from "@orgkit/core";
import type { Selectable, Updateable } from "kysely";
import { containsText } from "./query-helpers.js";
import type { WorkflowsTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

/** {@link WorkflowStore} over Kysely. */
export class KyselyWorkflowStore implements WorkflowStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(
    workflow: Omit<WorkflowRecord, "createdAt" | "updatedAt" | "version"> & { readonly at: Date },
  ): Promise<WorkflowRecord> {
    const at = workflow.at.getTime();
    const row = {
      key: workflow.key,
      app_key: workflow.appKey,
      id: workflow.id,
      name: workflow.name,
      sort_name: sortName(workflow.name),
      search: `${sortName(workflow.name)} ${workflow.id}`,
      description: workflow.description,
      visibility: workflow.visibility,
      graph_json: JSON.stringify(workflow.graph),
      version: 1,
      created_at: at,
      updated_at: at,
    };
    await this.ctx.atomic(async (db) => {
      await translateUnique(this.ctx.classifyError, db.insertInto("workflows").values(row).execute());
      await db
        .insertInto("workflow_versions")
        .values({ workflow_key: row.key, number: 1, graph_json: row.graph_json, created_at: at })
        .execute();
    });
    return toWorkflowRecord(row);
  }

  async get(appKey: string, id: string): Promise<WorkflowRecord | null> {
    const row = await this.ctx.db
      .selectFrom("workflows")
      .selectAll()
      .where("app_key", "=", appKey)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toWorkflowRecord(row) : null;
  }

  async listAll(appKey: string): Promise<WorkflowRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("workflows")
      .selectAll()
      .where("app_key", "=", appKey)
      .orderBy("id")
      .execute();
    return rows.map(toWorkflowRecord);
  }

  async list(
    appKey: string,
    query: { search?: string | undefined; after?: TextKeyset | undefined; limit: number },
  ): Promise<WorkflowRecord[]> {
    let select = this.ctx.db.selectFrom("workflows").selectAll().where("app_key", "=", appKey);
    if (query.search) select = select.where(containsText("search", query.search));
    const after = query.after;
    if (after)
      select = select.where((eb) =>
        eb(eb.refTuple("sort_name", "key"), ">", eb.tuple(after.value, after.key)),
      );
    const rows = await select.orderBy("sort_name").orderBy("key").limit(query.limit).execute();
    return rows.map(toWorkflowRecord);
  }

  async update(
    key: string,
    patch: {
      name?: string;
      description?: string | null;
      visibility?: ContentVisibility;
      graph?: WorkflowGraph;
    },
    at: Date,
  ): Promise<WorkflowRecord | null> {
    return this.ctx.atomic(async (db) => {
      const current = await db
        .selectFrom("workflows")
        .select(["id", "version"])
        .where("key", "=", key)
        .executeTakeFirst();
      if (!current) return null;
      const set: Updateable<WorkflowsTable> = { updated_at: at.getTime() };
      if (patch.name !== undefined) {
        set.name = patch.name;
        set.sort_name = sortName(patch.name);
        set.search = `${sortName(patch.name)} ${current.id}`;
      }
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.visibility !== undefined) set.visibility = patch.visibility;
      if (patch.graph !== undefined) {
        const number = Number(current.version) + 1;
        set.graph_json = JSON.stringify(patch.graph);
        set.version = number;
        await db
          .insertInto("workflow_versions")
          .values({ workflow_key: key, number, graph_json: set.graph_json, created_at: at.getTime() })
          .execute();
      }
      const row = await db
        .updateTable("workflows")
        .set(set)
        .where("key", "=", key)
        .returningAll()
        .executeTakeFirst();
      return row ? toWorkflowRecord(row) : null;
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.ctx.atomic(async (db) => {
      await db.deleteFrom("stars").where("target_key", "=", key).execute();
      const result = await db.deleteFrom("workflows").where("key", "=", key).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    });
  }

  async listVersions(workflowKey: string): Promise<WorkflowVersionRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("workflow_versions")
      .selectAll()
      .where("workflow_key", "=", workflowKey)
      .orderBy("number", "desc")
      .execute();
    return rows.map((r) => ({
      workflowKey: r.workflow_key,
      number: Number(r.number),
      graph: JSON.parse(r.graph_json) as WorkflowGraph,
      createdAt: toDate(r.created_at),
    }));
  }
}

function toWorkflowRecord(row: Selectable<WorkflowsTable>): WorkflowRecord {
  return {
    key: row.key,
    appKey: row.app_key,
    id: row.id,
    name: row.name,
    description: row.description,
    visibility: row.visibility as ContentVisibility,
    graph: JSON.parse(row.graph_json) as WorkflowGraph,
    version: Number(row.version),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
