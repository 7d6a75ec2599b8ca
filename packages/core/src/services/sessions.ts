import { OrgKitError } from "../errors.js";
import { newKey, randomBase62, sha256Hex } from "../internal/ids.js";
import { hashPassword, needsRehash, verifyPassword } from "../internal/password.js";
import { isWellFormedSessionToken, newSessionToken } from "../internal/tokens.js";
import type { PasswordResetMailData } from "../mail.js";
import { EmailSchema, parseInput } from "../schemas/common.js";
import type { Session } from "../schemas/session.js";
import { type SignInInput, SignInInputSchema } from "../schemas/session.js";
import { PasswordSchema } from "../schemas/user.js";
import type { UserRecord } from "../storage/records.js";
import type { SessionRecord } from "../storage/session-store.js";
import type { Stores } from "../storage/storage.js";
import { refuseToken, requireUser } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { deliver, enqueueMessage } from "./mail-delivery.js";
import { enforceRateLimits } from "./rate-limit.js";
import type { CallContext, Runtime } from "./runtime.js";
import {
  assertNoViolations,
  checkNewPassword,
  lockoutRuleFor,
  passwordExpiredFor,
  passwordPolicyFor,
  ssoRequiredFor,
} from "./security.js";
import { authenticateToken, type TokenActor } from "./tokens.js";

/** Where a request comes from, for rate limits and the audit trail. */
export interface RequestOrigin {
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

/** What signing in returns: the session token, shown once. */
export interface SignedIn {
  /** The opaque session token (`orgkit_ses_…`); only its SHA-256 is stored. */
  readonly token: string;
  readonly session: Session;
  /** True when the password is older than an organization's lifespan: ask for a new one. */
  readonly passwordChangeRequired: boolean;
}

/** A session authenticated from its token: who the caller is and in which context. */
export interface AuthenticatedSession {
  readonly session: Session;
  /** Pass to `orgkit.as(...)`. */
  readonly actor: { readonly userId: string; readonly organizationId: string | null; readonly ip?: string };
}

/** Sign-in, session authentication, context switching and sign-out: what a login page needs. */
export interface AuthService {
  /**
   * Signs in with email and password. A wrong email, a wrong password and a locked account all
   * answer INVALID_CREDENTIALS, in the same time; SSO_REQUIRED, once the password is right, when
   * the email's domain must sign in through its organization's identity provider (never for a
   * wrong password, which would tell that the email has an account); RATE_LIMITED past the limits.
   *
   * @example
   * ```ts
   * const { token } = await orgkit.auth.signIn({ email, password }, { ip: req.ip });
   * res.cookie("orgkit_session", token, { httpOnly: true, sameSite: "lax", secure: true });
   * ```
   */
  signIn(input: SignInInput, origin?: RequestOrigin): Promise<SignedIn>;
  /**
   * The session a token names, renewed (sliding) when due. UNAUTHENTICATED for a malformed,
   * unknown, revoked or expired token (malformed ones without a storage read). A session whose
   * organization the user no longer belongs to falls back to the user's own context.
   */
  authenticate(token: string, origin?: RequestOrigin): Promise<AuthenticatedSession>;
  /** Switches the session's acting context to an organization the user belongs to, or back (null). */
  switchContext(token: string, organizationId: string | null): Promise<AuthenticatedSession>;
  /** Revokes the session: signs out of the user and any organization context at once. */
  signOut(token: string): Promise<void>;
  /**
   * Authenticates a personal access token (`Authorization: Bearer orgkit_pat_…`): the actor to
   * pass to `orgkit.as(...)`, whose scopes are the token's (narrowed by the user's own at each call).
   */
  authenticateToken(token: string, origin?: RequestOrigin): Promise<TokenActor>;
  /**
   * Mails a password-reset link when an account has this email. Answers the same, in about the
   * same time, whether or not it does, so it cannot tell who has an account.
   */
  requestPasswordReset(email: string, origin?: RequestOrigin): Promise<void>;
  /**
   * Sets a new password with a reset token (single use, 1 hour). The new password must meet the
   * policies of the user's organizations; every session of the user is revoked and any lockout lifted.
   */
  resetPassword(token: string, newPassword: string): Promise<void>;
}

/** The signed-in user's sessions. */
export interface SessionsService {
  /** Active sessions, most recently used first. */
  list(): Promise<Session[]>;
  /** Revokes one of one's sessions; NOT_FOUND for another user's. */
  revoke(sessionId: string): Promise<void>;
  /** Revokes every session but `keepSessionId`; returns how many. */
  revokeAll(keepSessionId?: string): Promise<number>;
}

/** A session as the API shows it (never the token or its hash). */
export function toSession(record: SessionRecord, organizationId: string | null): Session {
  return {
    id: record.key,
    organizationId,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    expiresAt: new Date(Math.min(record.expiresAt.getTime(), record.idleExpiresAt.getTime())),
    ip: record.ip,
    userAgent: record.userAgent,
  };
}

/** How long a password-reset link works. */
const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

/**
 * A hash verified when there is no user (or no password) to check against, so that a missing
 * account takes as long to refuse as a wrong password.
 */
/**
 * How long a password-reset request takes to answer, at least, whether or not the email has an
 * account: long enough to cover the one write the known branch makes, so the two cannot be told
 * apart by timing.
 */
const RESET_ANSWER_MS = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let decoyHash: Promise<string> | undefined;
function decoy(rt: Runtime): Promise<string> {
  decoyHash ??= hashPassword("orgkit decoy password, never matched", rt.passwordParams);
  return decoyHash;
}

/** Issues a session for a user inside `tx`; returns the token (shown once) and the record. */
export async function issueSession(
  tx: Stores,
  rt: Runtime,
  user: UserRecord,
  organizationKey: string | null,
  origin: RequestOrigin,
): Promise<{ token: string; record: SessionRecord }> {
  const now = rt.clock.now();
  const token = newSessionToken();
  const expiresAt = new Date(now.getTime() + rt.sessions.ttlMs);
  const record = await tx.sessions.insert({
    key: newKey(),
    userKey: user.key,
    organizationKey,
    tokenHash: sha256Hex(token),
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    idleExpiresAt: new Date(Math.min(expiresAt.getTime(), now.getTime() + rt.sessions.idleMs)),
    ip: origin.ip ?? null,
    userAgent: origin.userAgent?.slice(0, 512) ?? null,
  });
  return { token, record };
}

function unauthenticated(): OrgKitError {
  return new OrgKitError("UNAUTHENTICATED", { message: "Your session has ended; sign in again." });
}

/** Builds the authentication service. */
export function authService(rt: Runtime): AuthService {
  async function load(token: string) {
    // A malformed token is refused without touching storage.
    if (!isWellFormedSessionToken(token)) throw unauthenticated();
    const row = await rt.storage.sessions.getForAuthentication(sha256Hex(token));
    const now = rt.clock.now().getTime();
    if (
      row === null ||
      row.session.revokedAt !== null ||
      row.session.expiresAt.getTime() <= now ||
      row.session.idleExpiresAt.getTime() <= now
    ) {
      throw unauthenticated();
    }
    return row;
  }

  return {
    async signIn(input, origin = {}) {
      const { email, password } = parseInput(SignInInputSchema, input);
      await enforceRateLimits(rt.rateLimiter, [
        [`sign-in:account:${email}`, rt.rateLimits.signIn.perAccount],
        [origin.ip && `sign-in:address:${origin.ip}`, rt.rateLimits.signIn.perAddress],
      ]);
      const user = await rt.storage.users.getByEmail(email);
      const now = rt.clock.now();
      const locked = user?.lockedUntil != null && user.lockedUntil.getTime() > now.getTime();
      // Verify even when the answer is already known, so that every refusal takes as long.
      const matches = await verifyPassword(password, user?.passwordHash ?? (await decoy(rt)));
      if (user === null || user.passwordHash === null || locked || !matches) {
        if (user !== null && user.passwordHash !== null && !locked) {
          await rt.storage.users.recordFailedSignIn(user.key, now, await lockoutRuleFor(rt, user.key));
        }
        throw new OrgKitError("INVALID_CREDENTIALS");
      }
      // Only once the password is right: told to anyone, it would say the email has an account.
      if (await ssoRequiredFor(rt, user)) throw new OrgKitError("SSO_REQUIRED");
      if (needsRehash(user.passwordHash, rt.passwordParams)) {
        await rt.storage.users.replacePasswordHash(
          user.key,
          user.passwordHash,
          await hashPassword(password, rt.passwordParams),
        );
      }
      const ctx: CallContext = {
        rt,
        actor: { type: "user", userId: user.id, ip: origin.ip ?? null, tokenScopes: undefined },
      };
      const issued = await rt.storage.transaction(async (tx) => {
        await tx.users.clearFailedSignIns(user.key);
        const out = await issueSession(tx, rt, user, null, origin);
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "SECURITY_SIGN_IN",
          targetType: "session",
          targetId: out.record.key,
        });
        return out;
      });
      return {
        token: issued.token,
        session: toSession(issued.record, null),
        passwordChangeRequired: await passwordExpiredFor(rt, user),
      };
    },

    async authenticate(token, origin = {}) {
      const row = await load(token);
      const now = rt.clock.now();
      let organizationId = row.organization?.id ?? null;
      if (row.organization !== null && row.organization.role === null) {
        // Removed from the organization since: the session keeps only the user's own context.
        await rt.storage.sessions.setContext(row.session.key, null);
        organizationId = null;
      }
      let session = row.session;
      if (now.getTime() - session.lastSeenAt.getTime() >= rt.sessions.touchIntervalMs) {
        const idle = new Date(Math.min(session.expiresAt.getTime(), now.getTime() + rt.sessions.idleMs));
        await rt.storage.sessions.touch(session.key, now, idle);
        session = { ...session, lastSeenAt: now, idleExpiresAt: idle };
      }
      return {
        session: toSession(session, organizationId),
        actor: { userId: row.user.id, organizationId, ...(origin.ip ? { ip: origin.ip } : {}) },
      };
    },

    async switchContext(token, organizationId) {
      const row = await load(token);
      let organizationKey: string | null = null;
      if (organizationId !== null) {
        const access =
          typeof organizationId === "string" && organizationId.length > 0 && organizationId.length <= 64
            ? await rt.storage.members.getAccess(organizationId, row.user.id)
            : null;
        if (access === null || access.role === null)
          throw new OrgKitError("NOT_FOUND", { param: "organizationId" });
        organizationKey = access.organization.key;
      }
      await rt.storage.sessions.setContext(row.session.key, organizationKey);
      return {
        session: toSession({ ...row.session, organizationKey }, organizationId),
        actor: { userId: row.user.id, organizationId },
      };
    },

    authenticateToken: (token, origin) => authenticateToken(rt, token, origin),

    async requestPasswordReset(email, origin = {}) {
      const normalized = parseInput(EmailSchema, email, "email");
      await enforceRateLimits(rt.rateLimiter, [
        [`reset:account:${normalized}`, rt.rateLimits.signIn.perAccount],
        [origin.ip && `reset:address:${origin.ip}`, rt.rateLimits.signIn.perAddress],
      ]);
      const started = performance.now();
      // Both answers leave RESET_ANSWER_MS after the lookup began, or later.
      const answer = () => sleep(Math.max(0, RESET_ANSWER_MS - (performance.now() - started)));
      const user = await rt.storage.users.getByEmail(normalized);
      if (user === null) return answer();
      const token = `orgkit_pwr_${randomBase62(43)}`;
      const now = rt.clock.now();
      const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_MS);
      const resetUrl = rt.passwordResetLink(token);
      const message = await rt.storage.transaction(async (tx) => {
        await tx.users.insertPasswordReset({
          tokenHash: sha256Hex(token),
          userKey: user.key,
          at: now,
          expiresAt,
        });
        const data: PasswordResetMailData = {
          name: user.name,
          resetUrl,
          expiresAt: expiresAt.toISOString(),
          productName: rt.productName,
        };
        return enqueueMessage(tx, rt, {
          template: "password-reset",
          to: user.email,
          subject: `Reset your ${rt.productName} password`,
          text: [
            `Hello ${user.name},`,
            "",
            `Someone asked to reset the password of your ${rt.productName} account. To choose a new one, open:`,
            resetUrl,
            "",
            "The link works once, for one hour. If you did not ask for it, ignore this email: your password is unchanged.",
          ].join("\n"),
          data: { ...data },
        });
      });
      // Delivered in the background: how long the mail server takes must not tell who has an
      // account (the message waits in the outbox if delivery fails).
      void deliver(rt, message).catch((error: unknown) => rt.onMailError?.(error, message.id));
      return answer();
    },

    async resetPassword(token, newPassword) {
      const password = parseInput(PasswordSchema, newPassword, "newPassword");
      if (typeof token !== "string" || !/^orgkit_pwr_[0-9A-Za-z]{43}$/.test(token)) {
        throw new OrgKitError("NOT_FOUND", {
          param: "token",
          message: "This reset link is not valid or has expired.",
        });
      }
      const tokenHash = sha256Hex(token);
      // Check the policy before using up the token, so that a refused password can be retried.
      const pending = await rt.storage.users.findPasswordReset(tokenHash, rt.clock.now());
      const user = pending === null ? null : await rt.storage.users.getByKey(pending);
      if (user === null) {
        throw new OrgKitError("NOT_FOUND", {
          param: "token",
          message: "This reset link is not valid or has expired.",
        });
      }
      const policy = await passwordPolicyFor(rt, user.key);
      assertNoViolations(
        await checkNewPassword(
          rt,
          policy,
          password,
          { email: user.email, name: user.name, userId: user.id },
          user.key,
        ),
        "newPassword",
      );
      const hash = await hashPassword(password, rt.passwordParams);
      const ctx: CallContext = {
        rt,
        actor: { type: "user", userId: user.id, ip: null, tokenScopes: undefined },
      };
      await rt.storage.transaction(async (tx) => {
        const now = rt.clock.now();
        if ((await tx.users.consumePasswordReset(tokenHash, now)) !== user.key) {
          throw new OrgKitError("NOT_FOUND", {
            param: "token",
            message: "This reset link is not valid or has expired.",
          });
        }
        await tx.users.setPasswordHash(user.key, hash, now);
        await tx.users.clearFailedSignIns(user.key);
        await tx.sessions.revokeAllForUser(user.key, now);
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "SECURITY_PASSWORD_RESET",
          targetType: "user",
          targetId: user.id,
        });
      });
    },

    async signOut(token) {
      const row = await load(token);
      const ctx: CallContext = {
        rt,
        actor: { type: "user", userId: row.user.id, ip: null, tokenScopes: undefined },
      };
      await rt.storage.transaction(async (tx) => {
        await tx.sessions.revoke(row.session.key, rt.clock.now());
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "SECURITY_SIGN_OUT",
          targetType: "session",
          targetId: row.session.key,
        });
      });
    },
  };
}

/** Builds the sessions service for one actor. */
export function sessionsService(ctx: CallContext): SessionsService {
  const { rt } = ctx;
  return {
    async list() {
      refuseToken(ctx, "A personal access token cannot manage sign-in sessions.");
      const user = await requireUser(ctx);
      const rows = await rt.storage.sessions.listActive(user.key, rt.clock.now());
      const orgIds = new Map<string, string | null>();
      for (const row of rows) {
        if (row.organizationKey !== null && !orgIds.has(row.organizationKey)) {
          orgIds.set(
            row.organizationKey,
            (await rt.storage.organizations.getByKey(row.organizationKey))?.id ?? null,
          );
        }
      }
      return rows.map((row) =>
        toSession(row, row.organizationKey === null ? null : (orgIds.get(row.organizationKey) ?? null)),
      );
    },
    async revoke(sessionId) {
      refuseToken(ctx, "A personal access token cannot manage sign-in sessions.");
      const user = await requireUser(ctx);
      const record =
        typeof sessionId === "string" && sessionId.length <= 64
          ? await rt.storage.sessions.get(user.key, sessionId)
          : null;
      if (record === null || record.revokedAt !== null)
        throw new OrgKitError("NOT_FOUND", { param: "sessionId" });
      await rt.storage.transaction(async (tx) => {
        await tx.sessions.revoke(record.key, rt.clock.now());
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "SECURITY_SESSION_REVOKE",
          targetType: "session",
          targetId: record.key,
        });
      });
    },
    async revokeAll(keepSessionId) {
      refuseToken(ctx, "A personal access token cannot manage sign-in sessions.");
      const user = await requireUser(ctx);
      return rt.storage.transaction(async (tx) => {
        const count = await tx.sessions.revokeAllForUser(user.key, rt.clock.now(), keepSessionId);
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "SECURITY_SESSION_REVOKE",
          targetType: "user",
          targetId: user.id,
          after: { revoked: count },
        });
        return count;
      });
    },
  };
}
