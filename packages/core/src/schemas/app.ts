import { z } from "zod";
import { APP_ROLES, APP_VISIBILITIES } from "../authz/app-roles.js";
import { APP_SORTS } from "../storage/app-store.js";
import { DisplayNameSchema, PageQuerySchema } from "./common.js";
import { AppRoleSchema, LookupIdSchema, ResourceIdSchema, SearchSchema } from "./team.js";

/** The most labels an app carries. */
export const MAX_APP_LABELS = 20;

/** A label such as `hipaa`: trimmed, lower-cased, 1–50 of letters, digits, `-`, `_`, `.`, `:`. */
export const LabelSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "A label cannot be empty.")
  .max(50, "A label has at most 50 characters.")
  .regex(/^[a-z0-9][a-z0-9_.:-]*$/, "Use letters, digits, '-', '_', '.' and ':' in labels.");

/** An app's labels: at most {@link MAX_APP_LABELS}, no duplicates (after lower-casing). */
export const LabelsSchema = z
  .array(LabelSchema)
  .max(MAX_APP_LABELS, `An app has at most ${MAX_APP_LABELS} labels.`)
  .refine((labels) => new Set(labels).size === labels.length, "A label is listed twice.");

const DescriptionSchema = z.string().trim().max(2000, "A description has at most 2,000 characters.");

/** Input of `apps.create`. */
export const CreateAppInputSchema = z
  .object({
    id: ResourceIdSchema,
    name: DisplayNameSchema,
    description: DescriptionSchema.nullish(),
    labels: LabelsSchema.default([]),
    visibility: z.enum(APP_VISIBILITIES).default("private"),
    /**
     * The owning account. Default: the organization the actor acts as (`actor.organizationId`),
     * else the actor's own account.
     */
    ownerId: z.string().min(1).max(64).optional(),
  })
  .strict();

/** Input of `apps.create`. */
export type CreateAppInput = z.input<typeof CreateAppInputSchema>;

/** Input of `apps.update`: any subset. */
export const UpdateAppInputSchema = z
  .object({
    name: DisplayNameSchema,
    description: DescriptionSchema.nullable(),
    labels: LabelsSchema,
    visibility: z.enum(APP_VISIBILITIES),
  })
  .partial()
  .strict();

/** Input of `apps.update`. */
export type UpdateAppInput = z.input<typeof UpdateAppInputSchema>;

/** Query of `apps.list`. */
export const ListAppsQuerySchema = PageQuerySchema.extend({
  search: SearchSchema.optional(),
  sort: z.enum(APP_SORTS).default("updatedAt"),
  direction: z.enum(["asc", "desc"]).optional(),
}).strict();

/** Query of `apps.list`. Default: most recently updated first, pinned apps before the rest. */
export type ListAppsQuery = z.input<typeof ListAppsQuerySchema>;

/** Input of `apps.duplicate`. */
export const DuplicateAppInputSchema = z
  .object({
    id: ResourceIdSchema,
    name: DisplayNameSchema.optional(),
    includeInputs: z.boolean().default(false),
  })
  .strict();

/** Input of `apps.duplicate`. */
export type DuplicateAppInput = z.input<typeof DuplicateAppInputSchema>;

/** Input of `apps.transfer`. */
export const TransferAppInputSchema = z
  .object({
    /** The organization that receives the app. */
    organizationId: z.string().min(1).max(64),
    /** A new id, needed when the organization has an app with the current one. */
    id: ResourceIdSchema.optional(),
    name: DisplayNameSchema.optional(),
  })
  .strict();

/** Input of `apps.transfer`. */
export type TransferAppInput = z.input<typeof TransferAppInputSchema>;

/** Input of `apps.addCollaborator`. */
export const AddCollaboratorInputSchema = z.object({ userId: LookupIdSchema, role: AppRoleSchema }).strict();

/** Input of `apps.addCollaborator`. */
export type AddCollaboratorInput = z.input<typeof AddCollaboratorInputSchema>;

/** An app. */
export const AppSchema = z
  .object({
    id: z.string(),
    ownerId: z.string(),
    ownerType: z.enum(["user", "organization"]),
    name: z.string(),
    description: z.string().nullable(),
    labels: z.array(z.string()),
    visibility: z.enum(APP_VISIBILITIES),
    pinned: z.boolean(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: "App",
    description: "An app: the container of models, workflows and inputs, owned by an account.",
  });

/** An app. */
export type App = z.infer<typeof AppSchema>;

/** A collaborator of an app. */
export const CollaboratorSchema = z
  .object({
    appId: z.string(),
    ownerId: z.string(),
    userId: z.string(),
    name: z.string(),
    role: z.enum(APP_ROLES),
    addedAt: z.date(),
  })
  .meta({ id: "Collaborator", description: "A user outside the owning account with a role on one app." });

/** A collaborator of an app. */
export type Collaborator = z.infer<typeof CollaboratorSchema>;

/** An app of another account that a user collaborates on, with their role. */
export const CollaborationSchema = z
  .object({
    app: AppSchema,
    role: z.enum(APP_ROLES),
    addedAt: z.date(),
  })
  .meta({
    id: "Collaboration",
    description: "An app of another account one collaborates on, with one's role.",
  });

/** An app a user collaborates on. */
export type Collaboration = z.infer<typeof CollaborationSchema>;
