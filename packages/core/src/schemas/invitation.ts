import { z } from "zod";
import { ORGANIZATION_ROLES } from "../authz/scopes.js";
import { INVITATION_STATUSES } from "../storage/records.js";
import { EmailSchema } from "./common.js";
import { OrganizationRoleSchema } from "./member.js";

/** Input of `invitations.create`. */
export const CreateInvitationInputSchema = z
  .object({
    email: EmailSchema,
    role: OrganizationRoleSchema,
    /** Teams the invitee joins on accepting (checked once teams exist). */
    teamIds: z
      .array(z.string().min(1).max(64))
      .max(50, "An invitation names at most 50 teams.")
      .refine((ids) => new Set(ids).size === ids.length, "A team is named twice.")
      .default([]),
  })
  .strict();

/** Input of `invitations.create`. */
export type CreateInvitationInput = z.input<typeof CreateInvitationInputSchema>;

/** A token as pasted from a link: `orgkit_inv_` and 43 base62 characters. */
export const InvitationTokenSchema = z
  .string()
  .regex(/^orgkit_inv_[0-9A-Za-z]{43}$/, "This invitation link is not valid.");

/** An invitation as an organization's admins see it. */
export const InvitationSchema = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    email: z.string(),
    role: z.enum(ORGANIZATION_ROLES),
    teamIds: z.array(z.string()),
    status: z.enum(INVITATION_STATUSES),
    invitedBy: z.string().nullable(),
    expiresAt: z.date(),
    createdAt: z.date(),
  })
  .meta({ id: "Invitation", description: "An invitation to join an organization." });

/** An invitation as an organization's admins see it. */
export type Invitation = z.infer<typeof InvitationSchema>;

/** What the accept page shows to whoever holds the token. */
export const InvitationPreviewSchema = z
  .object({
    organization: z.object({ id: z.string(), name: z.string(), logoUrl: z.string().nullable() }),
    inviter: z.object({ id: z.string(), name: z.string() }).nullable(),
    email: z.string(),
    role: z.enum(ORGANIZATION_ROLES),
    status: z.enum(INVITATION_STATUSES),
    expiresAt: z.date(),
  })
  .meta({ id: "InvitationPreview", description: "An invitation as its accept page shows it." });

/** What the accept page shows to whoever holds the token. */
export type InvitationPreview = z.infer<typeof InvitationPreviewSchema>;
