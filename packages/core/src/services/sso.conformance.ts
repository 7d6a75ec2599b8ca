import { inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode, type OrgKitError } from "../errors.js";
import type { CreateIdentityProviderInput } from "../schemas/identity-provider.js";
import { samlClient } from "../sso/saml-response.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  type World,
} from "../testing/harness.js";
import {
  createTestIdentityProvider,
  createTestSigningKeys,
  encodeSamlResponse,
  samlId,
  type TestIdentityProvider,
  type TestSamlResponseOptions,
  verifySamlElement,
} from "../testing/saml-idp.js";

const MINUTE = 60_000;
const IP = "203.0.113.9";

type ResponseOverrides = Partial<TestSamlResponseOptions>;

interface SsoSetup {
  readonly w: World;
  readonly idp: TestIdentityProvider;
  readonly admin: ReturnType<World["orgkit"]["as"]>;
  readonly sp: { entityId: string; acsUrl: string; metadataUrl: string };
  /** A response to the okta provider, valid by default at the world's clock. */
  xml(overrides?: ResponseOverrides): string;
  response(overrides?: ResponseOverrides): string;
  /** An SP-initiated login at okta; returns the request id. */
  login(relayState?: string): Promise<string>;
  acs(samlResponse: string, relayState?: string): ReturnType<World["orgkit"]["sso"]["acs"]>;
}

/** Acme (admin Alice) with the SAML provider `okta` backed by a test IdP. */
async function setup(harness: ConformanceHarness, input: Partial<CreateIdentityProviderInput> = {}) {
  const w = await createWorld(harness);
  const alice = await w.user("Alice");
  await w.organization(alice, "acme", "Acme");
  const admin = w.orgkit.as({ userId: alice.id });
  const idp = createTestIdentityProvider();
  const provider = await admin.identityProviders.create("acme", {
    id: "okta",
    name: "Okta",
    metadataXml: idp.metadataXml(),
    domains: ["acme.test"],
    defaultRole: "org_user",
    ...input,
  });
  const sp = provider.serviceProvider;
  const options = (overrides: ResponseOverrides): TestSamlResponseOptions => ({
    now: w.clock.now(),
    audience: sp.entityId,
    acsUrl: sp.acsUrl,
    nameId: "bob@acme.test",
    ...overrides,
  });
  const s: SsoSetup = {
    w,
    idp,
    admin,
    sp,
    xml: (overrides = {}) => idp.responseXml(options(overrides)),
    response: (overrides = {}) => idp.response(options(overrides)),
    login: async (relayState) =>
      (await w.orgkit.sso.login("acme", "okta", relayState === undefined ? {} : { relayState })).requestId,
    acs: (SAMLResponse, RelayState) =>
      w.orgkit.sso.acs(
        "acme",
        "okta",
        RelayState === undefined ? { SAMLResponse } : { SAMLResponse, RelayState },
        { ip: IP },
      ),
  };
  return s;
}

/**
 * Asserts that `action` is refused with `code` (and `reason`), that it creates nothing (no user,
 * identity, membership, nor any other row) but one SECURITY_SSO_LOGIN_FAILED audit row.
 */
async function expectRefused(
  s: SsoSetup,
  action: () => Promise<unknown>,
  reason: string | null,
  code: ErrorCode = "SAML_RESPONSE_INVALID",
  param?: string,
): Promise<OrgKitError> {
  const auditBefore = await s.w.storage.audit.listForOrganization("acme", 10_000);
  const error = await expectFailsCleanly(s.w, action, code, param, {
    exceptTables: ["audit_events", "audit_heads"],
  });
  if (reason !== null) expect(error.details?.reason).toBe(reason);
  if (code === "SAML_RESPONSE_INVALID") {
    // The caller is never told which check failed.
    expect(error.message).toBe(ERROR_CODES.SAML_RESPONSE_INVALID.message);
    expect(error.toJSON()).toEqual({ code, message: ERROR_CODES.SAML_RESPONSE_INVALID.message });
  }
  const auditAfter = await s.w.storage.audit.listForOrganization("acme", 10_000);
  expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
  const added = auditAfter.slice(auditBefore.length);
  expect(added).toHaveLength(1);
  expect(added[0]).toMatchObject({
    action: "SECURITY_SSO_LOGIN_FAILED",
    outcome: "failure",
    targetType: "identity_provider",
    targetId: "okta",
    ip: IP,
    actor: { type: "anonymous", id: null },
    after: reason === null ? { code } : { code, reason },
  });
  return error;
}

async function table(w: World, name: string): Promise<unknown[]> {
  return (await w.dump())[name] ?? [];
}

/** Conformance: SAML identity providers, SP-initiated and IdP-initiated login, JIT provisioning. */
export function ssoConformance(harness: ConformanceHarness): void {
  describe("SAML single sign-on", () => {
    describe("given an identity provider created from the IdP's metadata", () => {
      it("reads the entity id, the HTTP-Redirect endpoint and the signing certificate, and derives the SP URLs", async () => {
        const s = await setup(harness);
        const provider = await s.admin.identityProviders.get("acme", "okta");
        expect(provider).toMatchObject({
          id: "okta",
          organizationId: "acme",
          name: "Okta",
          enabled: true,
          entityId: s.idp.entityId,
          ssoUrl: s.idp.ssoUrl,
          domains: ["acme.test"],
          defaultRole: "org_user",
          required: false,
          allowIdpInitiated: false,
          clockSkewSeconds: 60,
          serviceProvider: {
            entityId: "https://app.example.test/sso/acme/okta/metadata",
            acsUrl: "https://app.example.test/sso/acme/okta/acs",
            metadataUrl: "https://app.example.test/sso/acme/okta/metadata",
          },
        });
        expect(provider.certificates).toHaveLength(1);
        expect(provider.certificates[0]!.pem.replace(/\s+/g, "")).toBe(
          s.idp.keys.certificate.replace(/\s+/g, ""),
        );
        expect(provider.certificates[0]!.sha256Fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
        expect(JSON.stringify(await s.w.dump())).not.toContain("PRIVATE KEY");
        const [created] = (await s.w.storage.audit.listForOrganization("acme", 100)).filter(
          (event) => event.action === "SECURITY_IDENTITY_PROVIDER_CREATE",
        );
        expect(created).toMatchObject({
          actor: { type: "user" },
          targetType: "identity_provider",
          targetId: "okta",
          after: { entityId: s.idp.entityId, certificates: [provider.certificates[0]!.sha256Fingerprint] },
        });
      });

      it("serves SP metadata naming the entity id and the ACS URL, the same at every request", async () => {
        const s = await setup(harness);
        const metadata = await s.w.orgkit.sso.metadata("acme", "okta");
        expect(metadata).toContain(`entityID="${s.sp.entityId}"`);
        expect(metadata).toContain(`Location="${s.sp.acsUrl}"`);
        expect(metadata).toContain("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
        expect(metadata).toContain('WantAssertionsSigned="true"');
        expect(await s.w.orgkit.sso.metadata("acme", "okta")).toBe(metadata);
      });
    });

    describe("given an SP-initiated login", () => {
      it("redirects to the IdP with an AuthnRequest whose id is recorded, and provisions the user just in time", async () => {
        const s = await setup(harness);
        const { redirectUrl, requestId, expiresAt } = await s.w.orgkit.sso.login("acme", "okta", {
          relayState: "/dashboard",
        });
        expect(expiresAt.getTime() - s.w.clock.now().getTime()).toBe(15 * MINUTE);
        const url = new URL(redirectUrl);
        expect(`${url.origin}${url.pathname}`).toBe(s.idp.ssoUrl);
        expect(url.searchParams.get("RelayState")).toBe("/dashboard");
        const request = inflateRawSync(
          Buffer.from(url.searchParams.get("SAMLRequest")!, "base64"),
        ).toString();
        expect(request).toContain(`ID="${requestId}"`);
        expect(request).toContain(`AssertionConsumerServiceURL="${s.sp.acsUrl}"`);
        expect(request).toContain(`>${s.sp.entityId}</saml:Issuer>`);
        expect(await table(s.w, "saml_requests")).toHaveLength(1);

        const result = await s.acs(
          s.response({
            inResponseTo: requestId,
            attributes: { displayName: "Bob Builder" },
          }),
          "/dashboard",
        );
        expect(result).toMatchObject({
          organizationId: "acme",
          created: true,
          relayState: "/dashboard",
          user: { email: "bob@acme.test", name: "Bob Builder", emailVerified: true, hasPassword: false },
        });
        const member = await s.admin.members.get("acme", result.user.id);
        expect(member.role).toBe("org_user");
        // The ACS signs the user in: a session acting in the organization, its token shown once.
        expect(result.token).toMatch(/^orgkit_ses_/);
        expect(await s.w.orgkit.auth.authenticate(result.token)).toMatchObject({
          actor: { userId: result.user.id, organizationId: "acme" },
          session: { id: result.session.id, organizationId: "acme", ip: IP },
        });
        expect(await table(s.w, "saml_requests")).toEqual([]);
        expect(await table(s.w, "external_identities")).toHaveLength(1);
        const actions = (await s.w.storage.audit.listForOrganization("acme", 100)).map((e) => e.action);
        expect(actions.slice(-2)).toEqual(["ORGANIZATION_MEMBER_ADD", "SECURITY_SSO_LOGIN"]);
        expect((await s.w.storage.audit.listForOrganization(null, 100)).at(-1)).toMatchObject({
          action: "USER_CREATE",
          targetId: result.user.id,
          actor: { type: "user", id: result.user.id },
        });

        // The same NameID again signs in the same user; nothing is provisioned twice.
        const again = await s.acs(s.response({ inResponseTo: await s.login() }));
        expect(again).toMatchObject({ created: false, relayState: null, organizationId: "acme" });
        expect(again.user.id).toBe(result.user.id);
        expect(await table(s.w, "external_identities")).toHaveLength(1);
        expect(await table(s.w, "users")).toHaveLength(2);
      });

      it("accepts a signed Response (assertion unsigned) and a doubly signed one", async () => {
        const s = await setup(harness);
        const one = await s.acs(s.response({ inResponseTo: await s.login(), sign: "response" }));
        expect(one.created).toBe(true);
        const two = await s.acs(s.response({ inResponseTo: await s.login(), sign: "both" }));
        expect(two.user.id).toBe(one.user.id);
      });

      it("redeems a request made on one host instance at another (no process memory)", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        const other = await s.w.another();
        const result = await other.sso.acs("acme", "okta", {
          SAMLResponse: s.response({ inResponseTo: requestId }),
        });
        expect(result.created).toBe(true);
      });

      it("lets exactly one of two concurrent deliveries of the same response sign in", async () => {
        const s = await setup(harness);
        const response = s.response({ inResponseTo: await s.login() });
        const other = await s.w.another();
        const results = await Promise.allSettled([
          s.acs(response),
          other.sso.acs("acme", "okta", { SAMLResponse: response }),
        ]);
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const [rejected] = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect((rejected!.reason as OrgKitError).code).toBe("SAML_RESPONSE_INVALID");
        expect(await table(s.w, "users")).toHaveLength(2);
        expect(await table(s.w, "external_identities")).toHaveLength(1);
      });

      it("returns the relay state recorded at login and refuses a different posted one", async () => {
        const s = await setup(harness);
        const requestId = await s.login("/reports");
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId }), "/evil"),
          "relaystate_mismatch",
        );
        const result = await s.acs(s.response({ inResponseTo: requestId }));
        expect(result.relayState).toBe("/reports");
        await expectOrgKitError(
          s.w.orgkit.sso.login("acme", "okta", { relayState: "x".repeat(81) }),
          "VALIDATION_FAILED",
          "relayState",
        );
      });
    });

    describe("when a response is forged, altered, replayed or misdirected", () => {
      it("refuses an unsigned response", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, sign: "none" })),
          "signature_invalid",
        );
      });

      it("refuses a response signed by another key, even with that key's certificate in KeyInfo", async () => {
        const s = await setup(harness);
        const attacker = createTestSigningKeys("attacker");
        const requestId = await s.login();
        const forged = s.xml({ inResponseTo: requestId, signWith: attacker });
        expect(forged).toContain("<ds:X509Certificate>");
        await expectRefused(s, () => s.acs(encodeSamlResponse(forged)), "signature_invalid");
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, signWith: attacker, sign: "response" })),
          "signature_invalid",
        );
      });

      it("refuses signature wrapping: an evil assertion before the signed one, or wrapping it", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        const genuine = s.xml({ inResponseTo: requestId, nameId: "bob@acme.test" });
        const evil = s.idp.assertionXml({
          now: s.w.clock.now(),
          audience: s.sp.entityId,
          acsUrl: s.sp.acsUrl,
          nameId: "alice@example.test",
          inResponseTo: requestId,
          assertionId: samlId(),
        });
        const signedStart = genuine.indexOf("<saml:Assertion");
        const signedEnd = genuine.indexOf("</saml:Assertion>") + "</saml:Assertion>".length;
        const signed = genuine.slice(signedStart, signedEnd);
        const before = genuine.slice(0, signedStart) + evil + genuine.slice(signedStart);
        await expectRefused(s, () => s.acs(encodeSamlResponse(before)), "assertion_count");
        const wrapping = evil.replace("</saml:Subject>", `</saml:Subject>${signed}`);
        const wrapped = genuine.slice(0, signedStart) + wrapping + genuine.slice(signedEnd);
        await expectRefused(s, () => s.acs(encodeSamlResponse(wrapped)), "signature_invalid");
        // The signed assertion hidden in Extensions, an unsigned copy with another NameID in its place.
        const hidden = genuine
          .slice(0, signedStart)
          .replace("<samlp:Status>", `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
        const moved = hidden + evil + genuine.slice(signedEnd);
        await expectRefused(s, () => s.acs(encodeSamlResponse(moved)), "signature_invalid");
      });

      it("refuses a NameID split by an XML comment, which leaves the signature valid", async () => {
        const s = await setup(harness);
        // Bob already signed in once: his identity exists.
        const bob = await s.acs(s.response({ inResponseTo: await s.login() }));
        const requestId = await s.login();
        // The IdP vouched for `bob@acme.test.evil.test`, an account the attacker holds there.
        const genuine = s.xml({ inResponseTo: requestId, nameId: "bob@acme.test.evil.test" });
        const split = genuine.replace("bob@acme.test.evil.test<", "bob@acme.test<!---->.evil.test<");
        expect(split).not.toBe(genuine);
        // The attack is real: exclusive c14n drops comments, so the signature still verifies...
        expect(verifySamlElement(split.slice(split.indexOf("<saml:Assertion")), s.idp.keys.certificate)).toBe(
          true,
        );
        // ...and node-saml alone reads the whole signed text, never the `bob@acme.test` prefix.
        const provider = await s.admin.identityProviders.get("acme", "okta");
        const { profile } = await samlClient({
          spEntityId: s.sp.entityId,
          acsUrl: s.sp.acsUrl,
          idpEntityId: s.idp.entityId,
          ssoUrl: s.idp.ssoUrl,
          certificates: provider.certificates.map((c) => c.pem),
          clockSkewMs: 60_000,
        }).validatePostResponseAsync({ SAMLResponse: encodeSamlResponse(split) });
        expect(profile?.nameID).toBe("bob@acme.test.evil.test");
        // orgkit refuses the altered document outright.
        await expectRefused(s, () => s.acs(encodeSamlResponse(split)), "xml_comment");
        expect(bob.created).toBe(true);
      });

      it("refuses an expired assertion (by orgkit's clock, past the skew) and one not yet valid", async () => {
        const s = await setup(harness);
        let requestId = await s.login();
        const response = s.response({ inResponseTo: requestId });
        // Valid 5 minutes; 5 min + 61 s later it is past NotOnOrAfter by more than the 60 s skew.
        s.w.clock.advance(5 * MINUTE + 61_000);
        requestId = await s.login();
        await expectRefused(s, () => s.acs(response), "expired");
        const late = new Date(s.w.clock.now().getTime() - 61_000);
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, notOnOrAfter: late })),
          "expired",
        );
        const early = new Date(s.w.clock.now().getTime() + 2 * MINUTE);
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, notBefore: early, issueInstant: early })),
          "not_yet_valid",
        );
        // Within the skew both ways, it is accepted.
        const result = await s.acs(
          s.response({
            inResponseTo: requestId,
            notOnOrAfter: new Date(s.w.clock.now().getTime() - 59_000),
            notBefore: new Date(s.w.clock.now().getTime() + 59_000),
            issueInstant: new Date(s.w.clock.now().getTime() + 59_000),
          }),
        );
        expect(result.created).toBe(true);
      });

      it("refuses a replayed response and a replayed assertion id", async () => {
        const s = await setup(harness, { allowIdpInitiated: true });
        const response = s.response({ inResponseTo: await s.login() });
        await s.acs(response);
        await expectRefused(s, () => s.acs(response), "inresponseto_unknown");
        const assertionId = samlId();
        const idpInitiated = s.response({ assertionId });
        await s.acs(idpInitiated);
        await expectRefused(s, () => s.acs(idpInitiated), "assertion_replayed");
        const sameAssertion = s.response({ assertionId, inResponseTo: await s.login() });
        await expectRefused(s, () => s.acs(sameAssertion), "assertion_replayed");
      });

      it("refuses a wrong audience, Recipient or Destination", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        const other = "https://app.example.test/sso/acme/other/metadata";
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, audience: other })),
          "audience_mismatch",
        );
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, audience: `${s.sp.entityId}/` })),
          "audience_mismatch",
        );
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, recipient: "https://evil.test/acs" })),
          "recipient_mismatch",
        );
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, destination: "https://evil.test/acs" })),
          "destination_mismatch",
        );
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, destination: null })),
          "destination_mismatch",
        );
      });

      it("refuses an unknown InResponseTo and one issued by another provider", async () => {
        const s = await setup(harness);
        await s.login();
        await expectRefused(s, () => s.acs(s.response({ inResponseTo: samlId() })), "inresponseto_unknown");
        await s.admin.identityProviders.create("acme", {
          id: "azure",
          name: "Azure",
          metadataXml: s.idp.metadataXml(),
        });
        const { requestId } = await s.w.orgkit.sso.login("acme", "azure");
        await expectRefused(s, () => s.acs(s.response({ inResponseTo: requestId })), "inresponseto_unknown");
      });

      it("refuses a request id once it expired", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        s.w.clock.advance(15 * MINUTE);
        await expectRefused(s, () => s.acs(s.response({ inResponseTo: requestId })), "inresponseto_unknown");
      });

      it("refuses an IdP-initiated response unless the provider allows it", async () => {
        const s = await setup(harness);
        await expectRefused(s, () => s.acs(s.response()), "idp_initiated_not_allowed");
        await s.admin.identityProviders.update("acme", "okta", { allowIdpInitiated: true });
        const result = await s.acs(s.response(), "/from-idp");
        expect(result).toMatchObject({ created: true, relayState: "/from-idp" });
        // An unsigned InResponseTo on the Response cannot make it look SP-initiated.
        const xml = s.xml().replace("<samlp:Response ", `<samlp:Response InResponseTo="${await s.login()}" `);
        await expectRefused(s, () => s.acs(encodeSamlResponse(xml)), "inresponseto_unsigned");
      });

      it("refuses a failed status, an unknown issuer and a transient NameID", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        await expectRefused(
          s,
          () =>
            s.acs(
              s.response({ inResponseTo: requestId, status: "urn:oasis:names:tc:SAML:2.0:status:Requester" }),
            ),
          "status_not_success",
        );
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, issuer: "https://evil.test/idp" })),
          "issuer_mismatch",
        );
        await expectRefused(
          s,
          () =>
            s.acs(
              s.response({
                inResponseTo: requestId,
                nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
              }),
            ),
          "nameid_transient",
        );
      });

      it("refuses, before any cryptography, a DOCTYPE, two roots, an oversized or non-base64 body and broken XML", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        const xml = s.xml({ inResponseTo: requestId });
        const doctype = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "bob@acme.test">]>${xml}`;
        await expectRefused(s, () => s.acs(encodeSamlResponse(doctype)), "xml_doctype");
        await expectRefused(s, () => s.acs(encodeSamlResponse(`${xml}${xml}`)), "xml_multiple_roots");
        await expectRefused(s, () => s.acs(encodeSamlResponse(`${xml}<extra/>`)), "xml_multiple_roots");
        await expectRefused(s, () => s.acs("A".repeat(256 * 1024 + 4)), "response_too_large");
        await expectRefused(s, () => s.acs("not base64!"), "response_not_base64");
        await expectRefused(s, () => s.acs(""), "response_missing");
        await expectRefused(
          s,
          () => s.acs(encodeSamlResponse(xml.replace("</samlp:Status>", ""))),
          "xml_malformed",
        );
        await expectRefused(s, () => s.acs(encodeSamlResponse("<html/>")), "response_root");
        await expectRefused(
          s,
          () => s.acs(encodeSamlResponse(`<?xml-stylesheet href="x"?>${xml}`)),
          "xml_processing_instruction",
        );
        // The request was never consumed by any of these.
        expect(await s.acs(s.response({ inResponseTo: requestId }))).toMatchObject({ created: true });
      });

      it("never writes the response, the assertion or a signature into the audit trail or any table", async () => {
        const s = await setup(harness);
        const good = s.response({ inResponseTo: await s.login() });
        await s.acs(good);
        const bad = s.response({ inResponseTo: await s.login(), audience: "https://evil.test" });
        await expectRefused(s, () => s.acs(bad), "audience_mismatch");
        const everything = JSON.stringify(await s.w.dump());
        for (const secret of [good, bad]) {
          expect(everything).not.toContain(secret.slice(0, 40));
          const xml = Buffer.from(secret, "base64").toString("utf8");
          const signatureValue = /<ds:SignatureValue>([^<]+)</.exec(xml)![1]!;
          expect(everything).not.toContain(signatureValue.slice(0, 40));
        }
        expect(everything).not.toContain("<saml:Assertion");
        expect(everything).not.toContain("SignatureValue");
        expect(everything).not.toContain("PRIVATE KEY");
      });
    });

    describe("when the provider or the account does not allow the sign-in", () => {
      it("refuses a disabled provider at login and at the ACS", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        await s.admin.identityProviders.update("acme", "okta", { enabled: false });
        await expectOrgKitError(s.w.orgkit.sso.login("acme", "okta"), "IDENTITY_PROVIDER_DISABLED");
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId })),
          null,
          "IDENTITY_PROVIDER_DISABLED",
        );
        await s.admin.identityProviders.update("acme", "okta", { enabled: true });
        expect((await s.acs(s.response({ inResponseTo: requestId }))).created).toBe(true);
      });

      it("never links an existing account whose domain is not declared; links a declared member's", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        const carol = await s.w.orgkit.users.register({ email: "carol@other.test", name: "Carol" });
        const error = await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, nameId: "carol@other.test" })),
          "existing_account_domain_not_declared",
          "CONFLICT",
          "email",
        );
        expect(error.message).not.toContain("carol");
        // A declared domain is not enough on its own: declaring proves no ownership, so only an
        // account that already belongs to the organization is linked.
        const dave = await s.w.orgkit.users.register({ email: "dave@acme.test", name: "Dave" });
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId, nameId: "dave@acme.test" })),
          "existing_account_not_member",
          "CONFLICT",
          "email",
        );
        const alice = (await s.w.orgkit.system().users.findByEmail("alice@example.test"))!;
        await s.w.join("acme", alice, dave, "org_contributor");
        const linked = await s.acs(s.response({ inResponseTo: requestId, nameId: "dave@acme.test" }));
        expect(linked).toMatchObject({ created: false, user: { id: dave.id } });
        expect((await s.admin.members.get("acme", dave.id)).role).toBe("org_contributor");
        // From now on the identity, not the email, finds Dave.
        expect(
          await s.acs(s.response({ inResponseTo: await s.login(), nameId: "dave@acme.test" })),
        ).toMatchObject({ user: { id: dave.id } });
        expect(carol.id).not.toBe(dave.id);
      });

      it("counts a just-in-time membership against the one-organization rule", async () => {
        const s = await setup(harness);
        const bob = await s.acs(s.response({ inResponseTo: await s.login() }));
        await s.w.orgkit.as({ userId: bob.user.id }).organizations.leave("acme");
        await s.w.orgkit
          .as({ userId: bob.user.id })
          .organizations.create({ id: "bobs", name: "Bob's", billingEmail: "bob@acme.test" });
        const requestId = await s.login();
        await expectRefused(
          s,
          () => s.acs(s.response({ inResponseTo: requestId })),
          null,
          "ALREADY_IN_ORGANIZATION",
        );
        await s.w.orgkit.as({ userId: bob.user.id }).organizations.delete("bobs");
        const back = await s.acs(s.response({ inResponseTo: requestId }));
        expect(back).toMatchObject({ created: false, user: { id: bob.user.id } });
      });

      it("refuses a response without any email when the identity is new", async () => {
        const s = await setup(harness);
        const requestId = await s.login();
        await expectRefused(
          s,
          () =>
            s.acs(
              s.response({
                inResponseTo: requestId,
                nameId: "00u1abcd",
                nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
              }),
            ),
          "email_missing",
        );
        const result = await s.acs(
          s.response({
            inResponseTo: requestId,
            nameId: "00u1abcd",
            nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            attributes: { email: "Erin@Acme.test", givenName: "Erin", sn: "Lee" },
          }),
        );
        expect(result).toMatchObject({ created: true, user: { email: "erin@acme.test", name: "Erin Lee" } });
      });
    });

    describe("identity providers as an admin sees them", () => {
      it("answers NOT_FOUND for another organization's provider exactly like a missing one", async () => {
        const s = await setup(harness);
        const gina = await s.w.user("Gina");
        await s.w.organization(gina, "globex", "Globex");
        const asGina = s.w.orgkit.as({ userId: gina.id });
        const foreign = await expectOrgKitError(asGina.identityProviders.get("globex", "okta"), "NOT_FOUND");
        const missing = await expectOrgKitError(asGina.identityProviders.get("globex", "nope"), "NOT_FOUND");
        expect(foreign.toJSON()).toEqual(missing.toJSON());
        expect(foreign.param).toBe("identityProviderId");
        await expectFailsCleanly(s.w, () => asGina.identityProviders.delete("globex", "okta"), "NOT_FOUND");
        await expectFailsCleanly(
          s.w,
          () => asGina.identityProviders.update("globex", "okta", { enabled: false }),
          "NOT_FOUND",
        );
        await expectOrgKitError(asGina.identityProviders.get("acme", "okta"), "NOT_FOUND", "organizationId");
        for (const [org, idp] of [
          ["globex", "okta"],
          ["nope", "okta"],
          ["acme", "nope"],
        ] as const) {
          const login = await expectOrgKitError(s.w.orgkit.sso.login(org, idp), "NOT_FOUND");
          const acs = await expectOrgKitError(
            s.w.orgkit.sso.acs(org, idp, { SAMLResponse: s.response() }),
            "NOT_FOUND",
          );
          const metadata = await expectOrgKitError(s.w.orgkit.sso.metadata(org, idp), "NOT_FOUND");
          for (const error of [login, acs, metadata]) expect(error.toJSON()).toEqual(missing.toJSON());
        }
      });

      it("lets only admins create, read, update and delete providers", async () => {
        const s = await setup(harness);
        const alice = (await s.w.orgkit.system().users.findByEmail("alice@example.test"))!;
        const bob = await s.w.user("Bob");
        await s.w.join("acme", alice, bob, "org_contributor");
        const asBob = s.w.orgkit.as({ userId: bob.id });
        await expectFailsCleanly(
          s.w,
          () =>
            asBob.identityProviders.create("acme", {
              id: "mine",
              name: "Mine",
              metadataXml: s.idp.metadataXml(),
            }),
          "FORBIDDEN",
        );
        await expectOrgKitError(asBob.identityProviders.get("acme", "okta"), "FORBIDDEN");
        await expectOrgKitError(asBob.identityProviders.list("acme"), "FORBIDDEN");
        await expectFailsCleanly(s.w, () => asBob.identityProviders.delete("acme", "okta"), "FORBIDDEN");
        const stranger = await s.w.user("Sam");
        await expectFailsCleanly(
          s.w,
          () =>
            s.w.orgkit
              .as({ userId: stranger.id })
              .identityProviders.create("acme", { id: "x1", name: "X", metadataXml: s.idp.metadataXml() }),
          "NOT_FOUND",
        );
      });

      it("creates from fields, lists a page at a time, updates and deletes, auditing each change", async () => {
        const s = await setup(harness);
        const keys = createTestSigningKeys("second-idp");
        const created = await s.admin.identityProviders.create("acme", {
          id: "azure",
          name: "Azure AD",
          entityId: "https://sts.windows.example/tenant/",
          ssoUrl: "https://login.example/tenant/saml2",
          certificates: [keys.certificate],
          domains: ["Corp.Acme.Test "],
          defaultRole: "admin",
          required: true,
          clockSkewSeconds: 0,
        });
        expect(created).toMatchObject({
          domains: ["corp.acme.test"],
          defaultRole: "admin",
          required: true,
          clockSkewSeconds: 0,
          allowIdpInitiated: false,
        });
        await s.admin.identityProviders.create("acme", {
          id: "zz-last",
          name: "Last",
          metadataXml: s.idp.metadataXml(),
        });
        const first = await s.admin.identityProviders.list("acme", { limit: 2 });
        expect(first.items.map((p) => p.id)).toEqual(["azure", "okta"]);
        const second = await s.admin.identityProviders.list("acme", { limit: 2, cursor: first.nextCursor! });
        expect(second).toMatchObject({ items: [{ id: "zz-last" }], nextCursor: null });
        await expectOrgKitError(
          s.admin.identityProviders.list("acme", { cursor: "bm9wZQ" }),
          "INVALID_CURSOR",
          "cursor",
        );

        const updated = await s.admin.identityProviders.update("acme", "azure", {
          name: "Entra ID",
          domains: ["acme.example", "corp.acme.test"],
          required: false,
        });
        expect(updated).toMatchObject({ name: "Entra ID", domains: ["acme.example", "corp.acme.test"] });
        const audit = await s.w.storage.audit.listForOrganization("acme", 100);
        expect(audit.at(-1)).toMatchObject({
          action: "SECURITY_IDENTITY_PROVIDER_UPDATE",
          targetId: "azure",
          before: { name: "Azure AD", domains: ["corp.acme.test"], required: true },
          after: { name: "Entra ID", domains: ["acme.example", "corp.acme.test"], required: false },
        });
        await s.admin.identityProviders.delete("acme", "azure");
        await expectOrgKitError(s.admin.identityProviders.get("acme", "azure"), "NOT_FOUND");
        expect((await s.w.storage.audit.listForOrganization("acme", 100)).at(-1)).toMatchObject({
          action: "SECURITY_IDENTITY_PROVIDER_DELETE",
          targetId: "azure",
          before: { name: "Entra ID" },
        });
        // The freed domains can be declared again.
        await s.admin.identityProviders.update("acme", "okta", { domains: ["acme.test", "acme.example"] });
      });

      it("refuses bad input with the offending field, writing nothing", async () => {
        const s = await setup(harness);
        const base = {
          id: "other",
          name: "Other",
          entityId: "urn:other",
          ssoUrl: "https://idp.other.test/sso",
        };
        const create = (input: Partial<CreateIdentityProviderInput>) => () =>
          s.admin.identityProviders.create("acme", {
            ...base,
            certificates: [s.idp.keys.certificate],
            ...input,
          });
        const cases: [Partial<CreateIdentityProviderInput>, ErrorCode, string][] = [
          [
            { certificates: ["-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"] },
            "VALIDATION_FAILED",
            "certificates.0",
          ],
          [{ certificates: [s.idp.keys.certificate, "garbage"] }, "VALIDATION_FAILED", "certificates.1"],
          [{ certificates: [] }, "VALIDATION_FAILED", "certificates"],
          [{ ssoUrl: "not a url" }, "VALIDATION_FAILED", "ssoUrl"],
          [{ ssoUrl: "http://idp.other.test/sso" }, "VALIDATION_FAILED", "ssoUrl"],
          [{ ssoUrl: "javascript:alert(1)" }, "VALIDATION_FAILED", "ssoUrl"],
          [{ entityId: "has spaces" }, "VALIDATION_FAILED", "entityId"],
          [{ id: "Not Safe" }, "VALIDATION_FAILED", "id"],
          [{ id: "okta" }, "CONFLICT", "id"],
          [{ domains: ["acme.test"] }, "CONFLICT", "domains"],
          [{ domains: ["x.test", "X.test"] }, "VALIDATION_FAILED", "domains.1"],
          [{ domains: ["not a domain"] }, "VALIDATION_FAILED", "domains.0"],
          [{ domains: ["@acme.test"] }, "VALIDATION_FAILED", "domains.0"],
          [{ clockSkewSeconds: 301 }, "VALIDATION_FAILED", "clockSkewSeconds"],
          [{ clockSkewSeconds: -1 }, "VALIDATION_FAILED", "clockSkewSeconds"],
          [{ defaultRole: "owner" as never }, "VALIDATION_FAILED", "defaultRole"],
          [{ metadataXml: s.idp.metadataXml() }, "VALIDATION_FAILED", "entityId"],
        ];
        for (const [input, code, param] of cases) await expectFailsCleanly(s.w, create(input), code, param);
        await expectFailsCleanly(
          s.w,
          () => s.admin.identityProviders.create("acme", { ...base, id: "x2" }),
          "VALIDATION_FAILED",
          "certificates",
        );
        await expectFailsCleanly(
          s.w,
          () => s.admin.identityProviders.update("acme", "okta", { clockSkewSeconds: 1000 }),
          "VALIDATION_FAILED",
          "clockSkewSeconds",
        );
      });

      it("never accepts or echoes a private key pasted as a certificate", async () => {
        const s = await setup(harness);
        const key = s.idp.keys.privateKey;
        const error = await expectFailsCleanly(
          s.w,
          () =>
            s.admin.identityProviders.create("acme", {
              id: "leaky",
              name: "Leaky",
              entityId: "urn:leaky",
              ssoUrl: "https://idp.leaky.test/sso",
              certificates: [`${s.idp.keys.certificate}\n${key}`],
            }),
          "VALIDATION_FAILED",
          "certificates.0",
        );
        expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
          key.split("\n")[1]!,
        );
        expect(error.message).toContain("private key");
      });

      it("refuses metadata it cannot read, naming metadataXml", async () => {
        const s = await setup(harness);
        const create = (metadataXml: string) => () =>
          s.admin.identityProviders.create("acme", { id: "meta", name: "Meta", metadataXml });
        const good = s.idp.metadataXml();
        for (const metadataXml of [
          "<nope",
          "<html/>",
          `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${good}`,
          good.replace(
            /<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"[^>]*\/>/,
            "",
          ),
          good.replace(
            /<ds:X509Certificate>[^<]*<\/ds:X509Certificate>/,
            "<ds:X509Certificate>AAAA</ds:X509Certificate>",
          ),
          good.replaceAll(s.idp.ssoUrl, "http://insecure.test/sso"),
        ]) {
          await expectFailsCleanly(s.w, create(metadataXml), "VALIDATION_FAILED", "metadataXml");
        }
      });
    });

    describe("SSO required for a domain", () => {
      it("names the organization and provider that require SSO, only while enabled and required", async () => {
        const s = await setup(harness);
        const store = s.w.storage.identityProviders;
        expect(await store.findRequiredForEmailDomain("acme.test")).toBeNull();
        await s.admin.identityProviders.update("acme", "okta", { required: true });
        expect(await store.findRequiredForEmailDomain("acme.test")).toEqual({
          organizationId: "acme",
          identityProviderId: "okta",
        });
        expect(await store.findRequiredForEmailDomain("other.test")).toBeNull();
        const bob = await s.acs(s.response({ inResponseTo: await s.login() }));
        const bobKey = (await s.w.storage.users.getById(bob.user.id))!.key;
        expect(await store.findRequiredForUser(bobKey, "acme.test")).toEqual({
          organizationId: "acme",
          identityProviderId: "okta",
        });
        const outsider = await s.w.user("Olga");
        const outsiderKey = (await s.w.storage.users.getById(outsider.id))!.key;
        expect(await store.findRequiredForUser(outsiderKey, "acme.test")).toBeNull();
        await s.admin.identityProviders.update("acme", "okta", { enabled: false });
        expect(await store.findRequiredForEmailDomain("acme.test")).toBeNull();
      });

      it("answers SSO_REQUIRED to a member's password sign-in, and to nobody outside the organization", async () => {
        const s = await setup(harness);
        const password = "correct horse battery staple";
        const carol = await s.w.orgkit.users.register({ email: "carol@acme.test", name: "Carol", password });
        await s.w.join("acme", await s.w.orgkit.as({ userId: "alice" }).users.me(), carol, "org_user");
        const outsider = await s.w.orgkit.users.register({ email: "olga@acme.test", name: "Olga", password });
        await s.w.orgkit.auth.signIn({ email: carol.email, password });
        await s.admin.identityProviders.update("acme", "okta", { required: true });
        const error = await expectOrgKitError(
          s.w.orgkit.auth.signIn({ email: carol.email, password }),
          "SSO_REQUIRED",
        );
        expect(error.status).toBe(403);
        // A wrong password answers as for an email without an account: SSO_REQUIRED would tell.
        await expectOrgKitError(
          s.w.orgkit.auth.signIn({ email: carol.email, password: "not the password at all" }),
          "INVALID_CREDENTIALS",
        );
        await expectOrgKitError(
          s.w.orgkit.auth.signIn({ email: "nobody@acme.test", password: "not the password at all" }),
          "INVALID_CREDENTIALS",
        );
        await s.w.orgkit.auth.signIn({ email: outsider.email, password });
        await s.admin.identityProviders.update("acme", "okta", { required: false });
        await s.w.orgkit.auth.signIn({ email: carol.email, password });
      });

      it("rate-limits SAML logins per source address", async () => {
        const s = await setup(harness);
        for (let i = 0; i < 60; i++) await s.w.orgkit.sso.login("acme", "okta", {}, { ip: "198.51.100.9" });
        const limited = await expectOrgKitError(
          s.w.orgkit.sso.login("acme", "okta", {}, { ip: "198.51.100.9" }),
          "RATE_LIMITED",
        );
        expect(limited.details?.retryAfterSeconds).toBeGreaterThan(0);
        await s.w.orgkit.sso.login("acme", "okta", {}, { ip: "198.51.100.10" });
      });
    });

    describe("when the organization is deleted", () => {
      it("deletes its providers, domains, pending requests, replay cache and identities, never its users' accounts", async () => {
        const s = await setup(harness);
        const bob = await s.acs(s.response({ inResponseTo: await s.login() }));
        await s.login();
        await s.admin.organizations.delete("acme");
        const dump = await s.w.dump();
        for (const name of [
          "identity_providers",
          "identity_provider_domains",
          "saml_requests",
          "saml_assertions",
          "external_identities",
        ]) {
          expect(dump[name], name).toEqual([]);
        }
        expect(await s.w.storage.users.getById(bob.user.id)).not.toBeNull();
      });
    });
  });
}
