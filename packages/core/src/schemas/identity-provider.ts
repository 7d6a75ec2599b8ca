import { z } from "zod";
import { ORGANIZATION_ROLES } from "../authz/scopes.js";
import { DisplayNameSchema, HttpUrlSchema } from "./common.js";
import { OrganizationRoleSchema } from "./member.js";

/** The largest IdP metadata document accepted, in characters (512 KiB). */
export const MAX_METADATA_LENGTH = 512 * 1024;

/** An identity provider id: URL-safe like account ids, unique within its organization. */
export const IdentityProviderIdSchema = z
  .string()
  .min(2, "An id has at least 2 characters.")
  .max(64, "An id has at most 64 characters.")
  .regex(
    /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/,
    "Use lower-case letters, digits, '-' and '_', starting and ending with a letter or digit.",
  )
  .meta({ id: "IdentityProviderId", description: "A URL-safe id, unique within the organization." });

/** An email domain an organization declares for a provider: ASCII (punycode), lower-cased. */
export const EmailDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, "A domain has at most 253 characters.")
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/,
    "Enter a domain such as example.com (for an international domain, its xn-- form).",
  );

/** An IdP entity id: 1–1,024 characters without spaces (a URL or a URN). */
export const EntityIdSchema = z
  .string()
  .trim()
  .min(1, "Enter the identity provider's entity id.")
  .max(1024, "An entity id has at most 1,024 characters.")
  .regex(/^[\x21-\x7e]+$/, "An entity id has no spaces or non-ASCII characters.");

/** The IdP's sign-in URL: https, or http on localhost only. */
export const SsoUrlSchema = HttpUrlSchema.refine((value) => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === "https:" || ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}, "The sign-in URL must use https.");

const DomainsSchema = z
  .array(EmailDomainSchema)
  .max(50, "Declare at most 50 domains.")
  .superRefine((domains, ctx) => {
    domains.forEach((domain, index) => {
      if (domains.indexOf(domain) !== index) {
        ctx.addIssue({ code: "custom", path: [index], message: `${domain} is listed twice.` });
      }
    });
  });

const CertificatesSchema = z
  .array(z.string().max(16_384, "A certificate has at most 16,384 characters."))
  .min(1, "Give at least one signing certificate.")
  .max(5, "Give at most 5 signing certificates.");

const ClockSkewSchema = z
  .number()
  .int("The clock skew is a whole number of seconds.")
  .min(0, "The clock skew is at least 0 seconds.")
  .max(300, "The clock skew is at most 300 seconds.");

const MetadataXmlSchema = z
  .string()
  .min(1, "Paste the identity provider's metadata.")
  .max(MAX_METADATA_LENGTH, "Metadata has at most 512 KiB.");

/**
 * Input of `identityProviders.create`. Give either `metadataXml` (the IdP's SAML metadata) or
 * `entityId`, `ssoUrl` and `certificates`, not both.
 *
 * Defaults: `enabled` true, `domains` none, `defaultRole` `team_contributor` (least privilege:
 * no app until a team grants one; `admin` only when chosen explicitly), `required` false,
 * `allowIdpInitiated` false, `clockSkewSeconds` 60.
 */
export const CreateIdentityProviderInputSchema = z
  .object({
    id: IdentityProviderIdSchema,
    name: DisplayNameSchema,
    enabled: z.boolean().default(true),
    metadataXml: MetadataXmlSchema.optional(),
    entityId: EntityIdSchema.optional(),
    ssoUrl: SsoUrlSchema.optional(),
    /** PEM (or bare base64 DER) X.509 signing certificates. Never a private key. */
    certificates: CertificatesSchema.optional(),
    domains: DomainsSchema.default([]),
    defaultRole: OrganizationRoleSchema.default("team_contributor"),
    required: z.boolean().default(false),
    allowIdpInitiated: z.boolean().default(false),
    clockSkewSeconds: ClockSkewSchema.default(60),
  })
  .strict();

/** Input of `identityProviders.create`. */
export type CreateIdentityProviderInput = z.input<typeof CreateIdentityProviderInputSchema>;

/**
 * Input of `identityProviders.update`: any subset; `domains` replaces the whole list, and
 * `metadataXml` replaces the entity id, sign-in URL and certificates together.
 */
export const UpdateIdentityProviderInputSchema = z
  .object({
    name: DisplayNameSchema,
    enabled: z.boolean(),
    metadataXml: MetadataXmlSchema,
    entityId: EntityIdSchema,
    ssoUrl: SsoUrlSchema,
    certificates: CertificatesSchema,
    domains: DomainsSchema,
    defaultRole: OrganizationRoleSchema,
    required: z.boolean(),
    allowIdpInitiated: z.boolean(),
    clockSkewSeconds: ClockSkewSchema,
  })
  .partial()
  .strict();

/** Input of `identityProviders.update`. */
export type UpdateIdentityProviderInput = z.input<typeof UpdateIdentityProviderInputSchema>;

/** A pinned IdP signing certificate. */
export const IdentityProviderCertificateSchema = z
  .object({
    pem: z.string(),
    sha256Fingerprint: z.string(),
    subject: z.string(),
    notAfter: z.date(),
  })
  .meta({ id: "IdentityProviderCertificate", description: "A pinned X.509 signing certificate of an IdP." });

/** The service-provider side of a provider, derived from the orgkit `baseUrl`. */
export const ServiceProviderEndpointsSchema = z
  .object({
    /** `{baseUrl}/sso/{orgId}/{idpId}/metadata`; the SP metadata is served there too. */
    entityId: z.string(),
    /** `{baseUrl}/sso/{orgId}/{idpId}/acs`, HTTP-POST binding. */
    acsUrl: z.string(),
    metadataUrl: z.string(),
  })
  .meta({ id: "ServiceProviderEndpoints", description: "What to configure at the identity provider." });

/** A SAML identity provider of an organization. */
export const IdentityProviderSchema = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    entityId: z.string(),
    ssoUrl: z.string(),
    certificates: z.array(IdentityProviderCertificateSchema),
    domains: z.array(z.string()),
    defaultRole: z.enum(ORGANIZATION_ROLES),
    required: z.boolean(),
    allowIdpInitiated: z.boolean(),
    clockSkewSeconds: z.number(),
    serviceProvider: ServiceProviderEndpointsSchema,
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: "IdentityProvider", description: "A SAML identity provider of an organization." });

/** A SAML identity provider of an organization. */
export type IdentityProvider = z.infer<typeof IdentityProviderSchema>;

/** Options of `sso.login`. */
export const SsoLoginInputSchema = z
  .object({
    /**
     * Where the host wants to land after sign-in; sent to the IdP and returned by `acs`. At most
     * 80 bytes (the SAML bindings' limit). Treat it as untrusted when redirecting.
     */
    relayState: z
      .string()
      .refine((value) => new TextEncoder().encode(value).length <= 80, "A relay state has at most 80 bytes.")
      .optional(),
  })
  .strict();

/** Options of `sso.login`. */
export type SsoLoginInput = z.input<typeof SsoLoginInputSchema>;
