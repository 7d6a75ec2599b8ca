import { z } from "zod";
import { ORGANIZATION_ROLES } from "../authz/scopes.js";
import { AccountIdSchema, DisplayNameSchema, EmailSchema, HttpUrlSchema } from "./common.js";

const DescriptionSchema = z.string().trim().max(1000, "A description has at most 1,000 characters.");

/** Input of `organizations.create`. */
export const CreateOrganizationInputSchema = z
  .object({
    id: AccountIdSchema,
    name: DisplayNameSchema,
    billingEmail: EmailSchema,
    website: HttpUrlSchema.nullish(),
    logoUrl: HttpUrlSchema.nullish(),
    description: DescriptionSchema.nullish(),
    /** Only for `orgkit.system()`: the user who becomes the first admin. */
    adminUserId: z.string().min(1).max(64).optional(),
  })
  .strict();

/** Input of `organizations.create`. */
export type CreateOrganizationInput = z.input<typeof CreateOrganizationInputSchema>;

/** Input of `organizations.update`: any subset of the profile. */
export const UpdateOrganizationInputSchema = z
  .object({
    name: DisplayNameSchema,
    billingEmail: EmailSchema,
    website: HttpUrlSchema.nullable(),
    logoUrl: HttpUrlSchema.nullable(),
    description: DescriptionSchema.nullable(),
  })
  .partial()
  .strict();

/** Input of `organizations.update`. */
export type UpdateOrganizationInput = z.input<typeof UpdateOrganizationInputSchema>;

/** An organization. */
export const OrganizationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    billingEmail: z.string(),
    website: z.string().nullable(),
    logoUrl: z.string().nullable(),
    description: z.string().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: "Organization", description: "An organization: an account that people join with a role." });

/** An organization. */
export type Organization = z.infer<typeof OrganizationSchema>;

/** An organization the actor belongs to, with their role in it. */
export const MyOrganizationSchema = OrganizationSchema.extend({ role: z.enum(ORGANIZATION_ROLES) }).meta({
  id: "MyOrganization",
  description: "An organization the caller belongs to, with the caller's role.",
});

/** An organization the actor belongs to, with their role in it. */
export type MyOrganization = z.infer<typeof MyOrganizationSchema>;

/** The case-insensitive key organization names are unique on: NFC, lower-cased, spaces collapsed. */
export function organizationNameKey(name: string): string {
  return name.normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase();
}
