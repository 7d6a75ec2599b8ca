import type { Scope } from "../authz/scopes.js";
import { OrgKitError } from "../errors.js";
import { newKey, sha256Hex } from "../internal/ids.js";
import {
  displayPrefix,
  isWellFormedPersonalAccessToken,
  newPersonalAccessToken,
} from "../internal/tokens.js";
import { parseInput } from "../schemas/common.js";
import { type AccessToken, type CreateTokenInput, CreateTokenInputSchema } from "../schemas/session.js";
import type { TokenRecord } from "../storage/token-store.js";
import { authorizeOrganization, requireUser } from "./access-control.js";
import { recordAudit } from "./audit-trail.js";
import { enforceRateLimits } from "./rate-limit.js";
import type { CallContext, CallToken, Runtime } from "./runtime.js";
import { tokenPoliciesFor, tokenPolicyViolation } from "./security.js";
import type { RequestOrigin } from "./sessions.js";

/** What creating a token returns: the token itself, shown this once and never again. */
export interface CreatedToken {
  readonly token: string;
  readonly accessToken: AccessToken;
}

/** The actor a personal access token authenticates: pass it to `orgkit.as(...)`. */
export interface TokenActor {
  readonly userId: string;
  readonly scopes: readonly Scope[];
  readonly token: CallToken;
  readonly ip?: string;
}

/** Personal access tokens as seen by an actor. */
export interface TokensService {
  /**
   * Creates a token with a name, scopes and an expiry (default 90 days; null for none when every
   * organization of the user allows it: TOKEN_POLICY_VIOLATION otherwise). A call made with a
   * token cannot create tokens.
   *
   * @example
   * ```ts
   * const { token } = await asAlice.tokens.create({ name: "CI", scopes: ["apps:get", "predict"], expiresInDays: 30 });
   * ```
   */
  create(input: CreateTokenInput): Promise<CreatedToken>;
  /** The actor's tokens that are not revoked, newest first. */
  list(): Promise<AccessToken[]>;
  /** Revokes one of the actor's tokens; it stops working on the next call. */
  revoke(tokenId: string): Promise<void>;
  /** Tokens of the organization's members (needs `tokens:manage`). */
  listForOrganization(organizationId: string): Promise<AccessToken[]>;
  /** Revokes a member's token (needs `tokens:manage`); NOT_FOUND for a non-member's. */
  revokeForOrganization(organizationId: string, tokenId: string): Promise<void>;
}

/** A token record as the API shows it (never the hash). */
export function toAccessToken(record: TokenRecord, userId: string): AccessToken {
  return {
    id: record.key,
    name: record.name,
    prefix: record.prefix,
    scopes: [...record.scopes],
    expiresAt: record.expiresAt,
    lastUsedAt: record.lastUsedAt,
    createdAt: record.createdAt,
    userId,
  };
}

const TOUCH_INTERVAL_MS = 60_000;

function unauthenticated(): OrgKitError {
  return new OrgKitError("UNAUTHENTICATED", { message: "The access token is not valid." });
}

/**
 * Authenticates a personal access token: a malformed token or a bad checksum is refused without
 * a storage read; an unknown, revoked or expired one is UNAUTHENTICATED. `lastUsedAt` is
 * written at most once a minute.
 */
export async function authenticateToken(
  rt: Runtime,
  token: string,
  origin: RequestOrigin = {},
): Promise<TokenActor> {
  if (!isWellFormedPersonalAccessToken(token)) throw unauthenticated();
  const row = await rt.storage.tokens.getForAuthentication(sha256Hex(token));
  const now = rt.clock.now();
  if (row === null || row.token.revokedAt !== null) throw unauthenticated();
  if (row.token.expiresAt !== null && row.token.expiresAt.getTime() <= now.getTime()) throw unauthenticated();
  if (row.token.lastUsedAt === null || now.getTime() - row.token.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    await rt.storage.tokens.touch(row.token.key, now, new Date(now.getTime() - TOUCH_INTERVAL_MS + 1));
  }
  return {
    userId: row.userId,
    scopes: row.token.scopes,
    token: { key: row.token.key, createdAt: row.token.createdAt, expiresAt: row.token.expiresAt },
    ...(origin.ip ? { ip: origin.ip } : {}),
  };
}

function tokenIdParam(tokenId: unknown): string {
  if (typeof tokenId !== "string" || tokenId.length === 0 || tokenId.length > 64) {
    throw new OrgKitError("NOT_FOUND", { param: "tokenId" });
  }
  return tokenId;
}

/** Builds the tokens service for one actor. */
export function tokensService(ctx: CallContext): TokensService {
  const { rt } = ctx;
  return {
    async create(input) {
      const data = parseInput(CreateTokenInputSchema, input);
      if (ctx.actor.type === "user" && ctx.actor.token !== undefined) {
        throw new OrgKitError("FORBIDDEN", { message: "A personal access token cannot create tokens." });
      }
      const user = await requireUser(ctx);
      await enforceRateLimits(rt.rateLimiter, [
        [`tokens:account:${user.key}`, rt.rateLimits.tokenCreation.perAccount],
      ]);
      const now = rt.clock.now();
      const expiresAt =
        data.expiresInDays === null ? null : new Date(now.getTime() + data.expiresInDays * 86_400_000);
      for (const policy of await tokenPoliciesFor(rt, user.key)) {
        const violation = tokenPolicyViolation(policy, now, expiresAt);
        if (violation !== null)
          throw new OrgKitError("TOKEN_POLICY_VIOLATION", { param: "expiresInDays", message: violation });
      }
      const token = newPersonalAccessToken();
      const record = await rt.storage.transaction(async (tx) => {
        const created = await tx.tokens.insert({
          key: newKey(),
          userKey: user.key,
          name: data.name,
          prefix: displayPrefix(token),
          tokenHash: sha256Hex(token),
          scopes: data.scopes,
          expiresAt,
          createdAt: now,
        });
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "SECURITY_TOKEN_CREATE",
          targetType: "token",
          targetId: created.key,
          after: { name: created.name, prefix: created.prefix, scopes: created.scopes, expiresAt },
        });
        return created;
      });
      return { token, accessToken: toAccessToken(record, user.id) };
    },

    async list() {
      const user = await requireUser(ctx);
      return (await rt.storage.tokens.listForUser(user.key)).map((record) => toAccessToken(record, user.id));
    },

    async revoke(tokenId) {
      const user = await requireUser(ctx);
      const record = await rt.storage.tokens.get(user.key, tokenIdParam(tokenId));
      if (record === null || record.revokedAt !== null)
        throw new OrgKitError("NOT_FOUND", { param: "tokenId" });
      if (ctx.actor.type === "user" && ctx.actor.token !== undefined && ctx.actor.token.key !== record.key) {
        throw new OrgKitError("FORBIDDEN", { message: "A personal access token can revoke only itself." });
      }
      await rt.storage.transaction(async (tx) => {
        await tx.tokens.revoke(record.key, rt.clock.now());
        await recordAudit(tx, ctx, {
          organizationId: null,
          action: "SECURITY_TOKEN_REVOKE",
          targetType: "token",
          targetId: record.key,
          before: { name: record.name, prefix: record.prefix },
        });
      });
    },

    async listForOrganization(organizationId) {
      const granted = await authorizeOrganization(ctx, organizationId, "tokens:manage");
      const rows = await rt.storage.tokens.listForOrganization(granted.organization.key);
      return rows.map((row) => toAccessToken(row.token, row.userId));
    },

    async revokeForOrganization(organizationId, tokenId) {
      const id = tokenIdParam(tokenId);
      const granted = await authorizeOrganization(ctx, organizationId, "tokens:manage");
      const row = (await rt.storage.tokens.listForOrganization(granted.organization.key)).find(
        (r) => r.token.key === id,
      );
      if (row === undefined) throw new OrgKitError("NOT_FOUND", { param: "tokenId" });
      await rt.storage.transaction(async (tx) => {
        await tx.tokens.revoke(row.token.key, rt.clock.now());
        await recordAudit(tx, ctx, {
          organizationId: granted.organization.id,
          organizationKey: granted.organization.key,
          action: "SECURITY_TOKEN_REVOKE",
          targetType: "token",
          targetId: row.token.key,
          before: { name: row.token.name, prefix: row.token.prefix, userId: row.userId },
        });
      });
    },
  };
}
