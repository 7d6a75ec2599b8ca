import { randomBytes } from "node:crypto";
import { generateServiceProviderMetadata } from "@node-saml/node-saml";
import { notFound, OrgKitError } from "../errors.js";
import { newKey, randomBase62, sha256Hex } from "../internal/ids.js";
import { AccountIdSchema, DisplayNameSchema, EmailSchema, parseInput } from "../schemas/common.js";
import { type SsoLoginInput, SsoLoginInputSchema } from "../schemas/identity-provider.js";
import type { Session } from "../schemas/session.js";
import type { User } from "../schemas/user.js";
import {
  type SamlCheckSettings,
  samlClient,
  type ValidatedAssertion,
  validateSamlResponse,
} from "../sso/saml-response.js";
import { XmlRefusal } from "../sso/xml.js";
import { isUniqueViolation } from "../storage/errors.js";
import type { IdentityProviderRecord } from "../storage/identity-provider-store.js";
import type { OrganizationRecord, UserRecord } from "../storage/records.js";
import type { Stores } from "../storage/storage.js";
import { recordAudit } from "./audit-trail.js";
import { identityProviderIdParam, serviceProviderEndpoints } from "./identity-providers.js";
import { toUser } from "./mappers.js";
import { reserveSlot } from "./organizations.js";
import { enforceRateLimits } from "./rate-limit.js";
import type { CallContext } from "./runtime.js";
import { issueSession, toSession } from "./sessions.js";

/** How long an AuthnRequest id stays redeemable: time to sign in at the IdP, MFA included. */
export const SAML_REQUEST_TTL_MS = 15 * 60 * 1000;

/** What `sso.login` returns. */
export interface SsoLogin {
  /** Redirect the browser here (HTTP-Redirect binding). */
  readonly redirectUrl: string;
  /** The AuthnRequest id, recorded in storage; the response must answer it. */
  readonly requestId: string;
  readonly expiresAt: Date;
}

/** The form fields the IdP posts to the ACS URL (HTTP-POST binding). */
export interface SsoAcsBody {
  readonly SAMLResponse: string;
  readonly RelayState?: string | undefined;
}

/** What a successful `sso.acs` returns; the host issues a session for `user`. */
export interface SsoAcsResult {
  readonly user: User;
  readonly organizationId: string;
  /** True when the user was created just now (just-in-time provisioning). */
  readonly created: boolean;
  /**
   * For an SP-initiated login, the relay state given to `login` (as stored, not as posted); for
   * an IdP-initiated one, the posted RelayState, which nobody vouches for. Null when none.
   */
  readonly relayState: string | null;
  /** The new session's token (shown once), acting in the organization. */
  readonly token: string;
  readonly session: Session;
}

/**
 * The public SAML endpoints of every identity provider, at `{baseUrl}/sso/{orgId}/{idpId}/...`.
 * They need no signed-in actor.
 */
export interface SsoService {
  /** The SP metadata XML to give the IdP (entity id, ACS URL, HTTP-POST binding). */
  metadata(organizationId: string, identityProviderId: string): Promise<string>;
  /**
   * Starts an SP-initiated login: records a new AuthnRequest id in storage (valid 15 minutes,
   * redeemable once, from any host instance) and returns the IdP URL to redirect to.
   * IDENTITY_PROVIDER_DISABLED for a disabled provider.
   *
   * @example
   * ```ts
   * const { redirectUrl } = await orgkit.sso.login("acme", "okta", { relayState: "/dashboard" });
   * res.redirect(302, redirectUrl);
   * ```
   */
  login(
    organizationId: string,
    identityProviderId: string,
    input?: SsoLoginInput,
    options?: { readonly ip?: string | null },
  ): Promise<SsoLogin>;
  /**
   * The assertion consumer service: validates the posted response (SAML_RESPONSE_INVALID, with
   * the precise reason in `details.reason` only), then signs in the identity's user or provisions
   * one just in time, all in one transaction. A failure creates nothing; it is audited as
   * SECURITY_SSO_LOGIN_FAILED.
   *
   * @example
   * ```ts
   * const { token, relayState } = await orgkit.sso.acs("acme", "okta", req.body, { ip: req.ip });
   * res.cookie("orgkit_session", token, { httpOnly: true, sameSite: "lax", secure: true });
   * ```
   */
  acs(
    organizationId: string,
    identityProviderId: string,
    body: SsoAcsBody,
    options?: { readonly ip?: string | null },
  ): Promise<SsoAcsResult>;
}

/** SAML_RESPONSE_INVALID with its reason for logs; the message says nothing about the check. */
function refused(reason: string): OrgKitError {
  return new OrgKitError("SAML_RESPONSE_INVALID", { details: { reason } });
}

const EMAIL_ATTRIBUTES = [
  "email",
  "mail",
  "emailAddress",
  "urn:oid:0.9.2342.19200300.100.1.3",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
];
const NAME_ATTRIBUTES = [
  "displayName",
  "name",
  "urn:oid:2.16.840.1.113730.3.1.241",
  "http://schemas.microsoft.com/identity/claims/displayname",
];
const GIVEN_NAME_ATTRIBUTES = [
  "givenName",
  "firstName",
  "urn:oid:2.5.4.42",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
];
const SURNAME_ATTRIBUTES = [
  "sn",
  "surname",
  "lastName",
  "urn:oid:2.5.4.4",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
];

function firstAttribute(assertion: ValidatedAssertion, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = assertion.attributes[name]?.find((candidate) => candidate !== "");
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The email the assertion vouches for: the NameID when it is one, else an email attribute. */
function emailOf(assertion: ValidatedAssertion): string | null {
  for (const candidate of [assertion.nameId, firstAttribute(assertion, EMAIL_ATTRIBUTES)]) {
    if (candidate === undefined) continue;
    const parsed = EmailSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return null;
}

function nameOf(assertion: ValidatedAssertion, email: string): string {
  const given = firstAttribute(assertion, GIVEN_NAME_ATTRIBUTES);
  const surname = firstAttribute(assertion, SURNAME_ATTRIBUTES);
  const candidates = [
    firstAttribute(assertion, NAME_ATTRIBUTES),
    [given, surname].filter((part) => part !== undefined).join(" "),
    email.split("@")[0],
  ];
  for (const candidate of candidates) {
    const parsed = DisplayNameSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return email;
}

/** A free account id derived from the email's local part (random suffix when taken). */
async function freeAccountId(tx: Stores, email: string): Promise<string> {
  let base = (email.split("@")[0] ?? "user")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, 40);
  if (base.length < 2) base = `user-${base}`.replace(/-$/, "");
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = attempt === 0 ? base : `${base}-${randomBase62(6).toLowerCase()}`;
    if (!AccountIdSchema.safeParse(id).success) continue;
    if ((await tx.users.getById(id)) === null && (await tx.organizations.getById(id)) === null) return id;
  }
  return `user-${randomBase62(12).toLowerCase()}`;
}

/** The constraints a concurrent first sign-in can hit; the whole transaction is then retried. */
const RETRIED_CONSTRAINTS = new Set(["account_id", "user_email", "external_identity"]);

/** Builds the public SSO endpoints. */
export function ssoService(rt: CallContext["rt"]): SsoService {
  /** SAML login is limited per organization and per source address. */
  function limitSamlLogin(organizationKey: string, ip: string | null): Promise<void> {
    return enforceRateLimits(rt.rateLimiter, [
      [`saml:organization:${organizationKey}`, rt.rateLimits.samlLogin.perOrganization],
      [ip && `saml:address:${ip}`, rt.rateLimits.samlLogin.perAddress],
    ]);
  }

  /** The provider by its public ids; a missing org and another org's provider look the same. */
  async function resolve(
    organizationId: unknown,
    identityProviderId: unknown,
  ): Promise<{ organization: OrganizationRecord; provider: IdentityProviderRecord }> {
    const id = identityProviderIdParam(identityProviderId);
    if (typeof organizationId !== "string" || organizationId.length === 0 || organizationId.length > 64) {
      throw notFound("identityProviderId");
    }
    const organization = await rt.storage.organizations.getById(organizationId);
    const provider =
      organization === null ? null : await rt.storage.identityProviders.get(organization.key, id);
    if (organization === null || provider === null) throw notFound("identityProviderId");
    return { organization, provider };
  }

  function settings(organization: OrganizationRecord, provider: IdentityProviderRecord): SamlCheckSettings {
    const sp = serviceProviderEndpoints(rt.samlBaseUrl, organization.id, provider.id);
    return {
      spEntityId: sp.entityId,
      acsUrl: sp.acsUrl,
      idpEntityId: provider.idpEntityId,
      ssoUrl: provider.ssoUrl,
      certificates: provider.certificates,
      clockSkewMs: provider.clockSkewSeconds * 1000,
    };
  }

  /** One attempt at signing in or provisioning, in one transaction. */
  function signIn(
    organization: OrganizationRecord,
    provider: IdentityProviderRecord,
    assertion: ValidatedAssertion,
    postedRelayState: string | null,
    ip: string | null,
  ): Promise<SsoAcsResult> {
    return rt.storage.transaction(async (tx) => {
      const now = rt.clock.now();
      const locked = await tx.organizations.lock(organization.key);
      if (locked === null) throw notFound("identityProviderId");
      // The provider may have been disabled, changed or deleted since it was read.
      const current = await tx.identityProviders.get(locked.key, provider.id);
      if (current === null || current.key !== provider.key) throw notFound("identityProviderId");
      if (!current.enabled) throw new OrgKitError("IDENTITY_PROVIDER_DISABLED");
      if (current.certificates.join("\n") !== provider.certificates.join("\n")) {
        throw refused("provider_changed");
      }

      let relayState = postedRelayState;
      if (assertion.inResponseTo !== null) {
        const request = await tx.identityProviders.consumeRequest(provider.key, assertion.inResponseTo, now);
        if (request === null) throw refused("inresponseto_unknown");
        if (postedRelayState !== null && postedRelayState !== request.relayState) {
          throw refused("relaystate_mismatch");
        }
        relayState = request.relayState;
      } else if (!current.allowIdpInitiated) {
        throw refused("idp_initiated_not_allowed");
      }
      if (
        !(await tx.identityProviders.rememberAssertion(
          provider.key,
          assertion.assertionId,
          assertion.replayCacheUntil,
          now,
        ))
      ) {
        throw refused("assertion_replayed");
      }

      let user: UserRecord | null = null;
      let created = false;
      const identity = await tx.identityProviders.getIdentity(provider.key, assertion.nameId);
      if (identity !== null) {
        user = await tx.users.getByKey(identity.userKey);
        if (user === null) throw refused("identity_user_missing");
      } else {
        const email = emailOf(assertion);
        if (email === null) throw refused("email_missing");
        const declared = current.domains.includes(email.slice(email.lastIndexOf("@") + 1));
        const existing = await tx.users.getByEmail(email);
        if (existing !== null) {
          // Declaring a domain proves nothing about owning it, so an existing account is only
          // linked when its domain is declared AND it already belongs to this organization.
          const member = await tx.members.get(locked.key, existing.key);
          if (!declared || member === null) {
            throw new OrgKitError("CONFLICT", {
              param: "email",
              message:
                "An account with this email address already exists and cannot be signed in to through this identity provider.",
              details: {
                reason: declared ? "existing_account_not_member" : "existing_account_domain_not_declared",
              },
            });
          }
          user = existing;
        } else {
          user = await tx.users.insert({
            key: newKey(),
            id: await freeAccountId(tx, email),
            email,
            name: nameOf(assertion, email),
            passwordHash: null,
            emailVerified: declared,
            at: now,
          });
          created = true;
        }
        await tx.identityProviders.insertIdentity({
          providerKey: provider.key,
          organizationKey: locked.key,
          nameId: assertion.nameId,
          nameIdFormat: assertion.nameIdFormat,
          userKey: user.key,
          createdAt: now,
        });
      }

      const asUser: CallContext = {
        rt,
        actor: { type: "user", userId: user.id, ip, tokenScopes: undefined },
      };
      if (created) {
        await recordAudit(tx, asUser, {
          organizationId: null,
          action: "USER_CREATE",
          targetType: "user",
          targetId: user.id,
          after: { identityProviderId: provider.id, organizationId: locked.id },
        });
      }
      if ((await tx.members.get(locked.key, user.key)) === null) {
        await reserveSlot(tx, asUser, user.key);
        await tx.members.insert({
          organizationKey: locked.key,
          userKey: user.key,
          role: current.defaultRole,
          name: user.name,
          email: user.email,
          at: now,
        });
        await recordAudit(tx, asUser, {
          organizationId: locked.id,
          action: "ORGANIZATION_MEMBER_ADD",
          targetType: "membership",
          targetId: user.id,
          after: { role: current.defaultRole, identityProviderId: provider.id },
        });
      }
      await recordAudit(tx, asUser, {
        organizationId: locked.id,
        action: "SECURITY_SSO_LOGIN",
        targetType: "identity_provider",
        targetId: provider.id,
        after: { userId: user.id, created, initiatedBy: assertion.inResponseTo === null ? "idp" : "sp" },
      });
      // The session acts in the organization from the start: the user came through its IdP.
      const session = await issueSession(tx, rt, user, locked.key, { ip: ip ?? undefined });
      return {
        user: toUser(user),
        organizationId: locked.id,
        created,
        relayState,
        token: session.token,
        session: toSession(session.record, locked.id),
      };
    });
  }

  /** Records a refused sign-in in its own transaction; never the response or any secret. */
  async function recordFailure(
    organization: OrganizationRecord,
    provider: IdentityProviderRecord,
    error: unknown,
    ip: string | null,
  ): Promise<void> {
    const code = error instanceof OrgKitError ? error.code : "INTERNAL";
    const reason = error instanceof OrgKitError ? error.details?.reason : undefined;
    const anonymous: CallContext = { rt, actor: { type: "anonymous", ip } };
    await rt.storage
      .transaction((tx) =>
        recordAudit(tx, anonymous, {
          organizationId: organization.id,
          action: "SECURITY_SSO_LOGIN_FAILED",
          targetType: "identity_provider",
          targetId: provider.id,
          after: { code, ...(typeof reason === "string" ? { reason } : {}) },
          outcome: "failure",
        }),
      )
      .catch(() => {
        // The refusal itself is what the caller must see; a lost audit row must not mask it.
      });
  }

  return {
    async metadata(organizationId, identityProviderId) {
      const { organization, provider } = await resolve(organizationId, identityProviderId);
      const sp = serviceProviderEndpoints(rt.samlBaseUrl, organization.id, provider.id);
      return generateServiceProviderMetadata({
        issuer: sp.entityId,
        callbackUrl: sp.acsUrl,
        wantAssertionsSigned: true,
        identifierFormat: null,
        // A stable document id, so the metadata is the same at every request.
        generateUniqueId: () => `_${sha256Hex(sp.entityId).slice(0, 40)}`,
      });
    },

    async login(organizationId, identityProviderId, input = {}, options = {}) {
      const { organization, provider } = await resolve(organizationId, identityProviderId);
      await limitSamlLogin(organization.key, options.ip ?? null);
      if (!provider.enabled) throw new OrgKitError("IDENTITY_PROVIDER_DISABLED");
      const data = parseInput(SsoLoginInputSchema, input);
      const requestId = `_${randomBytes(20).toString("hex")}`;
      const now = rt.clock.now();
      const expiresAt = new Date(now.getTime() + SAML_REQUEST_TTL_MS);
      const redirectUrl = await samlClient(settings(organization, provider), requestId).getAuthorizeUrlAsync(
        data.relayState ?? "",
        undefined,
        {},
      );
      await rt.storage.identityProviders.recordRequest(provider.key, {
        id: requestId,
        relayState: data.relayState ?? null,
        expiresAt,
        now,
      });
      return { redirectUrl, requestId, expiresAt };
    },

    async acs(organizationId, identityProviderId, body, options = {}) {
      const ip = options.ip ?? null;
      const { organization, provider } = await resolve(organizationId, identityProviderId);
      await limitSamlLogin(organization.key, ip);
      try {
        if (!provider.enabled) throw new OrgKitError("IDENTITY_PROVIDER_DISABLED");
        const form = (typeof body === "object" && body !== null ? body : {}) as Partial<SsoAcsBody>;
        const posted = form.RelayState === undefined || form.RelayState === "" ? null : form.RelayState;
        if (posted !== null && (typeof posted !== "string" || Buffer.byteLength(posted, "utf8") > 80)) {
          throw refused("relaystate_invalid");
        }
        let assertion: ValidatedAssertion;
        try {
          assertion = await validateSamlResponse(
            form.SAMLResponse,
            settings(organization, provider),
            rt.clock.now(),
          );
        } catch (error) {
          if (error instanceof XmlRefusal) throw refused(error.reason);
          throw error;
        }
        for (let attempt = 1; ; attempt++) {
          try {
            return await signIn(organization, provider, assertion, posted, ip);
          } catch (error) {
            // Two first sign-ins at once: the loser runs again and finds what the winner made.
            if (attempt < 3 && isUniqueViolation(error) && RETRIED_CONSTRAINTS.has(error.constraint))
              continue;
            throw error;
          }
        }
      } catch (error) {
        await recordFailure(organization, provider, error, ip);
        throw error;
      }
    },
  };
}
