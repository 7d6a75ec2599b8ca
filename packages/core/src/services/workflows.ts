import { invalid, notFound, OrgKitError } from "../errors.js";
import { newKey } from "../internal/ids.js";
import { type Page, parseInput } from "../schemas/common.js";
import {
  type ContentListQuery,
  ContentListQuerySchema,
  type CreateWorkflowInput,
  CreateWorkflowInputSchema,
  type UpdateWorkflowInput,
  UpdateWorkflowInputSchema,
  type Workflow,
} from "../schemas/content.js";
import { ResourceIdSchema } from "../schemas/team.js";
import type { AppRecord } from "../storage/app-store.js";
import type { WorkflowGraph, WorkflowRecord } from "../storage/content-store.js";
import { isUniqueViolation } from "../storage/errors.js";
import type { Stores } from "../storage/storage.js";
import { sortName, type TextKeyset } from "../storage/team-store.js";
import { type AppGrant, appAuditScope, authorizeApp, idParam } from "./app-access.js";
import { recordAudit } from "./audit-trail.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { CallContext } from "./runtime.js";

/** Workflows of an app (read: `workflows:get`; write: `workflows:add|delete`). */
export interface WorkflowsService {
  /**
   * Creates a workflow: a DAG of nodes, each naming a model of the app. A cycle, an edge to an
   * unknown node or a node naming an unknown model is VALIDATION_FAILED with `param` pointing at
   * it (`graph.edges.2`, `graph.nodes.0.modelId`).
   *
   * @example
   * ```ts
   * await asAlice.workflows.create("acme", "support", { id: "route", graph: {
   *   nodes: [{ id: "a", modelId: "triage" }, { id: "b", modelId: "embed" }], edges: [{ from: "a", to: "b" }] } });
   * ```
   */
  create(ownerId: string, appId: string, input: CreateWorkflowInput): Promise<Workflow>;
  /** A page of workflows by name; `search` on name or id. */
  list(ownerId: string, appId: string, query?: ContentListQuery): Promise<Page<Workflow>>;
  /** One workflow. */
  get(ownerId: string, appId: string, workflowId: string): Promise<Workflow>;
  /** Edits a workflow (needs `workflows:add`); a new graph becomes a new version. */
  update(ownerId: string, appId: string, workflowId: string, input: UpdateWorkflowInput): Promise<Workflow>;
  /** Copies a workflow under a new id in the same app (needs `workflows:add`). */
  duplicate(
    ownerId: string,
    appId: string,
    workflowId: string,
    input: { id: string; name?: string },
  ): Promise<Workflow>;
  /** Deletes a workflow with its versions and stars (needs `workflows:delete`). */
  delete(ownerId: string, appId: string, workflowId: string): Promise<void>;
  /** The workflow's versions, newest first. */
  listVersions(
    ownerId: string,
    appId: string,
    workflowId: string,
  ): Promise<{ number: number; graph: WorkflowGraph; createdAt: Date }[]>;
}

/** A workflow record as the API shows it. */
export function toWorkflow(workflow: WorkflowRecord, app: AppRecord): Workflow {
  return {
    id: workflow.id,
    appId: app.id,
    ownerId: app.ownerId,
    name: workflow.name,
    description: workflow.description,
    visibility: workflow.visibility,
    graph: {
      nodes: workflow.graph.nodes.map((n) => ({ ...n })),
      edges: workflow.graph.edges.map((e) => ({ ...e })),
    },
    version: workflow.version,
    createdAt: workflow.createdAt,
    updatedAt: workflow.updatedAt,
  };
}

/**
 * Checks a graph: node ids distinct, every model one of `modelIds`, every edge between known
 * nodes, and no cycle (Kahn's algorithm; the first edge left on a cycle is reported).
 */
export function validateWorkflowGraph(graph: WorkflowGraph, modelIds: ReadonlySet<string>): void {
  const nodes = new Set<string>();
  graph.nodes.forEach((node, i) => {
    if (nodes.has(node.id)) throw invalid(`graph.nodes.${i}.id`, "Two nodes have this id.");
    nodes.add(node.id);
    if (!modelIds.has(node.modelId))
      throw invalid(`graph.nodes.${i}.modelId`, "The app has no model with this id.");
  });
  const incoming = new Map<string, number>([...nodes].map((n) => [n, 0]));
  const seen = new Set<string>();
  graph.edges.forEach((edge, i) => {
    if (!nodes.has(edge.from)) throw invalid(`graph.edges.${i}.from`, "No node has this id.");
    if (!nodes.has(edge.to)) throw invalid(`graph.edges.${i}.to`, "No node has this id.");
    const id = `${edge.from}\u0000${edge.to}`;
    if (seen.has(id)) throw invalid(`graph.edges.${i}`, "This edge is listed twice.");
    seen.add(id);
    incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
  });
  const queue = [...nodes].filter((n) => incoming.get(n) === 0);
  const done = new Set<string>();
  while (queue.length > 0) {
    const node = queue.shift()!;
    done.add(node);
    for (const edge of graph.edges) {
      if (edge.from !== node) continue;
      const left = (incoming.get(edge.to) ?? 0) - 1;
      incoming.set(edge.to, left);
      if (left === 0) queue.push(edge.to);
    }
  }
  if (done.size < nodes.size) {
    const i = graph.edges.findIndex((e) => !done.has(e.from) && !done.has(e.to));
    throw invalid(`graph.edges.${i}`, "The graph has a cycle: a workflow must be acyclic.");
  }
}

/** Builds the workflows service for one actor. */
export function workflowsService(ctx: CallContext): WorkflowsService {
  const { rt } = ctx;

  async function workflowOf(stores: Stores, grant: AppGrant, workflowId: string): Promise<WorkflowRecord> {
    const workflow = await stores.workflows.get(grant.app.key, idParam(workflowId, "workflowId"));
    if (workflow === null) throw notFound("workflowId");
    return workflow;
  }

  async function checkGraph(stores: Stores, grant: AppGrant, graph: WorkflowGraph): Promise<void> {
    validateWorkflowGraph(graph, new Set((await stores.models.listAll(grant.app.key)).map((m) => m.id)));
  }

  async function insert(
    tx: Stores,
    grant: AppGrant,
    data: {
      id: string;
      name: string;
      description: string | null;
      visibility: "private" | "public";
      graph: WorkflowGraph;
    },
    source: string | null,
  ): Promise<Workflow> {
    const workflow = await tx.workflows
      .insert({ key: newKey(), appKey: grant.app.key, ...data, at: rt.clock.now() })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, "workflow_id")) {
          throw new OrgKitError("CONFLICT", { param: "id", message: "The app has a workflow with this id." });
        }
        throw error;
      });
    await recordAudit(tx, ctx, {
      ...appAuditScope(grant.row),
      action: "WORKFLOW_CREATE",
      targetType: "workflow",
      targetId: `${grant.app.ownerId}/${grant.app.id}/${workflow.id}`,
      ...(source === null ? {} : { before: { duplicateOf: source } }),
      after: toWorkflow(workflow, grant.app),
    });
    return toWorkflow(workflow, grant.app);
  }

  return {
    async create(ownerId, appId, input) {
      const data = parseInput(CreateWorkflowInputSchema, input);
      return rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "workflows:add", tx);
        await checkGraph(tx, grant, data.graph);
        return insert(
          tx,
          grant,
          {
            id: data.id,
            name: data.name ?? data.id,
            description: data.description ?? null,
            visibility: data.visibility,
            graph: data.graph,
          },
          null,
        );
      });
    },

    async list(ownerId, appId, query = {}) {
      const q = parseInput(ContentListQuerySchema, query);
      const grant = await authorizeApp(ctx, ownerId, appId, "workflows:get");
      const scope = JSON.stringify(["workflows", grant.app.key, q.search ?? ""]);
      let after: TextKeyset | undefined;
      if (q.cursor !== undefined) {
        const [value, key] = decodeCursor(q.cursor, scope, ["string", "string"]);
        after = { value: value as string, key: key as string };
      }
      const rows = await rt.storage.workflows.list(grant.app.key, {
        search: q.search || undefined,
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map((w) => toWorkflow(w, grant.app)),
        nextCursor:
          rows.length > q.limit && last ? encodeCursor(scope, [sortName(last.name), last.key]) : null,
      };
    },

    async get(ownerId, appId, workflowId) {
      const grant = await authorizeApp(ctx, ownerId, appId, "workflows:get");
      return toWorkflow(await workflowOf(rt.storage, grant, workflowId), grant.app);
    },

    async update(ownerId, appId, workflowId, input) {
      const data = parseInput(UpdateWorkflowInputSchema, input);
      return rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "workflows:add", tx);
        const workflow = await workflowOf(tx, grant, workflowId);
        if (data.graph !== undefined) await checkGraph(tx, grant, data.graph);
        const after = await tx.workflows.update(workflow.key, data, rt.clock.now());
        if (after === null) throw notFound("workflowId");
        const changed = Object.keys(data) as (keyof typeof data)[];
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "WORKFLOW_UPDATE",
          targetType: "workflow",
          targetId: `${grant.app.ownerId}/${grant.app.id}/${workflow.id}`,
          before: Object.fromEntries(changed.map((f) => [f, workflow[f]])),
          after: Object.fromEntries(changed.map((f) => [f, after[f]])),
        });
        return toWorkflow(after, grant.app);
      });
    },

    async duplicate(ownerId, appId, workflowId, input) {
      const id = parseInput(ResourceIdSchema, input?.id, "id");
      return rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "workflows:add", tx);
        const source = await workflowOf(tx, grant, workflowId);
        return insert(
          tx,
          grant,
          {
            id,
            name: input.name ?? source.name,
            description: source.description,
            visibility: source.visibility,
            graph: source.graph,
          },
          source.id,
        );
      });
    },

    async delete(ownerId, appId, workflowId) {
      await rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "workflows:delete", tx);
        const workflow = await workflowOf(tx, grant, workflowId);
        await tx.workflows.delete(workflow.key);
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "WORKFLOW_DELETE",
          targetType: "workflow",
          targetId: `${grant.app.ownerId}/${grant.app.id}/${workflow.id}`,
          before: toWorkflow(workflow, grant.app),
        });
      });
    },

    async listVersions(ownerId, appId, workflowId) {
      const grant = await authorizeApp(ctx, ownerId, appId, "workflows:get");
      const workflow = await workflowOf(rt.storage, grant, workflowId);
      return (await rt.storage.workflows.listVersions(workflow.key)).map((v) => ({
        number: v.number,
        graph: v.graph,
        createdAt: v.createdAt,
      }));
    },
  };
}
