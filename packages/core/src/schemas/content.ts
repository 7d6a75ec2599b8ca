import { z } from "zod";
import { MODEL_VERSION_STATUSES } from "../storage/content-store.js";
import { DisplayNameSchema, HttpUrlSchema, PageQuerySchema } from "./common.js";
import { ResourceIdSchema, SearchSchema } from "./team.js";

/** The closed list of model types (Clarifai's). */
export const MODEL_TYPES = [
  "text-classifier",
  "visual-classifier",
  "visual-detector",
  "visual-segmenter",
  "embedder",
  "clusterer",
  "text-to-text",
] as const;

/** One of {@link MODEL_TYPES}. */
export type ModelType = (typeof MODEL_TYPES)[number];

const ContentVisibilitySchema = z.enum(["private", "public"]);
const DescriptionSchema = z.string().trim().max(2000, "A description has at most 2,000 characters.");
const ConceptIdsSchema = z
  .array(ResourceIdSchema)
  .max(200, "At most 200 concepts.")
  .refine((ids) => new Set(ids).size === ids.length, "A concept is listed twice.");

/** Input of `models.create`. */
export const CreateModelInputSchema = z
  .object({
    id: ResourceIdSchema,
    name: DisplayNameSchema.optional(),
    type: z.enum(MODEL_TYPES, { error: `Choose one of: ${MODEL_TYPES.join(", ")}.` }),
    description: DescriptionSchema.nullish(),
    visibility: ContentVisibilitySchema.default("private"),
    /** The concepts it predicts. Default: every concept of the app at training time. */
    conceptIds: ConceptIdsSchema.default([]),
  })
  .strict();

/** Input of `models.create`. */
export type CreateModelInput = z.input<typeof CreateModelInputSchema>;

/** Input of `models.update`. */
export const UpdateModelInputSchema = z
  .object({
    name: DisplayNameSchema,
    description: DescriptionSchema.nullable(),
    visibility: ContentVisibilitySchema,
    conceptIds: ConceptIdsSchema,
  })
  .partial()
  .strict();

/** Input of `models.update`. */
export type UpdateModelInput = z.input<typeof UpdateModelInputSchema>;

/** Query of a content list: search on name or id, limit, cursor. */
export const ContentListQuerySchema = PageQuerySchema.extend({ search: SearchSchema.optional() }).strict();

/** Query of a content list. */
export type ContentListQuery = z.input<typeof ContentListQuerySchema>;

/** A model. */
export const ModelSchema = z
  .object({
    id: z.string(),
    appId: z.string(),
    ownerId: z.string(),
    name: z.string(),
    type: z.string(),
    description: z.string().nullable(),
    visibility: ContentVisibilitySchema,
    conceptIds: z.array(z.string()),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: "Model", description: "A model of an app." });

/** A model. */
export type Model = z.infer<typeof ModelSchema>;

/** A model version. */
export const ModelVersionSchema = z
  .object({
    number: z.number().int(),
    status: z.enum(MODEL_VERSION_STATUSES),
    metrics: z.unknown(),
    createdAt: z.date(),
  })
  .meta({ id: "ModelVersion", description: "A trained (or failed) version of a model." });

/** A model version. */
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

/** Input of `models.predict`. */
export const PredictInputSchema = z
  .object({
    text: z.string().min(1, "Enter a text.").max(10_000, "A text has at most 10,000 characters."),
    /** The version to use. Default: the latest trained one. */
    version: z.number().int().positive().optional(),
    /** Makes the usage event idempotent: a retried call is billed once. */
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .strict();

/** Input of `models.predict`. */
export type PredictInput = z.input<typeof PredictInputSchema>;

/** Options of `models.train`. */
export const TrainInputSchema = z.object({ idempotencyKey: z.string().min(1).max(200).optional() }).strict();

/** Options of `models.train`. */
export type TrainInput = z.input<typeof TrainInputSchema>;

/** One concept's probability in a prediction. */
export const PredictionSchema = z
  .object({ conceptId: z.string(), value: z.number() })
  .meta({ id: "Prediction", description: "A concept and its probability." });

/** One concept's probability. */
export type Prediction = z.infer<typeof PredictionSchema>;

/** A workflow graph as input: up to 50 model nodes and the edges between them, acyclic. */
export const WorkflowGraphSchema = z
  .object({
    nodes: z
      .array(z.object({ id: ResourceIdSchema, modelId: ResourceIdSchema }).strict())
      .min(1, "A workflow has at least one node.")
      .max(50, "A workflow has at most 50 nodes."),
    edges: z
      .array(z.object({ from: ResourceIdSchema, to: ResourceIdSchema }).strict())
      .max(200, "A workflow has at most 200 edges.")
      .default([]),
  })
  .strict();

/** A workflow graph. */
export type WorkflowGraphInput = z.input<typeof WorkflowGraphSchema>;

/** Input of `workflows.create`. */
export const CreateWorkflowInputSchema = z
  .object({
    id: ResourceIdSchema,
    name: DisplayNameSchema.optional(),
    description: DescriptionSchema.nullish(),
    visibility: ContentVisibilitySchema.default("private"),
    graph: WorkflowGraphSchema,
  })
  .strict();

/** Input of `workflows.create`. */
export type CreateWorkflowInput = z.input<typeof CreateWorkflowInputSchema>;

/** Input of `workflows.update`: a new graph is a new version. */
export const UpdateWorkflowInputSchema = z
  .object({
    name: DisplayNameSchema,
    description: DescriptionSchema.nullable(),
    visibility: ContentVisibilitySchema,
    graph: WorkflowGraphSchema,
  })
  .partial()
  .strict();

/** Input of `workflows.update`. */
export type UpdateWorkflowInput = z.input<typeof UpdateWorkflowInputSchema>;

/** A workflow. */
export const WorkflowSchema = z
  .object({
    id: z.string(),
    appId: z.string(),
    ownerId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    visibility: ContentVisibilitySchema,
    graph: z.object({
      nodes: z.array(z.object({ id: z.string(), modelId: z.string() })),
      edges: z.array(z.object({ from: z.string(), to: z.string() })),
    }),
    version: z.number().int(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: "Workflow", description: "A graph of model nodes." });

/** A workflow. */
export type Workflow = z.infer<typeof WorkflowSchema>;

/** One input to add: a text or a URL, with concepts. */
export const NewInputSchema = z
  .object({
    id: ResourceIdSchema.optional(),
    text: z.string().min(1).max(10_000, "A text input has at most 10,000 characters.").optional(),
    url: HttpUrlSchema.optional(),
    conceptIds: ConceptIdsSchema.default([]),
  })
  .strict()
  .refine((input) => (input.text === undefined) !== (input.url === undefined), {
    message: "Give either a text or a URL.",
    path: ["text"],
  });

/** Inputs to add: 1–128 at once, ids distinct. */
export const AddInputsSchema = z
  .array(NewInputSchema)
  .min(1, "Add at least one input.")
  .max(128, "Add at most 128 inputs at once.")
  .refine((inputs) => {
    const ids = inputs.flatMap((i) => (i.id === undefined ? [] : [i.id]));
    return new Set(ids).size === ids.length;
  }, "An input id is listed twice.");

/** Inputs to add. */
export type AddInputsInput = z.input<typeof AddInputsSchema>;

/** Query of `inputs.list`: newest first, by concept and text. */
export const ListInputsQuerySchema = PageQuerySchema.extend({
  conceptId: ResourceIdSchema.optional(),
  search: SearchSchema.optional(),
}).strict();

/** Query of `inputs.list`. */
export type ListInputsQuery = z.input<typeof ListInputsQuerySchema>;

/** An input. */
export const InputSchema = z
  .object({
    id: z.string(),
    text: z.string().nullable(),
    url: z.string().nullable(),
    conceptIds: z.array(z.string()),
    createdAt: z.date(),
  })
  .meta({ id: "Input", description: "A text or URL of an app, with the concepts it is labelled with." });

/** An input. */
export type Input = z.infer<typeof InputSchema>;

/** A starred model or workflow. */
export const StarSchema = z
  .object({
    kind: z.enum(["model", "workflow"]),
    id: z.string(),
    name: z.string(),
    appId: z.string(),
    ownerId: z.string(),
    starredAt: z.date(),
  })
  .meta({ id: "Star", description: "A model or workflow the user starred." });

/** A starred model or workflow. */
export type Star = z.infer<typeof StarSchema>;
