/** Schemas more than one group of endpoints uses. */
import { z } from "zod";
import { APP_SCOPES, ORGANIZATION_SCOPES, SCOPES } from "../../authz/scopes.js";
import { pathParam } from "../contract.js";

/** `{orgId}`. */
export const OrgParams = z.object({ orgId: pathParam() });
/** `{orgId}/.../{userId}`. */
export const OrgUserParams = z.object({ orgId: pathParam(), userId: pathParam() });

/** One fact that contributed to an authorization decision. */
export const DecisionReasonSchema = z
  .object({
    type: z.string(),
    organizationId: z.string().optional(),
    role: z.string().nullable().optional(),
    effect: z.enum(["allow", "deny"]).optional(),
    ownerId: z.string().optional(),
    teamId: z.string().optional(),
    appRole: z.string().optional(),
    visibility: z.string().optional(),
    policyId: z.string().optional(),
    name: z.string().optional(),
  })
  .meta({ description: "One fact that contributed to a decision." });

/** An authorization decision with its reasons ("why can't Bob do this?"). */
export const DecisionSchema = z.object({
  allowed: z.boolean(),
  action: z.enum(SCOPES),
  // Never the app's internal key: only public ids leave.
  resource: z.object({
    type: z.enum(["organization", "app"]),
    organizationId: z.string().nullable(),
    appId: z.string().optional(),
    ownerType: z.enum(["user", "organization"]).optional(),
    ownerId: z.string().optional(),
    labels: z.array(z.string()).optional(),
  }),
  reasons: z.array(DecisionReasonSchema),
});

const appScopeFlags = z.object(
  Object.fromEntries(APP_SCOPES.map((scope) => [scope, z.boolean()])) as Record<
    (typeof APP_SCOPES)[number],
    z.ZodBoolean
  >,
);
const organizationScopeFlags = z.object(
  Object.fromEntries(ORGANIZATION_SCOPES.map((scope) => [scope, z.boolean()])) as Record<
    (typeof ORGANIZATION_SCOPES)[number],
    z.ZodBoolean
  >,
);

/** Every app scope with whether it is granted. */
export const AppPermissionsSchema = appScopeFlags;

/** The caller's effective permissions in an organization. */
export const PermissionMatrixSchema = z.object({
  organizationId: z.string(),
  role: z.string().nullable(),
  organization: organizationScopeFlags,
  allApps: appScopeFlags,
  apps: z.record(z.string(), appScopeFlags).optional(),
});

/** `{ items: [...] }` for lists that are small and bounded. */
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
