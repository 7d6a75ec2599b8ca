import type { PermissionSnapshot } from "../authz/authorize.js";
import type { Scope } from "../authz/scopes.js";
import type { ScryptParams } from "../internal/password.js";
import type { Mailer } from "../mail.js";
import type { PasswordPolicy } from "../security/password-policy.js";
import type { Storage } from "../storage/storage.js";
import type { ModelRunner } from "./model-runner.js";
import type { RateLimiter, RateLimits } from "./rate-limit.js";

/** A source of the current time; tests pass a controllable one. Default: the system clock. */
export interface Clock {
  now(): Date;
}

/** Limits a host can tune. */
export interface Limits {
  /** How many organizations one user may belong to at once. Default 1, as the seed says. */
  readonly organizationsPerUser: number;
}

/** Everything the services share, built once by `createOrgKit`. */
export interface Runtime {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly baseUrl: URL;
  /** Where the SAML endpoints are served: `{samlBaseUrl}/sso/{orgId}/{idpId}/...`. */
  readonly samlBaseUrl: URL;
  readonly limits: Limits;
  readonly invitationTtlMs: number;
  readonly invitationLink: (token: string) => string;
  readonly productName: string;
  readonly passwordParams: ScryptParams;
  readonly mailer: Mailer | undefined;
  readonly onMailError: ((error: unknown, messageId: string) => void) | undefined;
  readonly snapshots: SnapshotCache;
  readonly sessions: SessionSettings;
  /** The host's base password policy. */
  readonly passwordPolicy: PasswordPolicy;
  readonly passwordResetLink: (token: string) => string;
  /** Audit events older than this many days may be pruned; null keeps them forever. */
  readonly auditRetentionDays: number | null;
  /** Trains and runs models; null when the host configured none. */
  readonly modelRunner: ModelRunner | null;
  /** Null when rate limiting is off. */
  readonly rateLimiter: RateLimiter | null;
  readonly rateLimits: RateLimits;
}

/** How long sessions live. */
export interface SessionSettings {
  /** Absolute lifetime. Default 30 days. */
  readonly ttlMs: number;
  /** Idle lifetime, renewed on use (sliding), never past the absolute one. Default 7 days. */
  readonly idleMs: number;
  /** Renewal is written at most this often, to keep reads cheap. Default 60 s. */
  readonly touchIntervalMs: number;
}

/** The personal access token a call was authenticated with. */
export interface CallToken {
  readonly key: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

/** Who a service call acts as, resolved from the public actor. */
export type CallActor =
  | { readonly type: "system"; readonly ip: string | null }
  | { readonly type: "anonymous"; readonly ip: string | null }
  | {
      readonly type: "user";
      readonly userId: string;
      readonly ip: string | null;
      readonly tokenScopes: ReadonlySet<Scope> | undefined;
      /** Present when the call was authenticated with a personal access token. */
      readonly token?: CallToken | undefined;
      /** The organization the user acts as (a session's context), or null for themself. */
      readonly organizationId?: string | null;
    };

/** One service call's context. */
export interface CallContext {
  readonly rt: Runtime;
  readonly actor: CallActor;
}

/**
 * A bounded cache of permission snapshots per (organization, user), by public ids. An entry is
 * only used when the organization's key and version read with the call match it: any
 * membership, team, role or policy change bumps the version in its transaction, so a stale entry
 * is never used. It holds nothing another host instance would need: a miss costs one indexed read.
 */
export class SnapshotCache {
  readonly #entries = new Map<string, PermissionSnapshot>();
  readonly #capacity: number;

  /** @param capacity - entries kept before the least recently used is dropped. Default 10,000. */
  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** The cached snapshot of the user in the organization (its version still to be checked), or undefined. */
  get(organizationId: string, userId: string): PermissionSnapshot | undefined {
    const id = `${organizationId}\u0000${userId}`;
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry;
  }

  /** Stores a snapshot, evicting the least recently used entry when full. */
  set(snapshot: PermissionSnapshot): void {
    const id = `${snapshot.organizationId}\u0000${snapshot.userId}`;
    this.#entries.delete(id);
    this.#entries.set(id, snapshot);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
