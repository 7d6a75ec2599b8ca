import { notFound, OrgKitError } from "../errors.js";
import { newKey } from "../internal/ids.js";
import { type Page, PageQuerySchema, parseInput } from "../schemas/common.js";
import {
  type CreateIdentityProviderInput,
  CreateIdentityProviderInputSchema,
  EntityIdSchema,
  type IdentityProvider,
  SsoUrlSchema,
  type UpdateIdentityProviderInput,
  UpdateIdentityProviderInputSchema,
} from "../schemas/identity-provider.js";
import { parseCertificate, parseIdpMetadata } from "../sso/idp-metadata.js";
import { XmlRefusal } from "../sso/xml.js";
import { isUniqueViolation } from "../storage/errors.js";
import type { IdentityProviderPatch, IdentityProviderRecord } from "../storage/identity-provider-store.js";
import { authorizeOrganization, lockAndRecheck } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { CallContext } from "./runtime.js";

/**
 * An organization's SAML identity providers as seen by an actor: reading needs `security:get`,
 * writing `security:manage` (both admin-only among the built-in roles). Every write is audited.
 */
export interface IdentityProvidersService {
  /**
   * Adds a provider from the IdP's metadata or from its entity id, sign-in URL and signing
   * certificates. CONFLICT (param `id`) when the organization has one with this id, CONFLICT
   * (param `domains`) when another of its providers declares a domain.
   *
   * @example
   * ```ts
   * const okta = await asAdmin.identityProviders.create("acme", {
   *   id: "okta", name: "Okta", metadataXml, domains: ["acme.com"], defaultRole: "org_user" });
   * // Configure the IdP with okta.serviceProvider.entityId and okta.serviceProvider.acsUrl.
   * ```
   */
  create(organizationId: string, input: CreateIdentityProviderInput): Promise<IdentityProvider>;
  /** The organization's providers by id, a page at a time. */
  list(organizationId: string, query?: { limit?: number; cursor?: string }): Promise<Page<IdentityProvider>>;
  /** One provider; NOT_FOUND (param `identityProviderId`) for a missing or another organization's. */
  get(organizationId: string, identityProviderId: string): Promise<IdentityProvider>;
  /** Changes a provider; `domains` replaces the list, `metadataXml` the IdP settings. */
  update(
    organizationId: string,
    identityProviderId: string,
    input: UpdateIdentityProviderInput,
  ): Promise<IdentityProvider>;
  /** Deletes a provider with its linked identities (never the users). */
  delete(organizationId: string, identityProviderId: string): Promise<void>;
}

/** The SP side of a provider: entity id (also where its metadata is served) and ACS URL. */
export function serviceProviderEndpoints(
  baseUrl: URL,
  organizationId: string,
  identityProviderId: string,
): { entityId: string; acsUrl: string; metadataUrl: string } {
  const base = baseUrl.pathname.endsWith("/") ? baseUrl : new URL(`${baseUrl.pathname}/`, baseUrl);
  const at = (leaf: string) =>
    new URL(
      `sso/${encodeURIComponent(organizationId)}/${encodeURIComponent(identityProviderId)}/${leaf}`,
      base,
    ).toString();
  const entityId = at("metadata");
  return { entityId, acsUrl: at("acs"), metadataUrl: entityId };
}

/** A provider record as the API shows it (certificates are public; there is no private key). */
export function toIdentityProvider(
  record: IdentityProviderRecord,
  organizationId: string,
  baseUrl: URL,
): IdentityProvider {
  return {
    id: record.id,
    organizationId,
    name: record.name,
    enabled: record.enabled,
    entityId: record.idpEntityId,
    ssoUrl: record.ssoUrl,
    certificates: record.certificates.map((pem) => {
      const { sha256Fingerprint, subject, notAfter } = parseCertificate(pem);
      return { pem, sha256Fingerprint, subject, notAfter };
    }),
    domains: [...record.domains],
    defaultRole: record.defaultRole,
    required: record.required,
    allowIdpInitiated: record.allowIdpInitiated,
    clockSkewSeconds: record.clockSkewSeconds,
    serviceProvider: serviceProviderEndpoints(baseUrl, organizationId, record.id),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** The id argument, or NOT_FOUND when it cannot be one. */
export function identityProviderIdParam(identityProviderId: unknown): string {
  if (
    typeof identityProviderId !== "string" ||
    identityProviderId.length === 0 ||
    identityProviderId.length > 64
  ) {
    throw notFound("identityProviderId");
  }
  return identityProviderId;
}

const CERTIFICATE_MESSAGES: Record<string, string> = {
  certificate_private_key:
    "This is a private key. Paste the identity provider's signing certificate; never share a private key.",
  certificate_key_unsupported: "Only RSA signing certificates of at least 2,048 bits are supported.",
};

function certificatesOrThrow(inputs: readonly string[], param: (index: number) => string): string[] {
  const pems = inputs.map((input, index) => {
    try {
      return parseCertificate(input).pem;
    } catch (error) {
      if (!(error instanceof XmlRefusal)) throw error;
      throw new OrgKitError("VALIDATION_FAILED", {
        param: param(index),
        message:
          CERTIFICATE_MESSAGES[error.reason] ??
          "Paste an X.509 certificate in PEM form (-----BEGIN CERTIFICATE-----).",
        details: { reason: error.reason },
      });
    }
  });
  return pems.filter((pem, index) => pems.indexOf(pem) === index);
}

type IdpSettings = Pick<IdentityProviderPatch, "idpEntityId" | "ssoUrl" | "certificates">;

/** Reads the IdP settings from metadata or from the individual fields (validated already). */
function idpSettings(
  input: { metadataXml?: string; entityId?: string; ssoUrl?: string; certificates?: string[] },
  requireAll: boolean,
): IdpSettings {
  if (input.metadataXml !== undefined) {
    const mixed = (["entityId", "ssoUrl", "certificates"] as const).find(
      (field) => input[field] !== undefined,
    );
    if (mixed !== undefined) {
      throw new OrgKitError("VALIDATION_FAILED", {
        param: mixed,
        message: "Give either metadataXml or entityId, ssoUrl and certificates, not both.",
      });
    }
    let metadata: ReturnType<typeof parseIdpMetadata>;
    try {
      metadata = parseIdpMetadata(input.metadataXml);
    } catch (error) {
      if (!(error instanceof XmlRefusal)) throw error;
      throw new OrgKitError("VALIDATION_FAILED", {
        param: "metadataXml",
        message:
          error.reason === "metadata_redirect_binding_missing"
            ? "The metadata offers no HTTP-Redirect sign-in endpoint."
            : "This is not SAML 2.0 identity provider metadata that orgkit can read.",
        details: { reason: error.reason },
      });
    }
    const entityId = parseInput(EntityIdSchema, metadata.entityId, "metadataXml");
    const ssoUrl = parseInput(SsoUrlSchema, metadata.ssoUrl, "metadataXml");
    return {
      idpEntityId: entityId,
      ssoUrl,
      certificates: certificatesOrThrow(metadata.certificates, () => "metadataXml"),
    };
  }
  if (requireAll) {
    const missing = (["entityId", "ssoUrl", "certificates"] as const).find(
      (field) => input[field] === undefined,
    );
    if (missing !== undefined) {
      throw new OrgKitError("VALIDATION_FAILED", {
        param: missing,
        message: "Give the identity provider's metadataXml, or its entityId, ssoUrl and certificates.",
      });
    }
  }
  return {
    ...(input.entityId === undefined ? {} : { idpEntityId: input.entityId }),
    ...(input.ssoUrl === undefined ? {} : { ssoUrl: input.ssoUrl }),
    ...(input.certificates === undefined
      ? {}
      : { certificates: certificatesOrThrow(input.certificates, (index) => `certificates.${index}`) }),
  };
}

function translateConflict(error: unknown): never {
  if (isUniqueViolation(error, "identity_provider_id")) {
    throw new OrgKitError("CONFLICT", {
      param: "id",
      message: "This organization already has an identity provider with this id.",
    });
  }
  if (isUniqueViolation(error, "identity_provider_domain")) {
    throw new OrgKitError("CONFLICT", {
      param: "domains",
      message: "Another identity provider of this organization already declares this domain.",
    });
  }
  throw error;
}

/** What the audit trail keeps of a provider: settings and certificate fingerprints, no PEM. */
function auditView(record: IdentityProviderRecord): Record<string, unknown> {
  return {
    name: record.name,
    enabled: record.enabled,
    entityId: record.idpEntityId,
    ssoUrl: record.ssoUrl,
    certificates: record.certificates.map((pem) => parseCertificate(pem).sha256Fingerprint),
    domains: [...record.domains],
    defaultRole: record.defaultRole,
    required: record.required,
    allowIdpInitiated: record.allowIdpInitiated,
    clockSkewSeconds: record.clockSkewSeconds,
  };
}

/** Builds the identity providers service for one actor. */
export function identityProvidersService(ctx: CallContext): IdentityProvidersService {
  const { rt } = ctx;

  async function find(organizationId: string, identityProviderId: unknown) {
    const id = identityProviderIdParam(identityProviderId);
    const granted = await authorizeOrganization(ctx, organizationId, "security:get");
    const record = await rt.storage.identityProviders.get(granted.organization.key, id);
    if (record === null) throw notFound("identityProviderId");
    return { granted, record };
  }

  return {
    async create(organizationId, input) {
      const data = parseInput(CreateIdentityProviderInputSchema, input);
      const granted = await authorizeOrganization(ctx, organizationId, "security:manage");
      const settings = idpSettings(data, true);
      const record = await rt.storage
        .transaction(async (tx) => {
          const locked = await lockAndRecheck(tx, ctx, granted, "security:manage");
          const created = await tx.identityProviders.insert({
            key: newKey(),
            organizationKey: locked.organization.key,
            id: data.id,
            name: data.name,
            enabled: data.enabled,
            idpEntityId: settings.idpEntityId!,
            ssoUrl: settings.ssoUrl!,
            certificates: settings.certificates!,
            domains: data.domains,
            defaultRole: data.defaultRole,
            required: data.required,
            allowIdpInitiated: data.allowIdpInitiated,
            clockSkewSeconds: data.clockSkewSeconds,
            at: rt.clock.now(),
          });
          await recordAudit(tx, ctx, {
            organizationId: locked.organization.id,
            action: "SECURITY_IDENTITY_PROVIDER_CREATE",
            targetType: "identity_provider",
            targetId: created.id,
            after: auditView(created),
          });
          return created;
        })
        .catch(translateConflict);
      return toIdentityProvider(record, granted.organization.id, rt.samlBaseUrl);
    },

    async list(organizationId, query = {}) {
      const q = parseInput(PageQuerySchema.strict(), query);
      const granted = await authorizeOrganization(ctx, organizationId, "security:get");
      const listScope = `identity-providers:${granted.organization.id}`;
      const after =
        q.cursor === undefined ? undefined : (decodeCursor(q.cursor, listScope, ["string"])[0] as string);
      const rows = await rt.storage.identityProviders.list(granted.organization.key, {
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => toIdentityProvider(row, granted.organization.id, rt.samlBaseUrl)),
        nextCursor: rows.length > q.limit && last !== undefined ? encodeCursor(listScope, [last.id]) : null,
      };
    },

    async get(organizationId, identityProviderId) {
      const { granted, record } = await find(organizationId, identityProviderId);
      return toIdentityProvider(record, granted.organization.id, rt.samlBaseUrl);
    },

    async update(organizationId, identityProviderId, input) {
      const id = identityProviderIdParam(identityProviderId);
      const data = parseInput(UpdateIdentityProviderInputSchema, input);
      const granted = await authorizeOrganization(ctx, organizationId, "security:manage");
      const settings = idpSettings(data, false);
      const patch: IdentityProviderPatch = {
        ...settings,
        ...(data.name === undefined ? {} : { name: data.name }),
        ...(data.enabled === undefined ? {} : { enabled: data.enabled }),
        ...(data.domains === undefined ? {} : { domains: data.domains }),
        ...(data.defaultRole === undefined ? {} : { defaultRole: data.defaultRole }),
        ...(data.required === undefined ? {} : { required: data.required }),
        ...(data.allowIdpInitiated === undefined ? {} : { allowIdpInitiated: data.allowIdpInitiated }),
        ...(data.clockSkewSeconds === undefined ? {} : { clockSkewSeconds: data.clockSkewSeconds }),
      };
      const updated = await rt.storage
        .transaction(async (tx) => {
          const locked = await lockAndRecheck(tx, ctx, granted, "security:manage");
          const before = await tx.identityProviders.get(locked.organization.key, id);
          if (before === null) throw notFound("identityProviderId");
          const after = await tx.identityProviders.update(before.key, patch, rt.clock.now());
          if (after === null) throw notFound("identityProviderId");
          const beforeView = auditView(before);
          const afterView = auditView(after);
          const changed = Object.keys(afterView).filter(
            (field) => JSON.stringify(beforeView[field]) !== JSON.stringify(afterView[field]),
          );
          await recordAudit(tx, ctx, {
            organizationId: locked.organization.id,
            action: "SECURITY_IDENTITY_PROVIDER_UPDATE",
            targetType: "identity_provider",
            targetId: after.id,
            before: Object.fromEntries(changed.map((field) => [field, beforeView[field]])),
            after: Object.fromEntries(changed.map((field) => [field, afterView[field]])),
          });
          return after;
        })
        .catch(translateConflict);
      return toIdentityProvider(updated, granted.organization.id, rt.samlBaseUrl);
    },

    async delete(organizationId, identityProviderId) {
      const id = identityProviderIdParam(identityProviderId);
      const granted = await authorizeOrganization(ctx, organizationId, "security:manage");
      await rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "security:manage");
        const record = await tx.identityProviders.get(locked.organization.key, id);
        if (record === null) throw notFound("identityProviderId");
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          action: "SECURITY_IDENTITY_PROVIDER_DELETE",
          targetType: "identity_provider",
          targetId: record.id,
          before: auditView(record),
        });
        await tx.identityProviders.delete(record.key);
      });
    },
  };
}
