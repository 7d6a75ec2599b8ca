/** Endpoints of the signed-in user, registration, sessions, password reset and personal access tokens. */
import { z } from "zod";
import {
  AccessTokenSchema,
  CreateTokenInputSchema,
  SessionSchema,
  SignInInputSchema,
} from "../../schemas/session.js";
import {
  ChangePasswordInputSchema,
  PasswordSchema,
  PublicUserSchema,
  RegisterUserInputSchema,
  UserSchema,
} from "../../schemas/user.js";
import { endpoint, pageQuery, pathParam } from "../contract.js";
import { OrgParams } from "./shared.js";

const SignedInSchema = z.object({
  user: UserSchema,
  session: SessionSchema,
  /** True when an organization's password lifespan has passed: ask for a new password. */
  passwordChangeRequired: z.boolean(),
});

const TokenPageSchema = z.object({ items: z.array(AccessTokenSchema), nextCursor: z.string().nullable() });

/** `/me`: the signed-in user. */
export const meContract = {
  get: endpoint({
    method: "GET",
    path: "/me",
    tag: "me",
    summary: "The signed-in user.",
    response: UserSchema,
  }),
  changePassword: endpoint({
    method: "PUT",
    path: "/me/password",
    tag: "me",
    summary:
      "Change one's password (the current one when there is one; every organization's policy applies).",
    body: ChangePasswordInputSchema,
    response: null,
  }),
};

/** `/users`: registration and public profiles. */
export const usersContract = {
  register: endpoint({
    method: "POST",
    path: "/users",
    tag: "users",
    auth: "public",
    summary: "Register an account; with a password, also signs in (sets the session cookie).",
    body: RegisterUserInputSchema,
    response: UserSchema,
    status: 201,
    rateLimited: true,
  }),
  get: endpoint({
    method: "GET",
    path: "/users/{userId}",
    tag: "users",
    summary: "A user's public profile (the full record for oneself).",
    params: z.object({ userId: pathParam() }),
    response: z.union([UserSchema, PublicUserSchema]),
  }),
};

/** `/sessions`: sign-in, sign-out, the acting context and one's sessions. */
export const sessionsContract = {
  signIn: endpoint({
    method: "POST",
    path: "/sessions",
    tag: "sessions",
    auth: "public",
    summary: "Sign in with email and password; sets the HttpOnly session cookie.",
    description:
      "A wrong email, a wrong password and a locked account all answer 401 INVALID_CREDENTIALS. " +
      "SSO_REQUIRED (403), once the password is right, when the email's organization requires single sign-on.",
    body: SignInInputSchema,
    response: SignedInSchema,
    status: 201,
    rateLimited: true,
  }),
  current: endpoint({
    method: "GET",
    path: "/sessions/current",
    tag: "sessions",
    summary: "The session of the cookie: who is signed in and the organization they act as.",
    response: SessionSchema,
  }),
  switchContext: endpoint({
    method: "PUT",
    path: "/sessions/current/context",
    tag: "sessions",
    summary: "Act as an organization one belongs to, or as oneself (organizationId null).",
    body: z.object({ organizationId: z.string().min(1).max(64).nullable() }).strict(),
    response: SessionSchema,
  }),
  signOut: endpoint({
    method: "DELETE",
    path: "/sessions/current",
    tag: "sessions",
    summary: "Sign out: revokes the session and clears the cookie.",
    response: null,
  }),
  list: endpoint({
    method: "GET",
    path: "/sessions",
    tag: "sessions",
    summary: "One's active sessions.",
    query: pageQuery(),
    response: z.object({ items: z.array(SessionSchema), nextCursor: z.string().nullable() }),
    paginated: true,
  }),
  revoke: endpoint({
    method: "DELETE",
    path: "/sessions/{sessionId}",
    tag: "sessions",
    summary: "Revoke one of one's sessions.",
    params: z.object({ sessionId: pathParam() }),
    response: null,
  }),
  revokeOthers: endpoint({
    method: "POST",
    path: "/sessions/revoke-others",
    tag: "sessions",
    summary: "Revoke every session but the current one.",
    response: z.object({ revoked: z.number().int() }),
  }),
};

/** `/password-reset`: reset by email link. */
export const passwordResetContract = {
  request: endpoint({
    method: "POST",
    path: "/password-reset",
    tag: "sessions",
    auth: "public",
    summary: "Mail a reset link; answers 202 the same way whether or not the email has an account.",
    body: z.object({ email: z.string().trim().toLowerCase().min(1).max(254) }).strict(),
    response: z.object({ status: z.literal("accepted") }),
    status: 202,
    rateLimited: true,
  }),
  complete: endpoint({
    method: "POST",
    path: "/password-reset/{token}",
    tag: "sessions",
    auth: "public",
    summary: "Set a new password with a reset token (single use; every session is revoked).",
    params: z.object({ token: pathParam() }),
    body: z.object({ password: PasswordSchema }).strict(),
    response: null,
  }),
};

/** `/me/tokens` and an organization's view of its members' tokens. */
export const tokensContract = {
  create: endpoint({
    method: "POST",
    path: "/me/tokens",
    tag: "tokens",
    summary: "Create a personal access token; the token is in this response only.",
    body: CreateTokenInputSchema,
    response: z.object({ token: z.string(), accessToken: AccessTokenSchema }),
    status: 201,
    rateLimited: true,
  }),
  list: endpoint({
    method: "GET",
    path: "/me/tokens",
    tag: "tokens",
    summary: "One's personal access tokens (never the tokens themselves).",
    query: pageQuery(),
    response: TokenPageSchema,
    paginated: true,
  }),
  revoke: endpoint({
    method: "DELETE",
    path: "/me/tokens/{tokenId}",
    tag: "tokens",
    summary: "Revoke one of one's tokens.",
    params: z.object({ tokenId: pathParam() }),
    response: null,
  }),
  listForOrganization: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/tokens",
    tag: "tokens",
    summary: "The personal access tokens of the organization's members.",
    scope: "tokens:manage",
    params: OrgParams,
    query: pageQuery(),
    response: TokenPageSchema,
    paginated: true,
  }),
  revokeForOrganization: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}/tokens/{tokenId}",
    tag: "tokens",
    summary: "Revoke a member's token.",
    scope: "tokens:manage",
    params: z.object({ orgId: pathParam(), tokenId: pathParam() }),
    response: null,
  }),
};

/** The identity groups: `me`, `users`, `sessions`, `passwordReset`, `tokens`. */
export const identityContracts = {
  me: meContract,
  users: usersContract,
  sessions: sessionsContract,
  passwordReset: passwordResetContract,
  tokens: tokensContract,
};
