/**
 * Endpoints of apps and their content: `/{ownerId}/apps/{appId}` with its collaborators, models,
 * workflows, inputs and concepts, pins and stars. `ownerId` is a user's or an organization's id.
 * Browser-safe.
 */
import { z } from "zod";
import {
  AddCollaboratorInputSchema,
  AppSchema,
  CollaborationSchema,
  CollaboratorSchema,
  CreateAppInputSchema,
  DuplicateAppInputSchema,
  TransferAppInputSchema,
  UpdateAppInputSchema,
} from "../../schemas/app.js";
import { DisplayNameSchema } from "../../schemas/common.js";
import {
  AddInputsSchema,
  CreateModelInputSchema,
  CreateWorkflowInputSchema,
  InputSchema,
  ModelSchema,
  ModelVersionSchema,
  PredictInputSchema,
  PredictionSchema,
  StarSchema,
  TrainInputSchema,
  UpdateModelInputSchema,
  UpdateWorkflowInputSchema,
  WorkflowSchema,
} from "../../schemas/content.js";
import { AppRoleSchema, ResourceIdSchema } from "../../schemas/team.js";
import { APP_SORTS } from "../../storage/app-store.js";
import { endpoint, pageQuery, pathParam } from "../contract.js";
import { itemsOf } from "./shared.js";

/** `{ownerId}`: a user's or an organization's id. */
const OwnerParams = z.object({ ownerId: pathParam() });
/** `{ownerId}/apps/{appId}`. */
const AppParams = z.object({ ownerId: pathParam(), appId: pathParam() });
/** `.../collaborators/{userId}`. */
const CollaboratorParams = AppParams.extend({ userId: pathParam() });
/** `.../models/{modelId}`. */
const ModelParams = AppParams.extend({ modelId: pathParam() });
/** `.../workflows/{workflowId}`. */
const WorkflowParams = AppParams.extend({ workflowId: pathParam() });
/** `.../inputs/{inputId}`. */
const InputParams = AppParams.extend({ inputId: pathParam() });

/**
 * `schema`, refusing a NUL character in any string it holds (VALIDATION_FAILED on that string's
 * path): no stored text can hold one, and Postgres fails the whole query on it.
 */
function nulFree<T extends z.ZodType>(schema: T): T {
  return schema.superRefine((value, ctx) => {
    const walk = (item: unknown, path: (string | number)[]): void => {
      if (typeof item === "string") {
        if (item.includes("\u0000")) {
          ctx.addIssue({ code: "custom", path, message: "Text cannot contain a NUL character." });
        }
      } else if (Array.isArray(item)) {
        item.forEach((element, index) => {
          walk(element, [...path, index]);
        });
      } else if (item !== null && typeof item === "object") {
        for (const [key, element] of Object.entries(item)) walk(element, [...path, key]);
      }
    };
    walk(value, []);
  }) as T;
}

/** A page of `item`: `{ items, nextCursor }`. */
const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** A list query: page, and a search on name or id. */
const contentQuery = () => pageQuery().extend({ search: z.string().max(100).optional() });

/** One version of a workflow: its graph as of that version. */
export const WorkflowVersionSchema = z
  .object({
    number: z.number().int(),
    graph: WorkflowSchema.shape.graph,
    createdAt: z.date(),
  })
  .meta({ description: "A version of a workflow: the graph it had." });

/** A concept of an app. */
export const ConceptSchema = z.object({ id: z.string() }).meta({ description: "A concept of an app." });

/** `/{ownerId}/apps`: apps, their pins, duplicate and transfer; the collaborations views. */
export const appsContract = {
  list: endpoint({
    method: "GET",
    path: "/{ownerId}/apps",
    tag: "apps",
    summary:
      "A page of an account's apps the caller can see: pinned first, then newest update or name; search on name or id.",
    scope: "apps:get",
    params: OwnerParams,
    query: nulFree(
      contentQuery().extend({
        sort: z.enum(APP_SORTS).optional(),
        direction: z.enum(["asc", "desc"]).optional(),
      }),
    ),
    response: pageOf(AppSchema),
    paginated: true,
  }),
  create: endpoint({
    method: "POST",
    path: "/{ownerId}/apps",
    tag: "apps",
    summary: "Create an app in an account: one's own, or an organization where one holds apps:add.",
    scope: "apps:add",
    params: OwnerParams,
    body: nulFree(CreateAppInputSchema.omit({ ownerId: true })),
    response: AppSchema,
    status: 201,
  }),
  get: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}",
    tag: "apps",
    summary: "One app (NOT_FOUND when missing or not visible to the caller).",
    scope: "apps:get",
    params: AppParams,
    response: AppSchema,
  }),
  update: endpoint({
    method: "PATCH",
    path: "/{ownerId}/apps/{appId}",
    tag: "apps",
    summary: "Edit an app's name, description, labels or visibility.",
    scope: "apps:update",
    params: AppParams,
    body: nulFree(UpdateAppInputSchema),
    response: AppSchema,
  }),
  delete: endpoint({
    method: "DELETE",
    path: "/{ownerId}/apps/{appId}",
    tag: "apps",
    summary: "Delete an app with all its content.",
    scope: "apps:delete",
    params: AppParams,
    response: null,
  }),
  duplicate: endpoint({
    method: "POST",
    path: "/{ownerId}/apps/{appId}/duplicate",
    tag: "apps",
    summary:
      "Copy an app's models, workflows and concepts (and inputs when asked) into a new app of the same account.",
    description: "Needs apps:get on the app and apps:add in its account.",
    scope: "apps:add",
    params: AppParams,
    body: DuplicateAppInputSchema,
    response: AppSchema,
    status: 201,
  }),
  transfer: endpoint({
    method: "POST",
    path: "/{ownerId}/apps/{appId}/transfer",
    tag: "apps",
    summary: "Move an app of one's personal account to an organization, with its content, stars and pins.",
    description:
      "The caller must be able to create apps in the organization; CONFLICT on `id` when it has an app with the id.",
    scope: "apps:transfer",
    params: AppParams,
    body: TransferAppInputSchema,
    response: AppSchema,
  }),
  pin: endpoint({
    method: "PUT",
    path: "/{ownerId}/apps/{appId}/pin",
    tag: "apps",
    summary: "Pin an app for the caller: pinned apps list first (idempotent).",
    scope: "apps:get",
    params: AppParams,
    response: null,
  }),
  unpin: endpoint({
    method: "DELETE",
    path: "/{ownerId}/apps/{appId}/pin",
    tag: "apps",
    summary: "Unpin an app (idempotent).",
    scope: "apps:get",
    params: AppParams,
    response: null,
  }),
  myCollaborations: endpoint({
    method: "GET",
    path: "/me/collaborations",
    tag: "apps",
    summary:
      "A page of the apps of other accounts the caller collaborates on, with their role, most recently added first.",
    query: pageQuery(),
    response: pageOf(CollaborationSchema),
    paginated: true,
  }),
  accountCollaborators: endpoint({
    method: "GET",
    path: "/{ownerId}/collaborators",
    tag: "collaborators",
    summary:
      "A page of the collaborators on every app of an account, most recently added first (an organization's needs collaborators:get on all its apps).",
    scope: "collaborators:get",
    params: OwnerParams,
    query: pageQuery(),
    response: pageOf(CollaboratorSchema),
    paginated: true,
  }),
};

/** `/{ownerId}/apps/{appId}/collaborators`: users outside the owning account with a role on one app. */
export const collaboratorsContract = {
  list: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/collaborators",
    tag: "collaborators",
    summary: "A page of the app's collaborators by name.",
    scope: "collaborators:get",
    params: AppParams,
    query: pageQuery(),
    response: pageOf(CollaboratorSchema),
    paginated: true,
  }),
  add: endpoint({
    method: "POST",
    path: "/{ownerId}/apps/{appId}/collaborators",
    tag: "collaborators",
    summary: "Give a user outside the owning account a role on the app.",
    description:
      "VALIDATION_FAILED on `userId` for the owner or a member of the owning organization; CONFLICT when already a collaborator.",
    scope: "collaborators:add",
    params: AppParams,
    body: AddCollaboratorInputSchema,
    response: CollaboratorSchema,
    status: 201,
  }),
  update: endpoint({
    method: "PATCH",
    path: "/{ownerId}/apps/{appId}/collaborators/{userId}",
    tag: "collaborators",
    summary: "Change a collaborator's role.",
    scope: "collaborators:add",
    params: CollaboratorParams,
    body: z.object({ role: AppRoleSchema }).strict(),
    response: CollaboratorSchema,
  }),
  remove: endpoint({
    method: "DELETE",
    path: "/{ownerId}/apps/{appId}/collaborators/{userId}",
    tag: "collaborators",
    summary: "Remove a collaborator.",
    scope: "collaborators:delete",
    params: CollaboratorParams,
    response: null,
  }),
};

/** `/{ownerId}/apps/{appId}/models`: models, their versions, training and prediction. */
export const modelsContract = {
  list: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/models",
    tag: "models",
    summary: "A page of the app's models by name; search on name or id.",
    scope: "models:get",
    params: AppParams,
    query: nulFree(contentQuery()),
    response: pageOf(ModelSchema),
    paginated: true,
  }),
  create: endpoint({
    method: "POST",
    path: "/{ownerId}/apps/{appId}/models",
    tag: "models",
    summary: "Create a model of one of the model types; CONFLICT on `id`.",
    scope: "models:add",
    params: AppParams,
    body: nulFree(CreateModelInputSchema),
    response: ModelSchema,
    status: 201,
  }),
  get: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/models/{modelId}",
    tag: "models",
    summary: "One model.",
    scope: "models:get",
    params: ModelParams,
    response: ModelSchema,
  }),
  update: endpoint({
    method: "PATCH",
    path: "/{ownerId}/apps/{appId}/models/{modelId}",
    tag: "models",
    summary: "Edit a model's name, description, visibility or concepts.",
    scope: "models:add",
    params: ModelParams,
    body: nulFree(UpdateModelInputSchema),
    response: ModelSchema,
  }),
  delete: endpoint({
    method: "DELETE",
    path: "/{ownerId}/apps/{appId}/models/{modelId}",
    tag: "models",
    summary: "Delete a model with its versions and stars.",
    scope: "models:delete",
    params: ModelParams,
    response: null,
  }),
  listVersions: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/models/{modelId}/versions",
    tag: "models",
    summary: "A page of the model's versions, newest first.",
    scope: "models:get",
    params: ModelParams,
    query: pageQuery(),
    response: pageOf(ModelVersionSchema),
    paginated: true,
  }),
  train: endpoint({
    method: "POST",
    path: "/{ownerId}/apps/{appId}/models/{modelId}/train",
    tag: "models",
    summary: "Train a new version on the app's labelled text inputs; records a model.train usage event.",
    description:
      "VALIDATION_FAILED on `inputs` when there is too little to learn from; MODEL_TYPE_UNSUPPORTED when no runner handles the model's type; BUDGET_EXCEEDED under a hard-stopped budget.",
    scope: "models:train",
    params: ModelParams,
    body: nulFree(TrainInputSchema),
    response: ModelVersionSchema,
    status: 201,
  }),
  predict: endpoint({
    method: "POST",
    path: "/{ownerId}/apps/{appId}/models/{modelId}/predict",
    tag: "models",
    summary: "Concept probabilities for a text, most likely first; records a model.predict usage event.",
    description:
      "MODEL_NOT_TRAINED before the first training; NOT_FOUND on `version` for a version that does not exist.",
    scope: "predict",
    params: ModelParams,
    body: nulFree(PredictInputSchema),
    response: itemsOf(PredictionSchema),
  }),
};

/** `/{ownerId}/apps/{appId}/workflows`: graphs of the app's models, versioned. */
export const workflowsContract = {
  list: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/workflows",
    tag: "workflows",
    summary: "A page of the app's workflows by name; search on name or id.",
    scope: "workflows:get",
    params: AppParams,
    query: nulFree(contentQuery()),
    response: pageOf(WorkflowSchema),
    paginated: true,
  }),
  create: endpoint({
    method: "POST",
    path: "/{ownerId}/apps/{appId}/workflows",
    tag: "workflows",
    summary: "Create a workflow: an acyclic graph of the app's models.",
    description:
      "VALIDATION_FAILED with `param` at the offending part (`graph.edges.2`, `graph.nodes.0.modelId`); CONFLICT on `id`.",
    scope: "workflows:add",
    params: AppParams,
    body: nulFree(CreateWorkflowInputSchema),
    response: WorkflowSchema,
    status: 201,
  }),
  get: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/workflows/{workflowId}",
    tag: "workflows",
    summary: "One workflow.",
    scope: "workflows:get",
    params: WorkflowParams,
    response: WorkflowSchema,
  }),
  update: endpoint({
    method: "PATCH",
    path: "/{ownerId}/apps/{appId}/workflows/{workflowId}",
    tag: "workflows",
    summary: "Edit a workflow; a new graph becomes a new version.",
    scope: "workflows:add",
    params: WorkflowParams,
    body: nulFree(UpdateWorkflowInputSchema),
    response: WorkflowSchema,
  }),
  delete: endpoint({
    method: "DELETE",
    path: "/{ownerId}/apps/{appId}/workflows/{workflowId}",
    tag: "workflows",
    summary: "Delete a workflow with its versions and stars.",
    scope: "workflows:delete",
    params: WorkflowParams,
    response: null,
  }),
  duplicate: endpoint({
    method: "POST",
    path: "/{ownerId}/apps/{appId}/workflows/{workflowId}/duplicate",
    tag: "workflows",
    summary: "Copy a workflow under a new id in the same app.",
    scope: "workflows:add",
    params: WorkflowParams,
    body: z.object({ id: ResourceIdSchema, name: DisplayNameSchema.optional() }).strict(),
    response: WorkflowSchema,
    status: 201,
  }),
  listVersions: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/workflows/{workflowId}/versions",
    tag: "workflows",
    summary: "A page of the workflow's versions, newest first.",
    scope: "workflows:get",
    params: WorkflowParams,
    query: pageQuery(),
    response: pageOf(WorkflowVersionSchema),
    paginated: true,
  }),
};

/** `/{ownerId}/apps/{appId}/inputs` and `/concepts`. */
export const inputsContract = {
  list: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/inputs",
    tag: "inputs",
    summary: "A page of the app's inputs, newest first; narrowed by concept and by a search on text or URL.",
    scope: "inputs:get",
    params: AppParams,
    query: nulFree(contentQuery().extend({ conceptId: z.string().max(64).optional() })),
    response: pageOf(InputSchema),
    paginated: true,
  }),
  add: endpoint({
    method: "POST",
    path: "/{ownerId}/apps/{appId}/inputs",
    tag: "inputs",
    summary: "Add 1–128 inputs, each a text or a URL with concepts (created on the fly); all or nothing.",
    description: "CONFLICT on `inputs` when an id is taken.",
    scope: "inputs:add",
    params: AppParams,
    body: nulFree(z.object({ inputs: AddInputsSchema }).strict()),
    response: itemsOf(InputSchema),
    status: 201,
  }),
  get: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/inputs/{inputId}",
    tag: "inputs",
    summary: "One input.",
    scope: "inputs:get",
    params: InputParams,
    response: InputSchema,
  }),
  delete: endpoint({
    method: "DELETE",
    path: "/{ownerId}/apps/{appId}/inputs/{inputId}",
    tag: "inputs",
    summary: "Delete an input.",
    scope: "inputs:delete",
    params: InputParams,
    response: null,
  }),
  listConcepts: endpoint({
    method: "GET",
    path: "/{ownerId}/apps/{appId}/concepts",
    tag: "inputs",
    summary: "A page of the app's concepts by id.",
    scope: "concepts:get",
    params: AppParams,
    query: pageQuery(),
    response: pageOf(ConceptSchema),
    paginated: true,
  }),
};

/** Stars on models and workflows, and the caller's starred list. */
export const starsContract = {
  list: endpoint({
    method: "GET",
    path: "/me/stars",
    tag: "stars",
    summary: "The caller's starred models and workflows they can still see, newest first.",
    query: pageQuery(),
    response: pageOf(StarSchema),
    paginated: true,
  }),
  starModel: endpoint({
    method: "PUT",
    path: "/{ownerId}/apps/{appId}/models/{modelId}/star",
    tag: "stars",
    summary: "Star a model (idempotent).",
    scope: "models:get",
    params: ModelParams,
    response: null,
  }),
  unstarModel: endpoint({
    method: "DELETE",
    path: "/{ownerId}/apps/{appId}/models/{modelId}/star",
    tag: "stars",
    summary: "Remove one's star from a model (idempotent).",
    scope: "models:get",
    params: ModelParams,
    response: null,
  }),
  starWorkflow: endpoint({
    method: "PUT",
    path: "/{ownerId}/apps/{appId}/workflows/{workflowId}/star",
    tag: "stars",
    summary: "Star a workflow (idempotent).",
    scope: "workflows:get",
    params: WorkflowParams,
    response: null,
  }),
  unstarWorkflow: endpoint({
    method: "DELETE",
    path: "/{ownerId}/apps/{appId}/workflows/{workflowId}/star",
    tag: "stars",
    summary: "Remove one's star from a workflow (idempotent).",
    scope: "workflows:get",
    params: WorkflowParams,
    response: null,
  }),
};

/** The apps groups: `apps`, `collaborators`, `models`, `workflows`, `inputs`, `stars`. */
export const appContracts = {
  apps: appsContract,
  collaborators: collaboratorsContract,
  models: modelsContract,
  workflows: workflowsContract,
  inputs: inputsContract,
  stars: starsContract,
};
