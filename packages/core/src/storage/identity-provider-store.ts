import type { OrganizationRole } from "../authz/scopes.js";

/**
 * A SAML identity provider of an organization as stored. The certificates are public X.509
 * certificates (PEM) pinned for signature checks; no private key is ever stored.
 */
export interface IdentityProviderRecord {
  readonly key: string;
  readonly organizationKey: string;
  /** URL-safe, unique within the organization; part of the SP URLs, so it never changes. */
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  /** The IdP's entity id (its `Issuer`). */
  readonly idpEntityId: string;
  /** The IdP's HTTP-Redirect SingleSignOnService location. */
  readonly ssoUrl: string;
  /** PEM certificates, one of which must have signed a response. */
  readonly certificates: readonly string[];
  /** Lower-cased email domains the organization declares for this provider. */
  readonly domains: readonly string[];
  /** The role a just-in-time provisioned member gets. */
  readonly defaultRole: OrganizationRole;
  /** When true, password sign-in is refused for the declared domains (SSO_REQUIRED). */
  readonly required: boolean;
  /** When true, responses without InResponseTo (IdP-initiated) are accepted. */
  readonly allowIdpInitiated: boolean;
  readonly clockSkewSeconds: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A provider to insert. */
export type NewIdentityProvider = Omit<IdentityProviderRecord, "createdAt" | "updatedAt"> & {
  readonly at: Date;
};

/** Fields of a provider that can change (never its id or organization). */
export type IdentityProviderPatch = Partial<
  Pick<
    IdentityProviderRecord,
    | "name"
    | "enabled"
    | "idpEntityId"
    | "ssoUrl"
    | "certificates"
    | "domains"
    | "defaultRole"
    | "required"
    | "allowIdpInitiated"
    | "clockSkewSeconds"
  >
>;

/** An identity (the IdP's NameID) linked to a user, per provider. */
export interface ExternalIdentityRecord {
  readonly providerKey: string;
  readonly organizationKey: string;
  /** The NameID exactly as signed. */
  readonly nameId: string;
  readonly nameIdFormat: string | null;
  readonly userKey: string;
  readonly createdAt: Date;
}

/** The organization and provider that require SSO for an email domain. */
export interface RequiredIdentityProvider {
  readonly organizationId: string;
  readonly identityProviderId: string;
}

/**
 * SAML identity providers, the AuthnRequest ids they issued, their assertion replay cache and
 * the external identities they vouch for. Deleting an organization deletes all of these; deleting
 * a provider deletes its requests, replay cache, domains and identities (never the users).
 */
export interface IdentityProviderStore {
  /**
   * Inserts a provider and its domains. MUST throw `UniqueViolationError("identity_provider_id")`
   * when the organization has a provider with this id, and
   * `UniqueViolationError("identity_provider_domain")` when another provider of the organization
   * declares one of the domains (unique indexes, so that concurrent inserts cannot both win).
   */
  insert(provider: NewIdentityProvider): Promise<IdentityProviderRecord>;
  /** The provider with this id in this organization, or null (also for another organization's). */
  get(organizationKey: string, id: string): Promise<IdentityProviderRecord | null>;
  /**
   * A page of the organization's providers ordered by id, strictly after `after`; up to `limit`.
   * Served by the (organization, id) unique index.
   */
  list(
    organizationKey: string,
    query: { readonly after?: string | undefined; readonly limit: number },
  ): Promise<IdentityProviderRecord[]>;
  /**
   * Applies a patch (a `domains` patch replaces the whole set) and returns the new record, or
   * null when the provider is gone. MUST throw `UniqueViolationError("identity_provider_domain")`
   * when a new domain is declared by another provider of the organization.
   */
  update(key: string, patch: IdentityProviderPatch, at: Date): Promise<IdentityProviderRecord | null>;
  /** Deletes the provider with everything that hangs off it; false when there was none. */
  delete(key: string): Promise<boolean>;
  /**
   * An enabled provider marked `required` that declares `domain`, or null. Domains are unique
   * per organization, not globally (declaring a domain proves nothing about owning it), so
   * several organizations may match: the one with the smallest organization id is returned.
   * Prefer {@link findRequiredForUser}, which only considers the user's own organizations.
   */
  findRequiredForEmailDomain(domain: string): Promise<RequiredIdentityProvider | null>;
  /**
   * An enabled, `required` provider declaring `domain` in an organization the user belongs to,
   * or null; ordered like {@link findRequiredForEmailDomain}.
   */
  findRequiredForUser(userKey: string, domain: string): Promise<RequiredIdentityProvider | null>;

  /**
   * Records an AuthnRequest id the provider issued, valid until `expiresAt`, with the RelayState
   * sent along. May delete the provider's requests that expired at or before `now`.
   */
  recordRequest(
    providerKey: string,
    request: {
      readonly id: string;
      readonly relayState: string | null;
      readonly expiresAt: Date;
      readonly now: Date;
    },
  ): Promise<void>;
  /**
   * Consumes a request id issued by THIS provider and still valid at `now`, returning what was
   * recorded with it, or null (unknown, another provider's, expired or already consumed). MUST be
   * one conditional delete: of any number of concurrent callers, exactly one gets the request.
   */
  consumeRequest(
    providerKey: string,
    id: string,
    now: Date,
  ): Promise<{ readonly relayState: string | null } | null>;
  /**
   * Remembers an assertion id until `expiresAt` to refuse replays. MUST be one conditional insert
   * on a unique key (provider, assertion id): returns true for the first caller and false, writing
   * nothing, when the id was seen and has not expired at `now` (also under concurrency). May
   * delete the provider's entries that expired at or before `now`.
   */
  rememberAssertion(providerKey: string, assertionId: string, expiresAt: Date, now: Date): Promise<boolean>;

  /** The identity with this NameID at this provider, or null. */
  getIdentity(providerKey: string, nameId: string): Promise<ExternalIdentityRecord | null>;
  /**
   * Links a NameID of a provider to a user. MUST throw `UniqueViolationError("external_identity")`
   * when the provider already has this NameID (a unique index on (provider, NameID)).
   */
  insertIdentity(identity: ExternalIdentityRecord): Promise<void>;
}
