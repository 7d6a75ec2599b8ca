/** Examples of the identity endpoints for the generic HTTP tests. */
import type { ExampleSet } from "../http-fixture.js";

/** Examples of `me`, `users`, `sessions`, `passwordReset` and `tokens`. */
export const identityExamples: ExampleSet = {
  "me.get": { build: async () => ({}), foreign: false },
  "me.changePassword": {
    // A user of their own, so the shared admins keep their password.
    build: async () => ({
      body: {
        currentPassword: "correct horse battery staple 42",
        newPassword: "an entirely new passphrase 7",
      },
    }),
    as: async (fx) => fx.signIn(await fx.user("Pat")),
    foreign: false,
  },
  "users.register": {
    build: async (fx) => ({
      body: {
        email: `${fx.unique("new")}@example.test`,
        name: "New Person",
        password: "a long enough passphrase 9",
      },
    }),
    as: async () => null,
    foreign: false,
  },
  "users.get": { build: async (_fx, side) => ({ params: { userId: side.member.id } }), foreign: false },
  "sessions.signIn": {
    build: async (_fx, side) => ({
      body: { email: side.admin.email, password: "correct horse battery staple 42" },
    }),
    as: async () => null,
    foreign: false,
  },
  "sessions.current": { build: async () => ({}), foreign: false },
  "sessions.switchContext": {
    build: async (_fx, side) => ({ body: { organizationId: side.org.id } }),
    foreign: false,
  },
  "sessions.signOut": {
    build: async () => ({}),
    as: async (fx, side) => fx.signIn(side.admin),
    foreign: false,
  },
  "sessions.list": { build: async () => ({ query: { limit: "2" } }), foreign: false },
  "sessions.revoke": {
    build: async (fx, side) => {
      const other = await fx.signIn(side.admin);
      const token = other !== null && "cookie" in other ? other.cookie.split("=")[1]! : "";
      return { params: { sessionId: (await fx.orgkit.auth.authenticate(token)).session.id } };
    },
    foreign: false,
  },
  "sessions.revokeOthers": {
    build: async () => ({}),
    as: async (fx) => fx.signIn(await fx.user("Quinn")),
    foreign: false,
  },
  "passwordReset.request": {
    build: async (_fx, side) => ({ body: { email: side.member.email } }),
    as: async () => null,
    foreign: false,
  },
  "passwordReset.complete": {
    build: async (fx) => {
      const who = await fx.user("Reese");
      await fx.orgkit.auth.requestPasswordReset(who.email);
      const mail = fx.mailer.sent.at(-1)!;
      const token = /reset-password\/([^\s"<]+)/.exec(mail.text)![1]!;
      return { params: { token }, body: { password: "a brand new passphrase 11" } };
    },
    as: async () => null,
    foreign: false,
  },
  "tokens.create": {
    build: async (fx) => ({ body: { name: fx.unique("ci"), scopes: ["members:get"], expiresInDays: 30 } }),
    foreign: false,
  },
  "tokens.list": { build: async () => ({}), foreign: false },
  "tokens.revoke": {
    build: async (fx, side) => {
      const { accessToken } = await side.adminServices.tokens.create({
        name: fx.unique("t"),
        scopes: ["apps:get"],
      });
      return { params: { tokenId: accessToken.id } };
    },
    foreign: false,
  },
  "tokens.listForOrganization": { build: async (_fx, side) => ({ params: { orgId: side.org.id } }) },
  "tokens.revokeForOrganization": {
    build: async (fx, side) => {
      const { accessToken } = await side.memberServices.tokens.create({
        name: fx.unique("t"),
        scopes: ["apps:get"],
      });
      return { params: { orgId: side.org.id, tokenId: accessToken.id } };
    },
  },
};
