import { OrgKitError } from "../errors.js";
import { verifyPassword } from "../internal/password.js";
import { parseInput } from "../schemas/common.js";
import { type TokenPolicy, TokenPolicySchema } from "../schemas/session.js";
import {
  checkPasswordWithHistory,
  DEFAULT_PASSWORD_POLICY,
  isPasswordExpired,
  type PasswordContext,
  type PasswordPolicy,
  PasswordPolicySchema,
  type PasswordViolation,
  strictestPolicy,
} from "../security/password-policy.js";
import type { UserRecord } from "../storage/records.js";
import type { Stores } from "../storage/storage.js";
import { authorizeOrganization, lockAndRecheck } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import type { CallContext, CallToken, Runtime } from "./runtime.js";

/** An organization's security settings as its admins manage them. */
export interface SecurityService {
  /** The organization's password policy (defaults filled in). Needs `security:get`. */
  getPasswordPolicy(organizationId: string): Promise<PasswordPolicy>;
  /** Replaces fields of the password policy; the rest keep their value. Needs `security:manage`. */
  updatePasswordPolicy(organizationId: string, patch: PasswordPolicyPatch): Promise<PasswordPolicy>;
  /** The organization's token policy. Needs `security:get`. */
  getTokenPolicy(organizationId: string): Promise<TokenPolicy>;
  /** Replaces fields of the token policy. Needs `security:manage`. */
  updateTokenPolicy(organizationId: string, patch: Partial<TokenPolicy>): Promise<TokenPolicy>;
}

/** Fields of a password policy to change; `lockout` may name only some of its own. */
export type PasswordPolicyPatch = Partial<Omit<PasswordPolicy, "lockout">> & {
  readonly lockout?: Partial<PasswordPolicy["lockout"]>;
};

function storedPasswordPolicy(document: unknown): PasswordPolicy {
  const parsed = PasswordPolicySchema.safeParse(document ?? {});
  return parsed.success ? parsed.data : DEFAULT_PASSWORD_POLICY;
}

function storedTokenPolicy(document: unknown): TokenPolicy {
  const parsed = TokenPolicySchema.safeParse(document ?? {});
  return parsed.success ? parsed.data : TokenPolicySchema.parse({});
}

/**
 * The policy a user's password must meet: the host's default and that of every organization the
 * user belongs to, plus `organizationKeys` (an organization they are joining), the strictest of all.
 */
export async function passwordPolicyFor(
  rt: Runtime,
  userKey: string | null,
  organizationKeys: readonly string[] = [],
): Promise<PasswordPolicy> {
  const documents = userKey === null ? [] : await rt.storage.security.listForUser(userKey);
  const joining = await Promise.all(organizationKeys.map((key) => rt.storage.security.get(key)));
  const policies = [rt.passwordPolicy];
  for (const record of [...documents, ...joining]) {
    if (record?.passwordPolicy != null) policies.push(storedPasswordPolicy(record.passwordPolicy));
  }
  return policies.length === 1 ? rt.passwordPolicy : strictestPolicy(policies);
}

/** The lockout rule for a user's password sign-in, in the form the user store takes. */
export async function lockoutRuleFor(
  rt: Runtime,
  userKey: string,
): Promise<{ maxAttempts: number; windowMs: number; lockMs: number }> {
  const { lockout } = await passwordPolicyFor(rt, userKey);
  return {
    maxAttempts: lockout.maxAttempts,
    windowMs: lockout.windowMinutes * 60_000,
    lockMs: lockout.lockMinutes * 60_000,
  };
}

/** True when the user's password is older than a lifespan that applies to them. */
export async function passwordExpiredFor(rt: Runtime, user: UserRecord): Promise<boolean> {
  if (user.passwordChangedAt === null) return false;
  return isPasswordExpired(await passwordPolicyFor(rt, user.key), user.passwordChangedAt, rt.clock.now());
}

/**
 * Checks a new password against `policy`, including reuse of the last N passwords (compared
 * against their hashes), and returns every violation.
 */
export async function checkNewPassword(
  rt: Runtime,
  policy: PasswordPolicy,
  password: string,
  context: PasswordContext,
  userKey: string | null,
): Promise<PasswordViolation[]> {
  return checkPasswordWithHistory(policy, password, context, async (candidate) => {
    if (userKey === null || policy.reuseHistory === 0) return false;
    for (const hash of await rt.storage.users.passwordHistory(userKey, policy.reuseHistory)) {
      if (await verifyPassword(candidate, hash)) return true;
    }
    return false;
  });
}

/** Throws PASSWORD_POLICY_VIOLATION (param `password`) listing every violation, if any. */
export function assertNoViolations(violations: readonly PasswordViolation[], param = "password"): void {
  if (violations.length === 0) return;
  throw new OrgKitError("PASSWORD_POLICY_VIOLATION", {
    param,
    message: violations.map((v) => v.message).join(" "),
    details: { violations: violations.map(({ code, message, params }) => ({ code, message, params })) },
  });
}

/**
 * Whether password sign-in must go through single sign-on: an enabled identity provider marked
 * required, of an organization the user belongs to, declares the email's domain. (Only the
 * user's own organizations count: any organization can declare any domain.)
 */
export async function ssoRequiredFor(rt: Runtime, user: UserRecord): Promise<boolean> {
  const domain = user.email.slice(user.email.lastIndexOf("@") + 1);
  return (await rt.storage.identityProviders.findRequiredForUser(user.key, domain)) !== null;
}

/**
 * Refuses a personal access token that an organization's token policy does not allow, when the
 * token is used on that organization (the policy may have been set after the token was made).
 */
export async function assertTokenAllowed(
  stores: Stores,
  organizationKey: string,
  token: CallToken,
): Promise<void> {
  const settings = await stores.security.get(organizationKey);
  if (settings?.tokenPolicy == null) return;
  const violation = tokenPolicyViolation(
    storedTokenPolicy(settings.tokenPolicy),
    token.createdAt,
    token.expiresAt,
  );
  if (violation !== null) throw new OrgKitError("TOKEN_POLICY_VIOLATION", { message: violation });
}

/** Why a token made at `createdAt` expiring at `expiresAt` breaks `policy`, or null. */
export function tokenPolicyViolation(
  policy: TokenPolicy,
  createdAt: Date,
  expiresAt: Date | null,
): string | null {
  if (expiresAt === null) {
    return policy.requireExpiry || policy.maxLifetimeDays !== null
      ? "An organization you belong to requires tokens to expire."
      : null;
  }
  if (
    policy.maxLifetimeDays !== null &&
    expiresAt.getTime() - createdAt.getTime() > policy.maxLifetimeDays * 86_400_000
  ) {
    return `An organization you belong to allows tokens of at most ${policy.maxLifetimeDays} days.`;
  }
  return null;
}

/** The token policies of every organization a user belongs to. */
export async function tokenPoliciesFor(rt: Runtime, userKey: string): Promise<TokenPolicy[]> {
  const records = await rt.storage.security.listForUser(userKey);
  return records.filter((r) => r.tokenPolicy != null).map((r) => storedTokenPolicy(r.tokenPolicy));
}

/** A patch must be a plain object; anything else is VALIDATION_FAILED before it is merged. */
function objectPatch(patch: unknown): Record<string, unknown> {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
    throw new OrgKitError("VALIDATION_FAILED", { message: "Send the fields to change as an object." });
  }
  return patch as Record<string, unknown>;
}

/** Builds the security settings service for one actor. */
export function securityService(ctx: CallContext): SecurityService {
  const { rt } = ctx;
  return {
    async getPasswordPolicy(organizationId) {
      const granted = await authorizeOrganization(ctx, organizationId, "security:get");
      return storedPasswordPolicy((await rt.storage.security.get(granted.organization.key))?.passwordPolicy);
    },
    async updatePasswordPolicy(organizationId, patch) {
      const granted = await authorizeOrganization(ctx, organizationId, "security:manage");
      return rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "security:manage");
        const before = storedPasswordPolicy((await tx.security.get(locked.organization.key))?.passwordPolicy);
        const changes = objectPatch(patch);
        const lockout = changes.lockout;
        const after = parseInput(PasswordPolicySchema, {
          ...before,
          ...changes,
          lockout:
            lockout !== null && typeof lockout === "object"
              ? { ...before.lockout, ...lockout }
              : (lockout ?? before.lockout),
        });
        await tx.security.put(locked.organization.key, { passwordPolicy: after }, rt.clock.now());
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "SECURITY_PASSWORD_POLICY_UPDATE",
          targetType: "organization",
          targetId: locked.organization.id,
          before,
          after,
        });
        return after;
      });
    },
    async getTokenPolicy(organizationId) {
      const granted = await authorizeOrganization(ctx, organizationId, "security:get");
      return storedTokenPolicy((await rt.storage.security.get(granted.organization.key))?.tokenPolicy);
    },
    async updateTokenPolicy(organizationId, patch) {
      const granted = await authorizeOrganization(ctx, organizationId, "security:manage");
      return rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "security:manage");
        const before = storedTokenPolicy((await tx.security.get(locked.organization.key))?.tokenPolicy);
        const after = parseInput(TokenPolicySchema, { ...before, ...objectPatch(patch) });
        await tx.security.put(locked.organization.key, { tokenPolicy: after }, rt.clock.now());
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "SECURITY_TOKEN_POLICY_UPDATE",
          targetType: "organization",
          targetId: locked.organization.id,
          before,
          after,
        });
        return after;
      });
    },
  };
}
