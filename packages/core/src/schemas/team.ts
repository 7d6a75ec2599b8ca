import { z } from "zod";
import { APP_ROLES } from "../authz/app-roles.js";
import { DisplayNameSchema, PageQuerySchema } from "./common.js";

/**
 * An id inside an account or organization (team, app, model, workflow, input, concept): 1–64
 * letters, digits, `-` and `_`, starting with a letter or digit. Case-sensitive, as on Clarifai.
 */
export const ResourceIdSchema = z
  .string()
  .min(1, "Enter an id.")
  .max(64, "An id has at most 64 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "Use letters, digits, '-' and '_', starting with a letter or digit.")
  .meta({ id: "ResourceId", description: "An id unique within its owner: letters, digits, '-' and '_'." });

/**
 * An id to look up (a user's, say) when its format is not checked: 1–64 characters, no NUL
 * (which no stored id has, and which Postgres refuses in text, failing the query).
 */
export const LookupIdSchema = z
  .string()
  .min(1, "Enter an id.")
  .max(64, "An id has at most 64 characters.")
  .refine((id) => !id.includes("\u0000"), "An id cannot contain a NUL character.");

/** A team app role as input. */
export const AppRoleSchema = z.enum(APP_ROLES, { error: `Choose one of: ${APP_ROLES.join(", ")}.` });

/** A search term: trimmed, NFC, lower-cased, at most 100 characters. */
export const SearchSchema = z
  .string()
  .trim()
  .normalize("NFC")
  .toLowerCase()
  .max(100, "A search has at most 100 characters.")
  // Postgres refuses a NUL in text: the query would fail rather than find nothing.
  .refine((search) => !search.includes("\u0000"), "A search cannot contain a NUL character.");

/** Query of a list sorted by name: search, limit and cursor. */
export const NamedListQuerySchema = PageQuerySchema.extend({ search: SearchSchema.optional() }).strict();

/** Query of a list sorted by name. */
export type NamedListQuery = z.input<typeof NamedListQuerySchema>;

/** Input of `teams.create`. */
export const CreateTeamInputSchema = z.object({ id: ResourceIdSchema, name: DisplayNameSchema }).strict();

/** Input of `teams.create`. */
export type CreateTeamInput = z.input<typeof CreateTeamInputSchema>;

/** Input of `teams.update`. */
export const UpdateTeamInputSchema = z.object({ name: DisplayNameSchema }).strict();

/** Input of `teams.update`. */
export type UpdateTeamInput = z.input<typeof UpdateTeamInputSchema>;

/** User ids to add to a team: 1–100, no repeats. */
export const TeamMemberIdsSchema = z
  .array(LookupIdSchema)
  .min(1, "Name at least one member.")
  .max(100, "Add at most 100 members at once.")
  .refine((ids) => new Set(ids).size === ids.length, "A member is named twice.");

/** Apps to give a team, each with a role: 1–100, no repeats. */
export const TeamAppsInputSchema = z
  .array(z.object({ appId: ResourceIdSchema, role: AppRoleSchema }).strict())
  .min(1, "Name at least one app.")
  .max(100, "Add at most 100 apps at once.")
  .refine((apps) => new Set(apps.map((a) => a.appId)).size === apps.length, "An app is named twice.");

/** Apps to give a team. */
export type TeamAppsInput = z.input<typeof TeamAppsInputSchema>;

/** A team. */
export const TeamSchema = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    name: z.string(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: "Team", description: "A group of an organization's members that is given roles on apps." });

/** A team. */
export type Team = z.infer<typeof TeamSchema>;

/** A member of a team. */
export const TeamMemberSchema = z
  .object({ userId: z.string(), name: z.string(), email: z.string(), addedAt: z.date() })
  .meta({ id: "TeamMember", description: "A member of a team (always a member of its organization)." });

/** A member of a team. */
export type TeamMember = z.infer<typeof TeamMemberSchema>;

/** An app of a team with the team's role on it. */
export const TeamAppSchema = z
  .object({ appId: z.string(), name: z.string(), role: z.enum(APP_ROLES), addedAt: z.date() })
  .meta({ id: "TeamApp", description: "An app a team holds, with the team's app role." });

/** An app of a team. */
export type TeamApp = z.infer<typeof TeamAppSchema>;
