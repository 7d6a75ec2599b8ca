import { expect, onTestFinished } from "vitest";
import type { OrganizationRole } from "../authz/scopes.js";
import { type ErrorCode, OrgKitError } from "../errors.js";
import type { Mailer, OutgoingMessage } from "../mail.js";
import { createOrgKit, type OrgKit, type OrgKitOptions } from "../orgkit.js";
import type { Organization } from "../schemas/organization.js";
import type { User } from "../schemas/user.js";
import type { Clock } from "../services/runtime.js";
import type { Storage } from "../storage/storage.js";

/**
 * What an adapter provides to run the conformance suite against its engine.
 *
 * @example
 * ```ts
 * import { runConformanceSuite } from "@orgkit/core/testing";
 * runConformanceSuite({
 *   name: "sqlite",
 *   create: async () => { const s = sqliteAdapter({ filename: tmpFile() }); await s.migrate(); return s; },
 *   connectAnother: async (s) => sqliteAdapter({ filename: fileOf(s) }),
 *   destroy: async (s) => s.close(),
 *   dump: async (s) => rawRows(s),
 * });
 * ```
 */
export interface ConformanceHarness {
  /** The engine's name, used in test titles. */
  readonly name: string;
  /** A fresh, empty, migrated storage of its own (a file, a schema or a database). */
  create(): Promise<Storage>;
  /**
   * A second, independent connection (or pool) to the same database as `storage`, for tests of
   * concurrent writers. It is closed by the suite; `destroy` is still called on the original.
   */
  connectAnother(storage: Storage): Promise<Storage>;
  /** Closes `storage` and deletes what `create` made. */
  destroy(storage: Storage): Promise<void>;
  /**
   * Every row of every table, each table sorted deterministically: the suite compares dumps
   * taken before and after a failing call to prove that nothing was written.
   */
  dump(storage: Storage): Promise<Record<string, unknown[]>>;
  /**
   * Runs one raw SQL statement on the database behind `storage`, bypassing orgkit: how the suite
   * plays an attacker with database access (altering or deleting audit rows).
   */
  execute(storage: Storage, statement: string): Promise<void>;
  /** How many concurrent callers the parallel tests use. Default 20. */
  readonly parallelism?: number;
}

/** A clock the tests move by hand. */
export interface TestClock extends Clock {
  /** Moves the clock forward. */
  advance(ms: number): void;
}

/** Creates a {@link TestClock} starting at `start`. */
export function createTestClock(start = new Date("2026-01-05T09:00:00.000Z")): TestClock {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
  };
}

/** A mailer that records what it is handed, and can be told to fail. */
export interface RecordingMailer extends Mailer {
  readonly sent: OutgoingMessage[];
  failing: boolean;
}

/** Creates a {@link RecordingMailer}. */
export function createRecordingMailer(): RecordingMailer {
  const mailer: RecordingMailer = {
    sent: [],
    failing: false,
    async send(message) {
      if (mailer.failing) throw new Error("SMTP 451: try again later");
      mailer.sent.push(message);
    },
  };
  return mailer;
}

/** A fresh orgkit over fresh storage, with helpers for the common steps of a test. */
export interface World {
  readonly orgkit: OrgKit;
  readonly storage: Storage;
  readonly clock: TestClock;
  readonly mailer: RecordingMailer;
  readonly harness: ConformanceHarness;
  /** Registers `name@example.test` with the display name `Name`. */
  user(name: string): Promise<User>;
  /** Creates an organization administered by `admin`. */
  organization(admin: User, id?: string, name?: string): Promise<Organization>;
  /** Invites `user` into `organizationId` as `role` (by the first admin) and accepts. */
  join(organizationId: string, admin: User, user: User, role: OrganizationRole): Promise<void>;
  /** A raw dump of every table (see {@link ConformanceHarness.dump}). */
  dump(): Promise<Record<string, unknown[]>>;
  /** A second orgkit over an independent connection to the same database. */
  another(): Promise<OrgKit>;
  /** Runs raw SQL on the database, bypassing orgkit (see {@link ConformanceHarness.execute}). */
  execute(statement: string): Promise<void>;
  /** Destroys the world now (it is destroyed when the test finishes otherwise). */
  close(): Promise<void>;
}

/** Fast scrypt parameters for tests; never use them in production. */
export const TEST_SCRYPT_PARAMS = { ln: 4, r: 8, p: 1 } as const;

/**
 * Builds a {@link World} for one test and tears it down when the test finishes.
 */
export async function createWorld(
  harness: ConformanceHarness,
  options: Partial<Omit<OrgKitOptions, "storage">> = {},
): Promise<World> {
  const storage = await harness.create();
  const clock = createTestClock();
  const mailer = createRecordingMailer();
  const extra: OrgKit[] = [];
  const config = {
    baseUrl: "https://app.example.test",
    clock,
    mailer,
    passwordHashing: TEST_SCRYPT_PARAMS,
    ...options,
  };
  const orgkit = createOrgKit({ ...config, storage });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const other of extra) await other.close();
    await harness.destroy(storage);
  };
  onTestFinished(close);
  let counter = 0;
  return {
    orgkit,
    storage,
    clock,
    mailer,
    harness,
    user: (name) => orgkit.users.register({ email: `${name.toLowerCase()}@example.test`, name }),
    organization: (admin, id, name) => {
      counter += 1;
      return orgkit.as({ userId: admin.id }).organizations.create({
        id: id ?? `org-${counter}`,
        name: name ?? `Organization ${counter}`,
        billingEmail: `billing-${counter}@example.test`,
      });
    },
    async join(organizationId, admin, user, role) {
      const { token } = await orgkit.as({ userId: admin.id }).invitations.create(organizationId, {
        email: user.email,
        role,
      });
      await orgkit.as({ userId: user.id }).invitations.accept(token);
    },
    dump: () => harness.dump(storage),
    execute: (statement) => harness.execute(storage, statement),
    close,
    async another() {
      const other = createOrgKit({ ...config, storage: await harness.connectAnother(storage) });
      extra.push(other);
      return other;
    },
  };
}

/** Asserts that `promise` rejects with an {@link OrgKitError} of `code` (and `param`, if given). */
export async function expectOrgKitError(
  promise: Promise<unknown>,
  code: ErrorCode,
  param?: string,
): Promise<OrgKitError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(OrgKitError);
  const error = caught as OrgKitError;
  expect({ code: error.code, param: error.param }).toEqual({ code, param: param ?? error.param });
  return error;
}

/**
 * Tables a refused call may still write: rate-limit counters count attempts, refused or not
 * (that is their point).
 */
const COUNTER_TABLES = /^rate_limits$/;

function withoutCounters(dump: Record<string, unknown[]>): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(dump).filter(([table]) => !COUNTER_TABLES.test(table)));
}

/**
 * Asserts that `action` fails with `code` and leaves every table exactly as it was (rate-limit
 * counters aside, and the tables named in `options.exceptTables`: a refusal that is itself
 * audited in its own transaction passes `["audit_events"]` and checks the audit rows itself).
 */
export async function expectFailsCleanly(
  world: World,
  action: () => Promise<unknown>,
  code: ErrorCode,
  param?: string,
  options: { readonly exceptTables?: readonly string[] } = {},
): Promise<OrgKitError> {
  const except = new Set(options.exceptTables ?? []);
  const relevant = (dump: Record<string, unknown[]>) =>
    Object.fromEntries(Object.entries(withoutCounters(dump)).filter(([table]) => !except.has(table)));
  const before = relevant(await world.dump());
  const error = await expectOrgKitError(action(), code, param);
  expect(relevant(await world.dump())).toEqual(before);
  return error;
}

/** The violation codes a PASSWORD_POLICY_VIOLATION carries, in order. */
export function violationCodes(error: OrgKitError): string[] {
  const violations = error.details?.violations;
  return Array.isArray(violations) ? violations.map((v: { code: string }) => v.code) : [];
}
