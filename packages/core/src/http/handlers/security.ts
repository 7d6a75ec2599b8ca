/** Implementations of the security, identity provider and public SAML endpoints. */
import { OrgKitError } from "../../errors.js";
import { SAML_METADATA_CONTENT_TYPE, type securityContracts } from "../contracts/security.js";
import type { ImplementationsOf } from "./types.js";

/**
 * `value` when it is a path on this site (`/dashboard?tab=2`), else null: never another origin,
 * a protocol-relative `//evil.test` or a backslash a browser would read as a slash.
 */
export function localPath(value: string | null | undefined): string | null {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return null;
  const base = "https://orgkit.invalid";
  const url = new URL(value, base);
  if (url.origin !== base) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can resolve `/.//evil.test` to `//evil.test`: judge the path as it resolved.
  return path.startsWith("//") || path.startsWith("/\\") ? null : path;
}

function redirect(location: string, status: 302 | 303): Response {
  return new Response(null, { status, headers: { location } });
}

/** Implementations of the security endpoints. */
export const securityHandlers: ImplementationsOf<typeof securityContracts> = {
  security: {
    getPasswordPolicy: async ({ services, params }) => services.security.getPasswordPolicy(params.orgId),
    updatePasswordPolicy: async ({ services, params, body }) =>
      services.security.updatePasswordPolicy(params.orgId, body),
    getTokenPolicy: async ({ services, params }) => services.security.getTokenPolicy(params.orgId),
    updateTokenPolicy: async ({ services, params, body }) =>
      services.security.updateTokenPolicy(params.orgId, body),
  },
  identityProviders: {
    create: async ({ services, params, body }) => services.identityProviders.create(params.orgId, body),
    list: async ({ services, params, query }) => services.identityProviders.list(params.orgId, query),
    get: async ({ services, params }) => services.identityProviders.get(params.orgId, params.idpId),
    update: async ({ services, params, body }) =>
      services.identityProviders.update(params.orgId, params.idpId, body),
    delete: async ({ services, params }) => {
      await services.identityProviders.delete(params.orgId, params.idpId);
      return undefined;
    },
  },
  sso: {
    metadata: async ({ orgkit, params }) =>
      new Response(await orgkit.sso.metadata(params.orgId, params.idpId), {
        status: 200,
        headers: { "content-type": `${SAML_METADATA_CONTENT_TYPE}; charset=utf-8` },
      }),
    login: async ({ orgkit, params, query, origin }) => {
      const returnTo = query.returnTo === undefined ? undefined : localPath(query.returnTo);
      if (returnTo === null) {
        throw new OrgKitError("VALIDATION_FAILED", {
          param: "returnTo",
          message: "Give a path on this site, such as /dashboard.",
        });
      }
      const { redirectUrl } = await orgkit.sso.login(
        params.orgId,
        params.idpId,
        returnTo === undefined ? {} : { relayState: returnTo },
        { ip: origin.ip ?? null },
      );
      return redirect(redirectUrl, 302);
    },
    acs: async ({ orgkit, params, body, origin, setSession }) => {
      const result = await orgkit.sso.acs(
        params.orgId,
        params.idpId,
        body.RelayState === undefined
          ? { SAMLResponse: body.SAMLResponse }
          : { SAMLResponse: body.SAMLResponse, RelayState: body.RelayState },
        { ip: origin.ip ?? null },
      );
      const { session } = result;
      setSession(result.token, (session.expiresAt.getTime() - session.lastSeenAt.getTime()) / 1000);
      // An IdP-initiated relay state is vouched for by nobody: only ever a path on this site.
      return redirect(localPath(result.relayState) ?? "/", 303);
    },
  },
};
