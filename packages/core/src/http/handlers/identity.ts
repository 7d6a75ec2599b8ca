/** Implementations of the `/me`, `/users`, `/sessions`, `/password-reset` and token endpoints. */
import { OrgKitError } from "../../errors.js";
import type { EndpointContract } from "../contract.js";
import type { identityContracts } from "../contracts/identity.js";
import type { HandlerContext } from "../server.js";
import type { ImplementationsOf } from "./types.js";

function sessionToken(context: Pick<HandlerContext<EndpointContract>, "caller">): string {
  const token = context.caller?.sessionToken;
  if (token === undefined) {
    throw new OrgKitError("NOT_FOUND", {
      param: "session",
      message: "This request is not signed in with a session cookie.",
    });
  }
  return token;
}

function maxAge(session: { expiresAt: Date; lastSeenAt: Date }): number {
  return (session.expiresAt.getTime() - session.lastSeenAt.getTime()) / 1000;
}

/** Implementations of the identity endpoints. */
export const identityHandlers: ImplementationsOf<typeof identityContracts> = {
  me: {
    get: async ({ services }) => services.users.me(),
    changePassword: async ({ services, body }) => {
      await services.users.changePassword(body);
      return undefined;
    },
  },
  users: {
    register: async ({ orgkit, body, origin, setSession }) => {
      const user = await orgkit.users.register(body, origin);
      if (body.password !== undefined) {
        const signedIn = await orgkit.auth.signIn({ email: user.email, password: body.password }, origin);
        setSession(signedIn.token, maxAge(signedIn.session));
      }
      return user;
    },
    get: async ({ services, params }) => services.users.get(params.userId),
  },
  sessions: {
    signIn: async ({ orgkit, body, origin, setSession }) => {
      const signedIn = await orgkit.auth.signIn(body, origin);
      const { actor } = await orgkit.auth.authenticate(signedIn.token, origin);
      const user = await orgkit.as(actor).users.me();
      setSession(signedIn.token, maxAge(signedIn.session));
      return { user, session: signedIn.session, passwordChangeRequired: signedIn.passwordChangeRequired };
    },
    current: async (context) =>
      (await context.orgkit.auth.authenticate(sessionToken(context), context.origin)).session,
    switchContext: async (context) =>
      (await context.orgkit.auth.switchContext(sessionToken(context), context.body.organizationId)).session,
    signOut: async (context) => {
      await context.orgkit.auth.signOut(sessionToken(context));
      context.clearSession();
      return undefined;
    },
    list: async ({ services, query, paginate }) =>
      paginate(await services.sessions.list(), (s) => s.id, query),
    revoke: async ({ services, params }) => {
      await services.sessions.revoke(params.sessionId);
      return undefined;
    },
    revokeOthers: async (context) => {
      const keep =
        context.caller?.sessionToken === undefined
          ? undefined
          : (await context.orgkit.auth.authenticate(context.caller.sessionToken, context.origin)).session.id;
      return { revoked: await context.services.sessions.revokeAll(keep) };
    },
  },
  passwordReset: {
    request: async ({ orgkit, body, origin }) => {
      await orgkit.auth.requestPasswordReset(body.email, origin);
      return { status: "accepted" as const };
    },
    complete: async ({ orgkit, params, body }) => {
      await orgkit.auth.resetPassword(params.token, body.password);
      return undefined;
    },
  },
  tokens: {
    create: async ({ services, body }) => services.tokens.create(body),
    list: async ({ services, query, paginate }) => paginate(await services.tokens.list(), (t) => t.id, query),
    revoke: async ({ services, params }) => {
      await services.tokens.revoke(params.tokenId);
      return undefined;
    },
    listForOrganization: async ({ services, params, query, paginate }) =>
      paginate(await services.tokens.listForOrganization(params.orgId), (t) => t.id, query),
    revokeForOrganization: async ({ services, params }) => {
      await services.tokens.revokeForOrganization(params.orgId, params.tokenId);
      return undefined;
    },
  },
};
