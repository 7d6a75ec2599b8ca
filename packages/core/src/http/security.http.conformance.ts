/** HTTP behaviour of the security, identity provider and SAML endpoints beyond the generic tests. */
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createOrgKitClient } from "../client/index.js";
import { ERROR_CODES } from "../errors.js";
import { PasswordLockoutSchema, PasswordPolicySchema } from "../security/password-policy.js";
import type { ConformanceHarness } from "../testing/harness.js";
import { encodeSamlResponse } from "../testing/saml-idp.js";
import { PasswordPolicyPatchSchema, PasswordPolicyResponseSchema } from "./contracts/security.js";
import { exampleIdp } from "./examples/security.js";
import { localPath } from "./handlers/security.js";
import {
  createHttpFixture,
  FIXTURE_BASE_PATH,
  FIXTURE_ORIGIN,
  FIXTURE_PASSWORD,
  type HttpFixture,
  type HttpResult,
} from "./http-fixture.js";

const IDP_ORIGIN = "https://idp.example.test";

/** The JSON Schema of a field without the annotations that differ by design (defaults). */
function shapeOf(schema: z.ZodType): unknown {
  const { default: _default, ...rest } = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  return rest;
}

/** The request id inside the `SAMLRequest` of an HTTP-Redirect URL. */
function requestIdOf(location: string): string {
  const xml = inflateRawSync(
    Buffer.from(new URL(location).searchParams.get("SAMLRequest")!, "base64"),
  ).toString();
  return /ID="([^"]+)"/.exec(xml)![1]!;
}

/** Registers the security HTTP tests on one engine. */
export function securityHttpConformance(harness: ConformanceHarness): void {
  describe("security over HTTP", () => {
    let fx: HttpFixture;
    beforeAll(async () => {
      fx = await createHttpFixture(harness);
    });
    afterAll(async () => {
      await fx?.close();
    });

    /** POSTs the IdP's form to the ACS URL, as a browser does from the IdP's page. */
    const postAcs = (orgId: string, idpId: string, form: Record<string, string>): Promise<HttpResult> =>
      fx.send("POST", `/sso/${orgId}/${idpId}/acs`, {
        rawBody: new URLSearchParams(form).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", origin: IDP_ORIGIN },
      });

    /** Creates an identity provider over HTTP on organization A. */
    const createProvider = async (body: Record<string, unknown> = {}) => {
      const created = await fx.send("POST", `/orgs/${fx.a.org.id}/security/identity-providers`, {
        as: fx.a.adminCookie,
        body: {
          id: fx.unique("okta"),
          name: "Okta",
          metadataXml: exampleIdp().metadataXml(),
          defaultRole: "org_user",
          ...body,
        },
      });
      expect(created.status).toBe(201);
      return created.body as {
        id: string;
        serviceProvider: { entityId: string; acsUrl: string; metadataUrl: string };
      };
    };

    describe("given a SAML identity provider", () => {
      it("completes a signed SP-initiated login: cookie set, redirected to the return path, /me answers the user", async () => {
        const provider = await createProvider();
        const base = `/sso/${fx.a.org.id}/${provider.id}`;

        const metadata = await fx.send("GET", `${base}/metadata`);
        expect(metadata.status).toBe(200);
        expect(metadata.headers.get("content-type")).toMatch(/^application\/samlmetadata\+xml/);
        expect(metadata.text).toContain(`entityID="${provider.serviceProvider.entityId}"`);
        expect(metadata.text).toContain(`Location="${provider.serviceProvider.acsUrl}"`);

        const login = await fx.send("GET", `${base}/login`, { query: { returnTo: "/dashboard?tab=2" } });
        expect(login.status).toBe(302);
        const location = login.headers.get("location")!;
        expect(`${new URL(location).origin}${new URL(location).pathname}`).toBe(exampleIdp().ssoUrl);
        expect(new URL(location).searchParams.get("RelayState")).toBe("/dashboard?tab=2");
        expect(login.headers.get("set-cookie")).toBeNull();

        const email = `${fx.unique("sam")}@example.test`;
        const SAMLResponse = exampleIdp().response({
          now: fx.clock.now(),
          audience: provider.serviceProvider.entityId,
          acsUrl: provider.serviceProvider.acsUrl,
          nameId: email,
          inResponseTo: requestIdOf(location),
          attributes: { displayName: "Sam Single" },
        });
        const acs = await postAcs(fx.a.org.id, provider.id, { SAMLResponse, RelayState: "/dashboard?tab=2" });
        expect({ status: acs.status, body: acs.body }).toEqual({ status: 303, body: undefined });
        expect(acs.headers.get("location")).toBe("/dashboard?tab=2");
        const setCookie = acs.headers.get("set-cookie") ?? "";
        expect(setCookie).toMatch(/^orgkit_session=[^;]+;/);
        expect(setCookie).toContain("HttpOnly");
        expect(setCookie).toContain("SameSite=Lax");
        expect(setCookie).toMatch(/Max-Age=[1-9]\d*/);

        const cookie = setCookie.split(";")[0]!;
        const me = await fx.send("GET", "/me", { as: { cookie } });
        expect(me.status).toBe(200);
        expect(me.body).toMatchObject({ email, name: "Sam Single" });
        const session = await fx.send("GET", "/sessions/current", { as: { cookie } });
        expect(session.body.organizationId).toBe(fx.a.org.id);
        const member = await fx.send("GET", `/orgs/${fx.a.org.id}/members/${me.body.id}`, {
          as: fx.a.adminCookie,
        });
        expect(member.body).toMatchObject({ email, role: "org_user" });

        // The same response again is a replay.
        const replay = await postAcs(fx.a.org.id, provider.id, {
          SAMLResponse,
          RelayState: "/dashboard?tab=2",
        });
        expect(replay.status).toBe(401);
        expect(replay.headers.get("set-cookie")).toBeNull();
      });

      it("answers a tampered response 401 SAML_RESPONSE_INVALID, without the reason and without a cookie", async () => {
        const provider = await createProvider();
        const login = await fx.send("GET", `/sso/${fx.a.org.id}/${provider.id}/login`);
        const email = `${fx.unique("mallory")}@example.test`;
        const genuine = exampleIdp().responseXml({
          now: fx.clock.now(),
          audience: provider.serviceProvider.entityId,
          acsUrl: provider.serviceProvider.acsUrl,
          nameId: email,
          inResponseTo: requestIdOf(login.headers.get("location")!),
        });
        const tampered = genuine.replace(email, fx.a.admin.email);
        expect(tampered).not.toBe(genuine);
        const result = await postAcs(fx.a.org.id, provider.id, {
          SAMLResponse: encodeSamlResponse(tampered),
        });
        expect(result.status).toBe(401);
        expect(result.body).toEqual({
          code: "SAML_RESPONSE_INVALID",
          message: ERROR_CODES.SAML_RESPONSE_INVALID.message,
        });
        expect(result.headers.get("set-cookie")).toBeNull();
        expect(result.headers.get("location")).toBeNull();
      });

      it("never redirects an IdP-initiated login off the site, whatever RelayState the IdP posts", async () => {
        const provider = await createProvider({ allowIdpInitiated: true });
        for (const [relayState, expected] of [
          ["//evil.test/steal", "/"],
          ["https://evil.test/", "/"],
          ["/\\evil.test", "/"],
          ["/.//evil.test", "/"],
          ["/..//evil.test/x", "/"],
          ["/%2e//evil.test", "/"],
          ["/settings", "/settings"],
        ] as const) {
          const SAMLResponse = exampleIdp().response({
            now: fx.clock.now(),
            audience: provider.serviceProvider.entityId,
            acsUrl: provider.serviceProvider.acsUrl,
            nameId: `${fx.unique("idpinit")}@example.test`,
          });
          const result = await postAcs(fx.a.org.id, provider.id, { SAMLResponse, RelayState: relayState });
          expect({ relayState, status: result.status, location: result.headers.get("location") }).toEqual({
            relayState,
            status: 303,
            location: expected,
          });
        }
      });

      it("refuses a return path off the site at login with 400, and answers 403 for a disabled provider", async () => {
        const provider = await createProvider();
        const base = `/sso/${fx.a.org.id}/${provider.id}`;
        for (const returnTo of [
          "https://evil.test/",
          "//evil.test",
          "dashboard",
          "/.//evil.test",
          "/..//evil.test",
          "/%2e//evil.test",
        ]) {
          const result = await fx.send("GET", `${base}/login`, { query: { returnTo } });
          expect({ returnTo, status: result.status, body: result.body }).toMatchObject({
            returnTo,
            status: 400,
            body: { code: "VALIDATION_FAILED", param: "returnTo" },
          });
        }
        const disabled = await fx.send(
          "PATCH",
          `/orgs/${fx.a.org.id}/security/identity-providers/${provider.id}`,
          {
            as: fx.a.adminCookie,
            body: { enabled: false },
          },
        );
        expect(disabled.body.enabled).toBe(false);
        const login = await fx.send("GET", `${base}/login`);
        expect(login.status).toBe(403);
        expect(login.body).toMatchObject({ code: "IDENTITY_PROVIDER_DISABLED" });
      });

      it("answers an unknown provider and another organization's provider alike, with 404", async () => {
        const provider = await createProvider();
        const foreign = await fx.send("GET", `/sso/${fx.b.org.id}/${provider.id}/metadata`);
        const missing = await fx.send("GET", `/sso/${fx.a.org.id}/no-such-idp/metadata`);
        expect(foreign.status).toBe(404);
        expect(foreign.text).toBe(missing.text);
      });
    });

    describe("given identity providers managed over HTTP", () => {
      it("never lets a private key in or out", async () => {
        const idp = exampleIdp();
        const refused = await fx.send("POST", `/orgs/${fx.a.org.id}/security/identity-providers`, {
          as: fx.a.adminCookie,
          body: {
            id: fx.unique("leaky"),
            name: "Leaky",
            entityId: idp.entityId,
            ssoUrl: idp.ssoUrl,
            certificates: [idp.keys.privateKey],
          },
        });
        expect(refused.status).toBe(400);
        expect(refused.body).toMatchObject({ code: "VALIDATION_FAILED", param: "certificates.0" });
        expect(refused.text).not.toContain("PRIVATE KEY");

        await createProvider();
        const listed = await fx.send("GET", `/orgs/${fx.a.org.id}/security/identity-providers`, {
          as: fx.a.adminCookie,
          query: { limit: "100" },
        });
        expect(listed.status).toBe(200);
        expect(listed.body.items.length).toBeGreaterThan(0);
        expect(listed.text).not.toContain("PRIVATE KEY");
        expect(listed.text).not.toContain(idp.keys.privateKey.split("\n")[1]);
      });

      it("answers 403 to a plain member reading or changing them", async () => {
        const provider = await createProvider();
        const base = `/orgs/${fx.a.org.id}/security/identity-providers`;
        const results = await Promise.all([
          fx.send("GET", base, { as: fx.a.memberCookie }),
          fx.send("GET", `${base}/${provider.id}`, { as: fx.a.memberCookie }),
          fx.send("PATCH", `${base}/${provider.id}`, { as: fx.a.memberCookie, body: { required: true } }),
          fx.send("DELETE", `${base}/${provider.id}`, { as: fx.a.memberCookie }),
        ]);
        expect(results.map((r) => [r.status, r.body?.code])).toEqual(
          Array.from({ length: 4 }, () => [403, "FORBIDDEN"]),
        );
      });
    });

    describe("given password and token policies set over HTTP", () => {
      it("declares exactly the password policy's fields and ranges (the contract cannot import its schema)", () => {
        const policy = PasswordPolicySchema.parse({});
        expect(PasswordPolicyResponseSchema.parse(policy)).toEqual(policy);
        const declared = PasswordPolicyPatchSchema.shape;
        const service = (PasswordPolicySchema as unknown as z.ZodObject).shape;
        expect(Object.keys(declared).sort()).toEqual(Object.keys(service).sort());
        for (const key of Object.keys(service).filter((k) => k !== "lockout")) {
          expect({ key, schema: shapeOf(declared[key as keyof typeof declared]) }).toEqual({
            key,
            schema: shapeOf((service[key] as z.ZodType).optional()),
          });
        }
        const lockout = PasswordLockoutSchema.shape;
        const declaredLockout = PasswordPolicyResponseSchema.shape.lockout.shape;
        expect(Object.keys(declaredLockout).sort()).toEqual(Object.keys(lockout).sort());
        for (const key of Object.keys(lockout) as (keyof typeof lockout)[]) {
          expect({ key, schema: shapeOf(declaredLockout[key]) }).toEqual({
            key,
            schema: shapeOf(lockout[key]),
          });
        }
      });

      it("changes only the fields sent, and refuses a member's new password that breaks it with 400 PASSWORD_POLICY_VIOLATION", async () => {
        const path = `/orgs/${fx.a.org.id}/security/password-policy`;
        const before = await fx.send("GET", path, { as: fx.a.adminCookie });
        expect(before.body).toMatchObject({
          minLength: 15,
          requireNumeric: false,
          lockout: { maxAttempts: 5 },
        });
        const updated = await fx.send("PUT", path, {
          as: fx.a.adminCookie,
          body: { requireNumeric: true, minLength: 20, lockout: { maxAttempts: 7 } },
        });
        expect(updated.status).toBe(200);
        expect(updated.body).toEqual({
          ...before.body,
          requireNumeric: true,
          minLength: 20,
          lockout: { ...before.body.lockout, maxAttempts: 7 },
        });
        expect((await fx.send("GET", path, { as: fx.a.memberCookie })).status).toBe(403);

        // A member of their own: changing a password ends the member's other sessions.
        const joiner = await fx.user("Joiner");
        const { token } = await fx.a.adminServices.invitations.create(fx.a.org.id, {
          email: joiner.email,
          role: "org_user",
        });
        await fx.orgkit.as({ userId: joiner.id }).invitations.accept(token);
        const cookie = await fx.signIn(joiner);
        const refused = await fx.send("PUT", "/me/password", {
          as: cookie,
          body: { currentPassword: FIXTURE_PASSWORD, newPassword: "only letters in this passphrase" },
        });
        expect(refused.status).toBe(400);
        expect(refused.body).toMatchObject({ code: "PASSWORD_POLICY_VIOLATION", param: "newPassword" });
        // Each broken rule, for a strength meter; and the client carries them.
        expect(refused.body.violations).toEqual([expect.objectContaining({ code: "MISSING_NUMERIC" })]);
        const viaClient = await createOrgKitClient({
          baseUrl: `${FIXTURE_ORIGIN}${FIXTURE_BASE_PATH}`,
          fetch: async (input, init) => {
            const request = new Request(input as string, init);
            request.headers.set("cookie", (cookie as { cookie: string }).cookie);
            request.headers.set("origin", FIXTURE_ORIGIN);
            return fx.handler(request);
          },
        })
          .me.changePassword({
            body: { currentPassword: FIXTURE_PASSWORD, newPassword: "only letters in this passphrase" },
          })
          .catch((e: unknown) => e);
        expect(viaClient).toMatchObject({
          code: "PASSWORD_POLICY_VIOLATION",
          violations: [expect.objectContaining({ code: "MISSING_NUMERIC" })],
        });
        const accepted = await fx.send("PUT", "/me/password", {
          as: cookie,
          body: { currentPassword: FIXTURE_PASSWORD, newPassword: "letters and 1 digit in this passphrase" },
        });
        expect(accepted.status).toBe(204);
      });

      it("refuses an out-of-range or unknown field with 400 and changes nothing", async () => {
        const path = `/orgs/${fx.b.org.id}/security/password-policy`;
        const before = await fx.send("GET", path, { as: fx.b.adminCookie });
        for (const body of [
          { minLength: 7 },
          { maxLength: 63 },
          { lockout: { maxAttempts: 1 } },
          { shout: true },
        ]) {
          const result = await fx.send("PUT", path, { as: fx.b.adminCookie, body });
          expect({ body, status: result.status, code: result.body.code }).toEqual({
            body,
            status: 400,
            code: "VALIDATION_FAILED",
          });
        }
        expect((await fx.send("GET", path, { as: fx.b.adminCookie })).body).toEqual(before.body);
      });

      it("caps the lifetime of members' new tokens once a token policy says so", async () => {
        const path = `/orgs/${fx.b.org.id}/security/token-policy`;
        const updated = await fx.send("PUT", path, { as: fx.b.adminCookie, body: { maxLifetimeDays: 7 } });
        expect(updated.body).toEqual({ requireExpiry: false, maxLifetimeDays: 7 });
        const tooLong = await fx.send("POST", "/me/tokens", {
          as: fx.b.memberCookie,
          body: { name: "ci", scopes: ["members:get"], expiresInDays: 30 },
        });
        expect(tooLong.status).toBe(403);
        expect(tooLong.body).toMatchObject({ code: "TOKEN_POLICY_VIOLATION" });
        const fine = await fx.send("POST", "/me/tokens", {
          as: fx.b.memberCookie,
          body: { name: "ci", scopes: ["members:get"], expiresInDays: 7 },
        });
        expect(fine.status).toBe(201);
      });
    });

    describe("return paths", () => {
      it("keeps paths on the site and refuses everything else", () => {
        expect(localPath("/a/b?c=1#d")).toBe("/a/b?c=1#d");
        for (const bad of [
          null,
          undefined,
          "",
          "a",
          "//x.test",
          "/\\x.test",
          "https://x.test",
          "/a\nb",
          "/a\tb",
          // Dot segments that resolve to a protocol-relative `//evil.test`.
          "/.//evil.test",
          "/..//evil.test",
          "/a/../..//evil.test",
          "/%2e//evil.test",
          "/%2E%2E//evil.test",
        ]) {
          expect(localPath(bad)).toBeNull();
        }
        // Dot segments that stay on the site are resolved, not refused.
        expect(localPath("/a/./b/../c")).toBe("/a/c");
      });
    });
  });

  describe("security over HTTP with rate limits on", () => {
    let fx: HttpFixture;
    beforeAll(async () => {
      fx = await createHttpFixture(harness, {
        // `undefined`, not absent: the fixture turns the limiter off unless told otherwise.
        rateLimiter: undefined,
        rateLimits: {
          invitation: {
            perAccount: { limit: 3, windowSeconds: 3600 },
            perOrganization: { limit: 100, windowSeconds: 3600 },
          },
          samlLogin: {
            perOrganization: { limit: 100, windowSeconds: 300 },
            perAddress: { limit: 2, windowSeconds: 300 },
          },
        },
      });
    });
    afterAll(async () => {
      await fx?.close();
    });

    it("answers 429 RATE_LIMITED with Retry-After once an admin has sent too many invitations", async () => {
      const statuses: number[] = [];
      let limited: HttpResult | undefined;
      for (let i = 0; i < 5 && limited === undefined; i++) {
        const result = await fx.send("POST", `/orgs/${fx.a.org.id}/invitations`, {
          as: fx.a.adminCookie,
          body: { email: `${fx.unique("many")}@example.test`, role: "org_user" },
        });
        statuses.push(result.status);
        if (result.status === 429) limited = result;
      }
      // The fixture's own invitation of its member counts too.
      expect(statuses).toEqual([201, 201, 429]);
      expect(limited!.body).toMatchObject({ code: "RATE_LIMITED" });
      const retryAfter = Number(limited!.headers.get("retry-after"));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      // Another organization's admin is not held back.
      const other = await fx.send("POST", `/orgs/${fx.b.org.id}/invitations`, {
        as: fx.b.adminCookie,
        body: { email: `${fx.unique("other")}@example.test`, role: "org_user" },
      });
      expect(other.status).toBe(201);
    });

    it("answers 429 with Retry-After to an address starting too many SAML logins", async () => {
      const provider = await fx.a.adminServices.identityProviders.create(fx.a.org.id, {
        id: "okta",
        name: "Okta",
        metadataXml: exampleIdp().metadataXml(),
      });
      const login = (ip: string) => fx.send("GET", `/sso/${fx.a.org.id}/${provider.id}/login`, { ip });
      expect((await login("198.51.100.7")).status).toBe(302);
      expect((await login("198.51.100.7")).status).toBe(302);
      const limited = await login("198.51.100.7");
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ code: "RATE_LIMITED" });
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await login("198.51.100.8")).status).toBe(302);
    });
  });
}
