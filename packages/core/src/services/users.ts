import { notFound, OrgKitError } from "../errors.js";
import { newKey, randomBase62, sha256Hex } from "../internal/ids.js";
import { hashPassword, verifyPassword } from "../internal/password.js";
import { AccountIdSchema, EmailSchema, parseInput } from "../schemas/common.js";
import {
  type ChangePasswordInput,
  ChangePasswordInputSchema,
  type PublicUser,
  type RegisterUserInput,
  RegisterUserInputSchema,
  type User,
} from "../schemas/user.js";
import { isUniqueViolation } from "../storage/errors.js";
import { requireUser } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { toPublicUser, toUser } from "./mappers.js";
import { enforceRateLimits } from "./rate-limit.js";
import type { CallContext } from "./runtime.js";
import { assertNoViolations, checkNewPassword, passwordPolicyFor } from "./security.js";
import type { RequestOrigin } from "./sessions.js";

/** Users as seen by an actor. */
export interface UsersService {
  /** The signed-in user. */
  me(): Promise<User>;
  /**
   * A user by public id: the full record for oneself and for the system actor, the public
   * profile (id, name) for anyone else. NOT_FOUND when there is no such user.
   */
  get(userId: string): Promise<User | PublicUser>;
  /** Trusted code only (`orgkit.system()`): the user with this email, or null. */
  findByEmail(email: string): Promise<User | null>;
  /**
   * Changes the signed-in user's password: the current one must match (when there is one), and
   * the new one must meet the strictest policy of the user's organizations
   * (PASSWORD_POLICY_VIOLATION lists every violation). Not allowed with a token.
   */
  changePassword(input: ChangePasswordInput): Promise<void>;
}

/** Registration, open to anyone. */
export interface RegistrationService {
  /**
   * Registers a user. The email is trimmed and lower-cased and must be unique; the id, when
   * omitted, is derived from the email's local part. CONFLICT (param `email` or `id`) when taken.
   * With `origin.ip`, RATE_LIMITED past `rateLimits.registration.perAddress`.
   *
   * @example
   * ```ts
   * const alice = await orgkit.users.register({ email: "alice@acme.test", name: "Alice" }, { ip: req.ip });
   * ```
   */
  register(input: RegisterUserInput, origin?: RequestOrigin): Promise<User>;
}

function idCandidate(email: string, attempt: number): string {
  const local = email.split("@")[0] ?? "user";
  let base = local
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, 40);
  if (base.length < 2) base = `user-${base}`.replace(/-$/, "");
  if (attempt === 0 && AccountIdSchema.safeParse(base).success) return base;
  return `${base}-${randomBase62(6).toLowerCase()}`;
}

/** Builds the registration service. */
export function registrationService(ctx: CallContext): RegistrationService {
  return {
    async register(input, origin = {}) {
      const data = parseInput(RegisterUserInputSchema, input);
      await enforceRateLimits(ctx.rt.rateLimiter, [
        [origin.ip && `register:address:${origin.ip}`, ctx.rt.rateLimits.registration.perAddress],
      ]);
      if (data.password !== undefined) {
        // An invited person meets their future organization's policy from the start.
        const invitation =
          data.invitationToken === undefined
            ? null
            : await ctx.rt.storage.invitations.getByTokenHash(sha256Hex(data.invitationToken));
        const policy = await passwordPolicyFor(
          ctx.rt,
          null,
          invitation === null ? [] : [invitation.organizationKey],
        );
        const context = { email: data.email, name: data.name, userId: data.id };
        assertNoViolations(await checkNewPassword(ctx.rt, policy, data.password, context, null));
      }
      const passwordHash =
        data.password === undefined ? null : await hashPassword(data.password, ctx.rt.passwordParams);
      for (let attempt = 0; ; attempt++) {
        const id = data.id ?? idCandidate(data.email, attempt);
        try {
          const user = await ctx.rt.storage.transaction(async (tx) => {
            const created = await tx.users.insert({
              key: newKey(),
              id,
              email: data.email,
              name: data.name,
              passwordHash,
              emailVerified: false,
              at: ctx.rt.clock.now(),
            });
            await recordAudit(tx, ctx, {
              organizationId: null,
              action: "USER_CREATE",
              targetType: "user",
              targetId: created.id,
            });
            return created;
          });
          return toUser(user);
        } catch (error) {
          if (isUniqueViolation(error, "user_email")) {
            throw new OrgKitError("CONFLICT", {
              param: "email",
              message: "An account with this email already exists.",
            });
          }
          if (isUniqueViolation(error, "account_id")) {
            if (data.id !== undefined || attempt >= 4) {
              throw new OrgKitError("CONFLICT", { param: "id", message: "This id is taken." });
            }
            continue;
          }
          throw error;
        }
      }
    },
  };
}

/** Builds the users service for one actor. */
export function usersService(ctx: CallContext): UsersService {
  return {
    async me() {
      return toUser(await requireUser(ctx));
    },
    async get(userId) {
      if (typeof userId !== "string" || userId.length === 0 || userId.length > 64) throw notFound("userId");
      const user = await ctx.rt.storage.users.getById(userId);
      if (user === null) throw notFound("userId");
      const actor = ctx.actor;
      if (actor.type === "system" || (actor.type === "user" && actor.userId === user.id)) return toUser(user);
      return toPublicUser(user);
    },
    async findByEmail(email) {
      if (ctx.actor.type !== "system") {
        throw new OrgKitError("FORBIDDEN", {
          message: "Looking users up by email is for trusted code only.",
        });
      }
      const normalized = parseInput(EmailSchema, email, "email");
      const user = await ctx.rt.storage.users.getByEmail(normalized);
      return user === null ? null : toUser(user);
    },
    async changePassword(input) {
      const data = parseInput(ChangePasswordInputSchema, input);
      if (ctx.actor.type === "user" && ctx.actor.token !== undefined) {
        throw new OrgKitError("FORBIDDEN", { message: "A personal access token cannot change a password." });
      }
      const user = await requireUser(ctx);
      if (user.passwordHash !== null) {
        if (
          data.currentPassword === undefined ||
          !(await verifyPassword(data.currentPassword, user.passwordHash))
        ) {
          throw new OrgKitError("INVALID_CREDENTIALS", {
            param: "currentPassword",
            message: "The current password is not right.",
          });
        }
      }
      const policy = await passwordPolicyFor(ctx.rt, user.key);
      assertNoViolations(
        await checkNewPassword(
          ctx.rt,
          policy,
          data.newPassword,
          { email: user.email, name: user.name, userId: user.id, previousPassword: data.currentPassword },
          user.key,
        ),
        "newPassword",
      );
      const hash = await hashPassword(data.newPassword, ctx.rt.passwordParams);
      await ctx.rt.storage.transaction(async (tx) => {
        await tx.users.setPasswordHash(user.key, hash, ctx.rt.clock.now());
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "SECURITY_PASSWORD_CHANGE",
          targetType: "user",
          targetId: user.id,
        });
      });
    },
  };
}
