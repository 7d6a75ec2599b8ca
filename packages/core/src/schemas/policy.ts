import { z } from "zod";
import { POLICY_EFFECTS } from "../authz/policies.js";
import { APP_SCOPES, ORGANIZATION_ROLES, SCOPES } from "../authz/scopes.js";
import { LabelSchema } from "./app.js";
import { DisplayNameSchema } from "./common.js";
import { LookupIdSchema, ResourceIdSchema } from "./team.js";

const distinct = <T extends z.ZodType>(item: T, what: string, max = 100) =>
  z
    .array(item)
    .max(max, `At most ${max} ${what}.`)
    .refine(
      (values) => new Set(values as unknown[]).size === values.length,
      `A value is listed twice in ${what}.`,
    );

/** An action a policy covers: an app scope, or `"*"` for all of them. */
export const PolicyActionSchema = z.enum(["*", ...APP_SCOPES], {
  error: `Use app scopes (${APP_SCOPES.join(", ")}) or "*".`,
});

/** Input of `policies.create` and `policies.update`. */
export const PolicyInputSchema = z
  .object({
    name: DisplayNameSchema,
    effect: z.enum(POLICY_EFFECTS),
    /** Who it applies to: members of these teams, holders of these roles, these users. At least one. */
    subjects: z
      .object({
        teams: distinct(ResourceIdSchema, "teams").default([]),
        roles: distinct(z.enum(ORGANIZATION_ROLES), "roles", 5).default([]),
        users: distinct(LookupIdSchema, "users").default([]),
      })
      .strict()
      .refine((s) => s.teams.length + s.roles.length + s.users.length > 0, "Name at least one subject."),
    actions: distinct(PolicyActionSchema, "actions", APP_SCOPES.length + 1).refine(
      (a) => a.length > 0,
      "Name at least one action.",
    ),
    /** Which apps: all conditions must hold; none given means every app of the organization. */
    resources: z
      .object({
        labelsAll: distinct(LabelSchema, "labels", 20).optional(),
        labelsAny: distinct(LabelSchema, "labels", 20).optional(),
        labelsNone: distinct(LabelSchema, "labels", 20).optional(),
        apps: distinct(ResourceIdSchema, "apps").optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/** Input of `policies.create`. */
export type PolicyInput = z.input<typeof PolicyInputSchema>;

/** An access policy. */
export const PolicySchema = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    name: z.string(),
    effect: z.enum(POLICY_EFFECTS),
    subjects: z.object({
      teams: z.array(z.string()),
      roles: z.array(z.enum(ORGANIZATION_ROLES)),
      users: z.array(z.string()),
    }),
    actions: z.array(z.string()),
    resources: z.object({
      labelsAll: z.array(z.string()).optional(),
      labelsAny: z.array(z.string()).optional(),
      labelsNone: z.array(z.string()).optional(),
      apps: z.array(z.string()).optional(),
    }),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: "AccessPolicy",
    description: "Allows or denies app actions to teams, roles or users, by labels or apps.",
  });

/** An access policy. */
export type Policy = z.infer<typeof PolicySchema>;

/** Input of `policies.explain`: whose access, to do what, in the organization or on one of its apps. */
export const ExplainInputSchema = z
  .object({
    userId: LookupIdSchema.meta({ description: "The member whose access to explain." }),
    action: z.enum(SCOPES, { error: "Unknown scope." }),
    appId: ResourceIdSchema.optional().meta({
      description: "An app of the organization; without it, the action in the organization.",
    }),
  })
  .strict();

/** Input of `policies.explain`. */
export type ExplainInput = z.input<typeof ExplainInputSchema>;
