import { notFound, OrgKitError } from "../errors.js";
import { newKey } from "../internal/ids.js";
import type { OutgoingMessage } from "../mail.js";
import { type Page, parseInput } from "../schemas/common.js";
import {
  type ContentListQuery,
  ContentListQuerySchema,
  type CreateModelInput,
  CreateModelInputSchema,
  type Model,
  type ModelVersion,
  type PredictInput,
  PredictInputSchema,
  type Prediction,
  type TrainInput,
  TrainInputSchema,
  type UpdateModelInput,
  UpdateModelInputSchema,
} from "../schemas/content.js";
import type { AppRecord } from "../storage/app-store.js";
import type { ModelRecord, ModelVersionRecord } from "../storage/content-store.js";
import { isUniqueViolation } from "../storage/errors.js";
import type { Stores } from "../storage/storage.js";
import { sortName, type TextKeyset } from "../storage/team-store.js";
import { type AppGrant, appAuditScope, authorizeApp, idParam } from "./app-access.js";
import { recordAudit } from "./audit-trail.js";
import { deliverAll } from "./budgets.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { CallContext } from "./runtime.js";
import { assertBillable, type BillableUsage, recordBillableUsage } from "./usage.js";

/** How many text inputs a training reads at most. */
export const MAX_TRAINING_EXAMPLES = 20_000;

/** Models of an app (read: `models:get`; write: `models:add|delete`; `models:train`; `predict`). */
export interface ModelsService {
  /**
   * Creates a model of a type from {@link MODEL_TYPES} (needs `models:add`); CONFLICT on `id`.
   *
   * @example
   * ```ts
   * await asAlice.models.create("acme", "support", { id: "triage", type: "text-classifier" });
   * await asAlice.models.train("acme", "support", "triage");
   * const [top] = await asAlice.models.predict("acme", "support", "triage", { text: "refund please" });
   * ```
   */
  create(ownerId: string, appId: string, input: CreateModelInput): Promise<Model>;
  /** A page of models by name; `search` on name or id. */
  list(ownerId: string, appId: string, query?: ContentListQuery): Promise<Page<Model>>;
  /** One model. */
  get(ownerId: string, appId: string, modelId: string): Promise<Model>;
  /** Edits name, description, visibility or concepts (needs `models:add`). */
  update(ownerId: string, appId: string, modelId: string, input: UpdateModelInput): Promise<Model>;
  /** Deletes a model with its versions and stars (needs `models:delete`). */
  delete(ownerId: string, appId: string, modelId: string): Promise<void>;
  /** The model's versions, newest first. */
  listVersions(ownerId: string, appId: string, modelId: string): Promise<ModelVersion[]>;
  /**
   * Trains a new version with the configured `ModelRunner` over the app's text inputs and their
   * concepts (needs `models:train`); records a `model.train` usage event. A runner failure
   * (too few labelled inputs, say) is VALIDATION_FAILED on `inputs` and writes nothing.
   */
  train(ownerId: string, appId: string, modelId: string, input?: TrainInput): Promise<ModelVersion>;
  /** Concept probabilities for a text (needs `predict`); records a `model.predict` usage event. */
  predict(ownerId: string, appId: string, modelId: string, input: PredictInput): Promise<Prediction[]>;
}

/** A model record as the API shows it. */
export function toModel(model: ModelRecord, app: AppRecord): Model {
  return {
    id: model.id,
    appId: app.id,
    ownerId: app.ownerId,
    name: model.name,
    type: model.type,
    description: model.description,
    visibility: model.visibility,
    conceptIds: [...model.conceptIds],
    createdAt: model.createdAt,
    updatedAt: model.updatedAt,
  };
}

function toVersion(version: ModelVersionRecord): ModelVersion {
  return {
    number: version.number,
    status: version.status,
    metrics: version.metrics,
    createdAt: version.createdAt,
  };
}

/** The account a usage event is billed to: the owning organization, else the user's organization, else the user. */
export async function billedAccount(ctx: CallContext, stores: Stores, grant: AppGrant): Promise<string> {
  if (grant.row.organization !== null) return grant.row.organization.id;
  const actor = ctx.actor;
  if (actor.type !== "user" || grant.row.actorKey === null) return grant.app.ownerId;
  const organizations = await stores.organizations.listForUser(grant.row.actorKey);
  return organizations.length === 1 ? organizations[0]!.organization.id : actor.userId;
}

/** Builds the models service for one actor. */
export function modelsService(ctx: CallContext): ModelsService {
  const { rt } = ctx;

  async function modelOf(stores: Stores, grant: AppGrant, modelId: string): Promise<ModelRecord> {
    const model = await stores.models.get(grant.app.key, idParam(modelId, "modelId"));
    if (model === null) throw notFound("modelId");
    return model;
  }

  function runnerFor(model: ModelRecord) {
    const runner = rt.modelRunner;
    if (runner === null || !runner.supports(model.type)) {
      throw new OrgKitError("MODEL_TYPE_UNSUPPORTED", {
        param: "modelId",
        message: `No model runner is configured for ${model.type} models.`,
      });
    }
    return runner;
  }

  /**
   * The guarded billable call: routes the event (consolidated billing), refuses it with
   * BUDGET_EXCEEDED under a hard-stopped budget, records it with its rollups in `stores`' transaction.
   * Returns budget-alert mail to deliver after commit.
   */
  function billable(grant: AppGrant, meter: string, idempotencyKey: string | undefined): BillableUsage {
    return { userKey: grant.row.actorKey, app: grant.app, meter, quantity: 1, idempotencyKey };
  }

  function recordUsage(
    stores: Stores,
    grant: AppGrant,
    meter: string,
    idempotencyKey: string | undefined,
  ): Promise<OutgoingMessage[]> {
    return recordBillableUsage(stores, ctx, billable(grant, meter, idempotencyKey));
  }

  return {
    async create(ownerId, appId, input) {
      const data = parseInput(CreateModelInputSchema, input);
      return rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "models:add", tx);
        const at = rt.clock.now();
        const model = await tx.models
          .insert({
            key: newKey(),
            appKey: grant.app.key,
            id: data.id,
            name: data.name ?? data.id,
            type: data.type,
            description: data.description ?? null,
            visibility: data.visibility,
            conceptIds: data.conceptIds,
            at,
          })
          .catch((error: unknown) => {
            if (isUniqueViolation(error, "model_id")) {
              throw new OrgKitError("CONFLICT", {
                param: "id",
                message: "The app has a model with this id.",
              });
            }
            throw error;
          });
        await tx.models.ensureConcepts(grant.app.key, data.conceptIds, at);
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "MODEL_CREATE",
          targetType: "model",
          targetId: `${grant.app.ownerId}/${grant.app.id}/${model.id}`,
          after: toModel(model, grant.app),
        });
        return toModel(model, grant.app);
      });
    },

    async list(ownerId, appId, query = {}) {
      const q = parseInput(ContentListQuerySchema, query);
      const grant = await authorizeApp(ctx, ownerId, appId, "models:get");
      const scope = JSON.stringify(["models", grant.app.key, q.search ?? ""]);
      let after: TextKeyset | undefined;
      if (q.cursor !== undefined) {
        const [value, key] = decodeCursor(q.cursor, scope, ["string", "string"]);
        after = { value: value as string, key: key as string };
      }
      const rows = await rt.storage.models.list(grant.app.key, {
        search: q.search || undefined,
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map((m) => toModel(m, grant.app)),
        nextCursor:
          rows.length > q.limit && last ? encodeCursor(scope, [sortName(last.name), last.key]) : null,
      };
    },

    async get(ownerId, appId, modelId) {
      const grant = await authorizeApp(ctx, ownerId, appId, "models:get");
      return toModel(await modelOf(rt.storage, grant, modelId), grant.app);
    },

    async update(ownerId, appId, modelId, input) {
      const data = parseInput(UpdateModelInputSchema, input);
      return rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "models:add", tx);
        const model = await modelOf(tx, grant, modelId);
        const at = rt.clock.now();
        const after = await tx.models.update(model.key, data, at);
        if (after === null) throw notFound("modelId");
        if (data.conceptIds !== undefined) await tx.models.ensureConcepts(grant.app.key, data.conceptIds, at);
        const changed = Object.keys(data) as (keyof typeof data)[];
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "MODEL_UPDATE",
          targetType: "model",
          targetId: `${grant.app.ownerId}/${grant.app.id}/${model.id}`,
          before: Object.fromEntries(changed.map((f) => [f, model[f]])),
          after: Object.fromEntries(changed.map((f) => [f, after[f]])),
        });
        return toModel(after, grant.app);
      });
    },

    async delete(ownerId, appId, modelId) {
      await rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "models:delete", tx);
        const model = await modelOf(tx, grant, modelId);
        await tx.models.delete(model.key);
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "MODEL_DELETE",
          targetType: "model",
          targetId: `${grant.app.ownerId}/${grant.app.id}/${model.id}`,
          before: toModel(model, grant.app),
        });
      });
    },

    async listVersions(ownerId, appId, modelId) {
      const grant = await authorizeApp(ctx, ownerId, appId, "models:get");
      const model = await modelOf(rt.storage, grant, modelId);
      return (await rt.storage.models.listVersions(model.key)).map(toVersion);
    },

    async train(ownerId, appId, modelId, input = {}) {
      const data = parseInput(TrainInputSchema, input);
      // Read and learn outside the write transaction; the runner never touches storage.
      const grant = await authorizeApp(ctx, ownerId, appId, "models:train");
      const model = await modelOf(rt.storage, grant, modelId);
      const runner = runnerFor(model);
      // A hard-stopped budget refuses before the work, not after it.
      await assertBillable(rt.storage, ctx, billable(grant, "model.train", data.idempotencyKey));
      const examples = await rt.storage.inputs.listTextExamples(grant.app.key, MAX_TRAINING_EXAMPLES);
      let result: { params: unknown; metrics: unknown };
      try {
        result = await runner.train(model, examples);
      } catch (error) {
        // Nothing is written for a training that could not run (no version, no usage).
        throw new OrgKitError("VALIDATION_FAILED", {
          param: "inputs",
          message: error instanceof Error ? error.message : "Training failed.",
          cause: error,
        });
      }
      let mail: OutgoingMessage[] = [];
      const version = await rt.storage.transaction(async (tx) => {
        // Authorize again in the transaction: access removed meanwhile stops the write.
        const again = await authorizeApp(ctx, ownerId, appId, "models:train", tx);
        const current = await modelOf(tx, again, modelId);
        const created = await tx.models.insertVersion(current.key, {
          key: newKey(),
          status: "trained",
          params: result.params,
          metrics: result.metrics,
          at: rt.clock.now(),
        });
        mail = await recordUsage(tx, again, "model.train", data.idempotencyKey);
        await recordAudit(tx, ctx, {
          ...appAuditScope(again.row),
          action: "MODEL_TRAIN",
          targetType: "model",
          targetId: `${again.app.ownerId}/${again.app.id}/${current.id}`,
          after: { version: created.number, status: created.status },
        });
        return created;
      });
      await deliverAll(rt, mail);
      return toVersion(version);
    },

    async predict(ownerId, appId, modelId, input) {
      const data = parseInput(PredictInputSchema, input);
      const grant = await authorizeApp(ctx, ownerId, appId, "predict");
      const model = await modelOf(rt.storage, grant, modelId);
      const runner = runnerFor(model);
      const version = await rt.storage.models.getVersion(model.key, data.version);
      if (version === null || version.status !== "trained") {
        if (data.version !== undefined && version === null) throw notFound("version");
        throw new OrgKitError("MODEL_NOT_TRAINED", { param: "modelId" });
      }
      await assertBillable(rt.storage, ctx, billable(grant, "model.predict", data.idempotencyKey));
      const predictions = await runner.predict(model, version.params, data.text);
      const mail = await rt.storage.transaction((tx) =>
        recordUsage(tx, grant, "model.predict", data.idempotencyKey),
      );
      await deliverAll(rt, mail);
      return predictions;
    },
  };
}
