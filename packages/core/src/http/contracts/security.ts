/**
 * Endpoints of an organization's security settings (password and token policies), its SAML
 * identity providers, and the public SAML endpoints (SP metadata, SP-initiated login, ACS).
 */
import { z } from "zod";
import {
  CreateIdentityProviderInputSchema,
  IdentityProviderSchema,
  UpdateIdentityProviderInputSchema,
} from "../../schemas/identity-provider.js";
import { TokenPolicySchema } from "../../schemas/session.js";
import { endpoint, pageQuery, pathParam } from "../contract.js";
import { OrgParams } from "./shared.js";

// The password policy's fields, declared here because its schema (`security/password-policy.ts`)
// lives beside the checker, which loads the password blocklists through node:module and so
// cannot ship to a browser. The service validates the merged policy with that schema; a test
// (`security.http.conformance.ts`) keeps these fields equal to it.
const lockoutFields = {
  maxAttempts: z
    .number()
    .int()
    .min(3)
    .max(100)
    .describe("Failed sign-ins within the window that lock the account (3–100)."),
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(1440)
    .describe("The sliding window in which failures are counted, in minutes (1–1440)."),
  lockMinutes: z
    .number()
    .int()
    .min(1)
    .max(1440)
    .describe("How long a locked account stays locked, in minutes (1–1440)."),
};

const passwordPolicyFields = {
  minLength: z
    .number()
    .int()
    .min(8)
    .max(64)
    .describe(
      "Fewest code points after NFC normalization (8–64; NIST: 15 when the password is the only factor).",
    ),
  maxLength: z
    .number()
    .int()
    .min(64)
    .max(1024)
    .describe("Most code points after NFC normalization (64–1024; NIST: at least 64 must be allowed)."),
  requireUppercase: z.boolean().describe("Require an upper-case letter."),
  requireLowercase: z.boolean().describe("Require a lower-case letter."),
  requireNumeric: z.boolean().describe("Require a decimal digit."),
  requireNonAlphanumeric: z
    .boolean()
    .describe("Require a character that is neither a letter nor a digit (symbol, punctuation, space)."),
  blockCommonPasswords: z
    .boolean()
    .describe("Refuse a password that, lower-cased, is on the list of common passwords."),
  reuseHistory: z
    .number()
    .int()
    .min(0)
    .max(24)
    .describe("Refuse any of the user's last N passwords (0–24; 0 turns the rule off)."),
  excludeNames: z
    .boolean()
    .describe("Refuse a password containing the user's name or user id (parts of 3+ characters)."),
  excludeEmail: z
    .boolean()
    .describe("Refuse a password containing the user's email or its local part (parts of 3+ characters)."),
  noConfusingLetters: z.boolean().describe("Refuse the easily confused characters l, I, 1, O and 0."),
  noSimplePasswords: z
    .boolean()
    .describe("Refuse runs of 4 like abcd, 4321 or qwer, and a character repeated 4 times."),
  noCommonVocabulary: z
    .boolean()
    .describe("Refuse a password containing a common English word of 5+ letters."),
  noOverlapWithOld: z
    .boolean()
    .describe("Refuse a password sharing 4+ consecutive characters with the previous one."),
  lifespanDays: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .nullable()
    .describe("Days after which a password must be changed (1–3650), or null for never (NIST)."),
};

const PasswordLockoutWireSchema = z.object(lockoutFields).meta({ description: "Failed sign-in throttling." });

/** An organization's password policy as the API shows it (every field present). */
export const PasswordPolicyResponseSchema = z
  .object({ ...passwordPolicyFields, lockout: PasswordLockoutWireSchema })
  .meta({
    description:
      "An organization's password policy: NIST SP 800-63B defaults plus optional composition, " +
      "vocabulary, history, expiry and lockout rules.",
  });

/** The fields of the password policy to change; the others keep their value. */
export const PasswordPolicyPatchSchema = z
  .object({
    ...(Object.fromEntries(
      Object.entries(passwordPolicyFields).map(([name, field]) => [name, field.optional()]),
    ) as { [K in keyof typeof passwordPolicyFields]: z.ZodOptional<(typeof passwordPolicyFields)[K]> }),
    lockout: PasswordLockoutWireSchema.partial().strict().optional(),
  })
  .strict()
  .meta({ description: "Fields of the password policy to change; the others keep their value." });

/** The fields of the token policy to change; the others keep their value. */
const TokenPolicyPatchSchema = z
  .object({
    requireExpiry: z.boolean().optional().describe("Refuse tokens that never expire."),
    maxLifetimeDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .nullable()
      .optional()
      .describe("The longest lifetime a token may have, in days; null for no cap."),
  })
  .strict();

/** `/orgs/{orgId}/security`: password and token policies. */
export const securityContract = {
  getPasswordPolicy: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/security/password-policy",
    tag: "security",
    summary: "The organization's password policy (defaults filled in).",
    scope: "security:get",
    params: OrgParams,
    response: PasswordPolicyResponseSchema,
  }),
  updatePasswordPolicy: endpoint({
    method: "PUT",
    path: "/orgs/{orgId}/security/password-policy",
    tag: "security",
    summary: "Change fields of the password policy; fields left out keep their value.",
    description:
      "Applies to every member's next password (the strictest policy of a user's organizations wins).",
    scope: "security:manage",
    params: OrgParams,
    body: PasswordPolicyPatchSchema,
    response: PasswordPolicyResponseSchema,
  }),
  getTokenPolicy: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/security/token-policy",
    tag: "security",
    summary: "The organization's rules for its members' personal access tokens.",
    scope: "security:get",
    params: OrgParams,
    response: TokenPolicySchema,
  }),
  updateTokenPolicy: endpoint({
    method: "PUT",
    path: "/orgs/{orgId}/security/token-policy",
    tag: "security",
    summary: "Change fields of the token policy; fields left out keep their value.",
    description:
      "Tokens that break it answer TOKEN_POLICY_VIOLATION (403) on this organization from then on.",
    scope: "security:manage",
    params: OrgParams,
    body: TokenPolicyPatchSchema,
    response: TokenPolicySchema,
  }),
};

/** `{orgId}/.../{idpId}`. */
const IdentityProviderParams = z.object({ orgId: pathParam(), idpId: pathParam() });

/** `/orgs/{orgId}/security/identity-providers`: SAML identity providers. */
export const identityProvidersContract = {
  create: endpoint({
    method: "POST",
    path: "/orgs/{orgId}/security/identity-providers",
    tag: "identity-providers",
    summary:
      "Add a SAML identity provider from its metadata XML, or from its entity id, sign-in URL and certificates.",
    description:
      "Give `metadataXml` or `entityId` + `ssoUrl` + `certificates`, not both. CONFLICT (409, param `id`) " +
      "for a taken id, (param `domains`) for a domain another provider declares. Never send a private key.",
    scope: "security:manage",
    params: OrgParams,
    body: CreateIdentityProviderInputSchema,
    response: IdentityProviderSchema,
    status: 201,
  }),
  list: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/security/identity-providers",
    tag: "identity-providers",
    summary: "The organization's identity providers, by id.",
    scope: "security:get",
    params: OrgParams,
    query: pageQuery(),
    response: z.object({ items: z.array(IdentityProviderSchema), nextCursor: z.string().nullable() }),
    paginated: true,
  }),
  get: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/security/identity-providers/{idpId}",
    tag: "identity-providers",
    summary: "One identity provider, with what to configure at the IdP (`serviceProvider`).",
    scope: "security:get",
    params: IdentityProviderParams,
    response: IdentityProviderSchema,
  }),
  update: endpoint({
    method: "PATCH",
    path: "/orgs/{orgId}/security/identity-providers/{idpId}",
    tag: "identity-providers",
    summary: "Change a provider: enable or disable it, require it, its domains, role, or IdP settings.",
    description:
      "`domains` replaces the list; `metadataXml` replaces the entity id, sign-in URL and certificates.",
    scope: "security:manage",
    params: IdentityProviderParams,
    body: UpdateIdentityProviderInputSchema,
    response: IdentityProviderSchema,
  }),
  delete: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}/security/identity-providers/{idpId}",
    tag: "identity-providers",
    summary: "Delete a provider with its linked identities (never the users).",
    scope: "security:manage",
    params: IdentityProviderParams,
    response: null,
  }),
};

/** The SAML 2.0 metadata content type (RFC 7580... registered by OASIS). */
export const SAML_METADATA_CONTENT_TYPE = "application/samlmetadata+xml";

/** `/sso/{orgId}/{idpId}`: the public SAML endpoints the IdP and the browser reach. */
export const ssoContract = {
  metadata: endpoint({
    method: "GET",
    path: "/sso/{orgId}/{idpId}/metadata",
    tag: "sso",
    auth: "public",
    summary: "The service provider's SAML metadata (entity id, ACS URL) to give the identity provider.",
    params: IdentityProviderParams,
    response: z.string(),
    produces: SAML_METADATA_CONTENT_TYPE,
  }),
  login: endpoint({
    method: "GET",
    path: "/sso/{orgId}/{idpId}/login",
    tag: "sso",
    auth: "public",
    summary: "Start single sign-on: answers 302 Found, redirecting to the identity provider.",
    description:
      "`returnTo` (a path on this site, at most 80 bytes) is where the browser lands after signing in. " +
      "IDENTITY_PROVIDER_DISABLED (403) for a disabled provider.",
    params: IdentityProviderParams,
    query: z.object({
      returnTo: z
        .string()
        .max(80)
        .optional()
        .meta({ description: "A path on this site to land on after signing in (`/dashboard`)." }),
    }),
    response: null,
    status: 302,
    rateLimited: true,
  }),
  acs: endpoint({
    method: "POST",
    path: "/sso/{orgId}/{idpId}/acs",
    tag: "sso",
    auth: "public",
    summary:
      "The assertion consumer service: the IdP posts its response; sets the session cookie and answers 303 See Other.",
    description:
      "On success the browser is redirected to the `returnTo` of the login (a path on this site), else to `/`. " +
      "A response that fails any check answers 401 SAML_RESPONSE_INVALID and sets no cookie.",
    params: IdentityProviderParams,
    body: z.object({
      // The service judges both (and audits a refusal), so nothing is refused here but a type.
      SAMLResponse: z.string(),
      RelayState: z.string().optional(),
    }),
    response: null,
    status: 303,
    consumes: "application/x-www-form-urlencoded",
    rateLimited: true,
  }),
};

/** The security groups of the contract: `security`, `identityProviders`, `sso`. */
export const securityContracts = {
  security: securityContract,
  identityProviders: identityProvidersContract,
  sso: ssoContract,
};
