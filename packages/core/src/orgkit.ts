import { isScope, type Scope } from "./authz/scopes.js";
import { OrgKitError } from "./errors.js";
import { DEFAULT_SCRYPT_PARAMS, type ScryptParams } from "./internal/password.js";
import type { Mailer } from "./mail.js";
import { parseInput } from "./schemas/common.js";
import { type PasswordPolicy, PasswordPolicySchema } from "./security/password-policy.js";
import { type AccessService, accessService } from "./services/access.js";
import { type AppsService, appsService } from "./services/apps.js";
import {
  type AuditAdministration,
  type AuditService,
  auditAdministration,
  auditService,
} from "./services/audit.js";
import { type BillingService, billingService } from "./services/billing.js";
import { type BudgetsService, budgetsService } from "./services/budgets.js";
import { type IdentityProvidersService, identityProvidersService } from "./services/identity-providers.js";
import { type InputsService, inputsService, type StarsService, starsService } from "./services/inputs.js";
import { type InvitationsService, invitationsService } from "./services/invitations.js";
import { type MembersService, membersService } from "./services/members.js";
import { type ModelRunner, naiveBayesRunner } from "./services/model-runner.js";
import { type ModelsService, modelsService } from "./services/models.js";
import { type OrganizationsService, organizationsService } from "./services/organizations.js";
import { type OutboxService, outboxService } from "./services/outbox.js";
import { type PoliciesService, policiesService } from "./services/policies.js";
import {
  DEFAULT_RATE_LIMITS,
  type RateLimiter,
  type RateLimits,
  storageRateLimiter,
} from "./services/rate-limit.js";
import {
  type CallActor,
  type CallContext,
  type CallToken,
  type Clock,
  type Limits,
  type Runtime,
  type SessionSettings,
  SnapshotCache,
} from "./services/runtime.js";
import { type SecurityService, securityService } from "./services/security.js";
import { type AuthService, authService, type SessionsService, sessionsService } from "./services/sessions.js";
import { type SsoService, ssoService } from "./services/sso.js";
import { type TeamsService, teamsService } from "./services/teams.js";
import { type TokensService, tokensService } from "./services/tokens.js";
import { type UsageService, usageService } from "./services/usage.js";
import {
  type RegistrationService,
  registrationService,
  type UsersService,
  usersService,
} from "./services/users.js";
import { type WorkflowsService, workflowsService } from "./services/workflows.js";
import type { Storage } from "./storage/storage.js";

/** Options of {@link createOrgKit}. */
export interface OrgKitOptions {
  /** Where everything is stored: `sqliteAdapter(...)` or `postgresAdapter(...)`. */
  readonly storage: Storage;
  /** The host's public URL; accept links are built on it (`https://app.example.com`). */
  readonly baseUrl: string;
  /**
   * Where the public SAML endpoints are served, when not at `baseUrl`: with the HTTP handler
   * mounted at `/api`, `https://app.example.com/api` (the ACS URL is then
   * `https://app.example.com/api/sso/{orgId}/{idpId}/acs`). Default: `baseUrl`.
   */
  readonly samlBaseUrl?: string;
  /** Delivers outgoing mail after commit. Default: none; messages wait in the outbox for the host. */
  readonly mailer?: Mailer;
  /** Called when the mailer fails; the message stays in the outbox as failed. */
  readonly onMailError?: (error: unknown, messageId: string) => void;
  /** The time source. Default: the system clock. */
  readonly clock?: Clock;
  /** Limits. Default: `{ organizationsPerUser: 1 }`. */
  readonly limits?: Partial<Limits>;
  /** Invitation settings. Default: links expire after 7 days and point at `/invitations/{token}`. */
  readonly invitations?: {
    /** How long an invitation stays valid, in milliseconds. Default 7 days. */
    readonly ttlMs?: number;
    /** Builds the accept link for a token. Default: `new URL("/invitations/" + token, baseUrl)`. */
    readonly link?: (token: string) => string;
  };
  /** The product name used in emails. Default `"orgkit"`. */
  readonly productName?: string;
  /** scrypt parameters for password hashes. Default N = 2^17, r = 8, p = 1. */
  readonly passwordHashing?: ScryptParams;
  /**
   * The password policy every password meets, whatever the user's organizations add on top.
   * Default: NIST SP 800-63B (`DEFAULT_PASSWORD_POLICY`: 15 to 64 characters, no common passwords).
   */
  readonly passwordPolicy?: Partial<PasswordPolicy>;
  /** Session lifetimes. Default: 30 days absolute, 7 days idle (sliding), renewal written once a minute. */
  readonly sessions?: Partial<SessionSettings>;
  /** Builds the password-reset link for a token. Default: `new URL("/reset-password/" + token, baseUrl)`. */
  readonly passwordResetLink?: (token: string) => string;
  /**
   * Counts rate-limited calls (sign-in, invitations, token creation, SAML login). Default: counters
   * in orgkit's storage, shared by every host instance. `false` turns rate limiting off.
   */
  readonly rateLimiter?: RateLimiter | false;
  /** Overrides parts of {@link DEFAULT_RATE_LIMITS}. */
  readonly rateLimits?: Partial<RateLimits>;
  /**
   * Trains and runs models for `models.train` and `models.predict`. Default: `naiveBayesRunner()`
   * (text classifiers); `null` for none (training then answers MODEL_TYPE_UNSUPPORTED).
   */
  readonly modelRunner?: ModelRunner | null;
  /** Audit log settings. Default: events are kept forever. */
  readonly audit?: {
    /** Days after which `orgkit.audit.prune()` deletes events (from the start of each chain). */
    readonly retentionDays?: number | null;
  };
}

/**
 * Who a call acts as: a user, optionally through a personal access token (whose scopes narrow
 * the user's), optionally in an organization's context. `orgkit.auth.authenticate` and
 * `orgkit.auth.authenticateToken` return one.
 */
export interface Actor {
  /** The user's public id. */
  readonly userId: string;
  /** The source address, recorded in the audit trail. */
  readonly ip?: string;
  /** When the call is made with a personal access token: the token's scopes. */
  readonly scopes?: readonly Scope[];
  /** When the call is made with a personal access token: the token (its policy is checked per organization). */
  readonly token?: CallToken;
  /** The organization the user acts as (a session's context), or null/absent for themself. */
  readonly organizationId?: string | null;
}

/** The service surface bound to one actor. Authorization happens inside every call. */
export interface OrgKitServices {
  readonly users: UsersService;
  readonly organizations: OrganizationsService;
  readonly members: MembersService;
  readonly invitations: InvitationsService;
  readonly access: AccessService;
  readonly sessions: SessionsService;
  readonly tokens: TokensService;
  readonly security: SecurityService;
  /** SAML identity providers of an organization (read: `security:get`, write: `security:manage`). */
  readonly identityProviders: IdentityProvidersService;
  /** Teams of an organization, their members and their apps. */
  readonly teams: TeamsService;
  /** Apps of users and organizations: CRUD, pins, duplicate, transfer, collaborators. */
  readonly apps: AppsService;
  /** Models of an app: CRUD, versions, train and predict. */
  readonly models: ModelsService;
  /** Workflows of an app: graphs of model nodes, with versions. */
  readonly workflows: WorkflowsService;
  /** Inputs and concepts of an app. */
  readonly inputs: InputsService;
  /** Stars on models and workflows, and the acting user's "starred" list. */
  readonly stars: StarsService;
  /** Access policies of an organization. */
  readonly policies: PoliciesService;
  /** The organization's audit log (`audit:get`). */
  readonly audit: AuditService;
  /** Billing accounts, the meter catalogue and price book, statements, member activity. */
  readonly billing: BillingService;
  /** Budgets per period on the organization, a team or a member, with alerts and an optional hard stop. */
  readonly budgets: BudgetsService;
  /** Usage metering (recording is for trusted host code: `orgkit.system().usage.record`). */
  readonly usage: UsageService;
}

/** An orgkit instance: what {@link createOrgKit} returns. */
export interface OrgKit {
  /** The storage it runs on. */
  readonly storage: Storage;
  /** Brings the storage schema up to date. Call once at start. */
  migrate(): Promise<void>;
  /** The services as the given user: every call is authorized as them. */
  as(actor: Actor): OrgKitServices;
  /**
   * The unchecked surface for trusted host code (seeding, webhooks). Every call is still
   * audited, as actor `system`.
   */
  system(options?: { ip?: string }): OrgKitServices;
  /** What anyone may do without signing in: register. */
  readonly users: RegistrationService;
  /** Sign-in, sessions, tokens and password reset: what a login page and an API gateway need. */
  readonly auth: AuthService;
  /** What anyone holding an invitation token may do: look it up and decline it. */
  readonly invitations: Pick<InvitationsService, "lookup" | "decline">;
  /** The outbox of outgoing mail. */
  readonly outbox: OutboxService;
  /** Audit chains for trusted code: verify any chain, apply retention. */
  readonly audit: AuditAdministration;
  /**
   * The public SAML endpoints (`{baseUrl}/sso/{orgId}/{idpId}/metadata|acs`): SP metadata,
   * SP-initiated login and the assertion consumer service. No signed-in actor needed.
   */
  readonly sso: SsoService;
  /** Closes the storage connections the adapter opened. */
  close(): Promise<void>;
}

const SYSTEM_CLOCK: Clock = { now: () => new Date() };
const DAY_MS = 24 * 60 * 60 * 1000;
const SEVEN_DAYS_MS = 7 * DAY_MS;

function positiveInteger(value: number, param: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new OrgKitError("VALIDATION_FAILED", {
      param,
      message: `${param} must be a positive whole number.`,
    });
  }
  return value;
}

/**
 * Creates an orgkit instance over a storage adapter.
 *
 * @example
 * ```ts
 * import { createOrgKit } from "@orgkit/core";
 * import { sqliteAdapter } from "@orgkit/adapters/sqlite";
 *
 * const orgkit = createOrgKit({ storage: sqliteAdapter({ filename: "orgkit.db" }), baseUrl: "http://localhost:3000" });
 * await orgkit.migrate();
 * const alice = await orgkit.users.register({ email: "alice@acme.test", name: "Alice" });
 * await orgkit.as({ userId: alice.id }).organizations.create({ id: "acme", name: "Acme", billingEmail: "billing@acme.test" });
 * ```
 */
export function createOrgKit(options: OrgKitOptions): OrgKit {
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.baseUrl);
  } catch (cause) {
    throw new OrgKitError("VALIDATION_FAILED", {
      param: "baseUrl",
      message: "baseUrl must be an absolute URL.",
      cause,
    });
  }
  let samlBaseUrl = baseUrl;
  if (options.samlBaseUrl !== undefined) {
    try {
      samlBaseUrl = new URL(options.samlBaseUrl);
    } catch (cause) {
      throw new OrgKitError("VALIDATION_FAILED", {
        param: "samlBaseUrl",
        message: "samlBaseUrl must be an absolute URL.",
        cause,
      });
    }
  }
  const rt: Runtime = {
    storage: options.storage,
    samlBaseUrl,
    clock: options.clock ?? SYSTEM_CLOCK,
    baseUrl,
    limits: {
      organizationsPerUser: positiveInteger(
        options.limits?.organizationsPerUser ?? 1,
        "limits.organizationsPerUser",
      ),
    },
    invitationTtlMs: positiveInteger(options.invitations?.ttlMs ?? SEVEN_DAYS_MS, "invitations.ttlMs"),
    invitationLink:
      options.invitations?.link ??
      ((token) => new URL(`invitations/${token}`, withSlash(baseUrl)).toString()),
    productName: options.productName ?? "orgkit",
    passwordParams: options.passwordHashing ?? DEFAULT_SCRYPT_PARAMS,
    mailer: options.mailer,
    onMailError: options.onMailError,
    snapshots: new SnapshotCache(),
    passwordPolicy: parseInput(PasswordPolicySchema, { ...(options.passwordPolicy ?? {}) }, "passwordPolicy"),
    passwordResetLink:
      options.passwordResetLink ??
      ((token) => new URL(`reset-password/${token}`, withSlash(baseUrl)).toString()),
    sessions: {
      ttlMs: positiveInteger(options.sessions?.ttlMs ?? 30 * DAY_MS, "sessions.ttlMs"),
      idleMs: positiveInteger(options.sessions?.idleMs ?? 7 * DAY_MS, "sessions.idleMs"),
      touchIntervalMs: positiveInteger(
        options.sessions?.touchIntervalMs ?? 60_000,
        "sessions.touchIntervalMs",
      ),
    },
    rateLimiter:
      options.rateLimiter === false
        ? null
        : (options.rateLimiter ??
          storageRateLimiter(options.storage.rateLimits, options.clock ?? SYSTEM_CLOCK)),
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...(options.rateLimits ?? {}) },
    modelRunner: options.modelRunner === undefined ? naiveBayesRunner() : options.modelRunner,
    auditRetentionDays:
      options.audit?.retentionDays == null
        ? null
        : positiveInteger(options.audit.retentionDays, "audit.retentionDays"),
  };

  const services = (actor: CallActor): OrgKitServices => {
    const ctx: CallContext = { rt, actor };
    return {
      users: usersService(ctx),
      organizations: organizationsService(ctx),
      members: membersService(ctx),
      invitations: invitationsService(ctx),
      access: accessService(ctx),
      sessions: sessionsService(ctx),
      tokens: tokensService(ctx),
      security: securityService(ctx),
      identityProviders: identityProvidersService(ctx),
      teams: teamsService(ctx),
      apps: appsService(ctx),
      models: modelsService(ctx),
      workflows: workflowsService(ctx),
      inputs: inputsService(ctx),
      stars: starsService(ctx),
      policies: policiesService(ctx),
      audit: auditService(ctx),
      billing: billingService(ctx),
      budgets: budgetsService(ctx),
      usage: usageService(ctx),
    };
  };
  const anonymous = invitationsService({ rt, actor: { type: "anonymous", ip: null } });

  return {
    storage: rt.storage,
    migrate: () => rt.storage.migrate(),
    as(actor) {
      if (
        actor === null ||
        typeof actor !== "object" ||
        typeof actor.userId !== "string" ||
        actor.userId === ""
      ) {
        throw new OrgKitError("UNAUTHENTICATED", { message: "An actor needs a userId." });
      }
      let tokenScopes: ReadonlySet<Scope> | undefined;
      if (actor.scopes !== undefined) {
        const unknown = actor.scopes.find((scope) => !isScope(scope));
        if (unknown !== undefined) {
          throw new OrgKitError("VALIDATION_FAILED", {
            param: "scopes",
            message: `Unknown scope ${unknown}.`,
          });
        }
        tokenScopes = new Set(actor.scopes);
      }
      return services({
        type: "user",
        userId: actor.userId,
        ip: actor.ip ?? null,
        tokenScopes,
        token: actor.token,
        organizationId: actor.organizationId ?? null,
      });
    },
    system(systemOptions) {
      return services({ type: "system", ip: systemOptions?.ip ?? null });
    },
    users: registrationService({ rt, actor: { type: "anonymous", ip: null } }),
    auth: authService(rt),
    invitations: { lookup: anonymous.lookup, decline: anonymous.decline },
    outbox: outboxService(rt),
    audit: auditAdministration(rt),
    sso: ssoService(rt),
    close: () => rt.storage.close(),
  };
}

function withSlash(url: URL): URL {
  return url.pathname.endsWith("/") ? url : new URL(`${url.pathname}/`, url);
}
