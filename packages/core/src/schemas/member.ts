import { z } from "zod";
import { ORGANIZATION_ROLES } from "../authz/scopes.js";
import { MEMBER_SORTS } from "../storage/member-store.js";
import { PageQuerySchema } from "./common.js";

/** An organization role as input. */
export const OrganizationRoleSchema = z.enum(ORGANIZATION_ROLES, {
  error: `Choose one of: ${ORGANIZATION_ROLES.join(", ")}.`,
});

/** Query of `members.list`. */
export const ListMembersQuerySchema = PageQuerySchema.extend({
  /** Text to find anywhere in a member's name or email, case-insensitively. */
  search: z
    .string()
    .trim()
    .normalize("NFC")
    .toLowerCase()
    .max(100, "A search has at most 100 characters.")
    .optional(),
  role: OrganizationRoleSchema.optional(),
  sort: z.enum(MEMBER_SORTS).default("name"),
  direction: z.enum(["asc", "desc"]).default("asc"),
}).strict();

/** Query of `members.list`. */
export type ListMembersQuery = z.input<typeof ListMembersQuerySchema>;

/** A member of an organization. */
export const MemberSchema = z
  .object({
    userId: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(ORGANIZATION_ROLES),
    joinedAt: z.date(),
  })
  .meta({ id: "Member", description: "A person's membership of an organization." });

/** A member of an organization. */
export type Member = z.infer<typeof MemberSchema>;
