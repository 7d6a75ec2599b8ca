/** Examples of the security, identity provider and SAML endpoints for the generic HTTP tests. */
import type { IdentityProvider } from "../../schemas/identity-provider.js";
import { createTestIdentityProvider, type TestIdentityProvider } from "../../testing/saml-idp.js";
import type { ExampleSet, HttpFixture, HttpSide } from "../http-fixture.js";

let shared: TestIdentityProvider | undefined;

/** The test IdP the examples use (its signing key is cached for the process). */
export function exampleIdp(): TestIdentityProvider {
  shared ??= createTestIdentityProvider();
  return shared;
}

/** A fresh identity provider of `side`'s organization, backed by {@link exampleIdp}. */
export function exampleProvider(fx: HttpFixture, side: HttpSide): Promise<IdentityProvider> {
  return side.adminServices.identityProviders.create(side.org.id, {
    id: fx.unique("idp"),
    name: "Test IdP",
    metadataXml: exampleIdp().metadataXml(),
    defaultRole: "org_user",
  });
}

/** Examples of `security`, `identityProviders` and `sso`. */
export const securityExamples: ExampleSet = {
  "security.getPasswordPolicy": { build: async (_fx, side) => ({ params: { orgId: side.org.id } }) },
  "security.updatePasswordPolicy": {
    // Values equal to the defaults, so the shared organizations' members are not affected.
    build: async (_fx, side) => ({
      params: { orgId: side.org.id },
      body: { noConfusingLetters: false, lockout: { lockMinutes: 15 } },
    }),
  },
  "security.getTokenPolicy": { build: async (_fx, side) => ({ params: { orgId: side.org.id } }) },
  "security.updateTokenPolicy": {
    build: async (_fx, side) => ({ params: { orgId: side.org.id }, body: { requireExpiry: false } }),
  },
  "identityProviders.create": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id },
      body: { id: fx.unique("idp"), name: "Okta", metadataXml: exampleIdp().metadataXml() },
    }),
  },
  "identityProviders.list": {
    build: async (fx, side) => {
      await exampleProvider(fx, side);
      return { params: { orgId: side.org.id }, query: { limit: "1" } };
    },
  },
  "identityProviders.get": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id, idpId: (await exampleProvider(fx, side)).id },
    }),
  },
  "identityProviders.update": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id, idpId: (await exampleProvider(fx, side)).id },
      body: { enabled: false, name: "Renamed" },
    }),
  },
  "identityProviders.delete": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id, idpId: (await exampleProvider(fx, side)).id },
    }),
  },
  "sso.metadata": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id, idpId: (await exampleProvider(fx, side)).id },
    }),
    as: async () => null,
  },
  "sso.login": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id, idpId: (await exampleProvider(fx, side)).id },
      query: { returnTo: "/dashboard" },
    }),
    as: async () => null,
  },
  "sso.acs": {
    // A complete SP-initiated login: a new person, provisioned just in time.
    build: async (fx, side) => {
      const provider = await exampleProvider(fx, side);
      const { requestId } = await fx.orgkit.sso.login(side.org.id, provider.id, { relayState: "/home" });
      const SAMLResponse = exampleIdp().response({
        now: fx.clock.now(),
        audience: provider.serviceProvider.entityId,
        acsUrl: provider.serviceProvider.acsUrl,
        nameId: `${fx.unique("sso")}@example.test`,
        inResponseTo: requestId,
      });
      return {
        params: { orgId: side.org.id, idpId: provider.id },
        body: { SAMLResponse, RelayState: "/home" },
      };
    },
    as: async () => null,
  },
};
