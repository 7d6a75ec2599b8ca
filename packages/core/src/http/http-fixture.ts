/**
 * Test fixture of the HTTP conformance suite: an orgkit over a harness's storage, its HTTP
 * handler, two organizations ("sides") each with an admin and a member, and helpers to send
 * requests as a cookie, a token or nobody. Test code; exported from `@orgkit/core/testing`.
 */
import type { Scope } from "../authz/scopes.js";
import { createOrgKit, type OrgKit, type OrgKitOptions, type OrgKitServices } from "../orgkit.js";
import type { Organization } from "../schemas/organization.js";
import type { User } from "../schemas/user.js";
import type { Storage } from "../storage/storage.js";
import {
  type ConformanceHarness,
  createRecordingMailer,
  createTestClock,
  type RecordingMailer,
  TEST_SCRYPT_PARAMS,
  type TestClock,
} from "../testing/harness.js";
import { type EndpointContract, fillPath, operations } from "./contract.js";
import { apiContract } from "./contracts/index.js";
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from "./handler.js";

/** The site the fixture's requests come from. */
export const FIXTURE_ORIGIN = "https://app.example.test";
/** Where the fixture mounts the API. */
export const FIXTURE_BASE_PATH = "/api";
/** The password every fixture user has. */
export const FIXTURE_PASSWORD = "correct horse battery staple 42";

/** How a request authenticates: a session cookie, a bearer token, or nobody. */
export type Credentials =
  | { readonly cookie: string /** Whose session it is. */; readonly user?: User }
  | { readonly token: string }
  | null;

/** One organization of the fixture with its admin and a plain member (`org_user`). */
export interface HttpSide {
  readonly org: Organization;
  readonly admin: User;
  readonly member: User;
  readonly adminServices: OrgKitServices;
  readonly memberServices: OrgKitServices;
  /** The admin's session cookie (`orgkit_session=…`). */
  readonly adminCookie: Credentials;
  /** The member's session cookie. */
  readonly memberCookie: Credentials;
}

/** A request of one endpoint: its path parameters, query and body. */
export interface ExampleRequest {
  /** Who makes the happy-path request, when the example made its own caller. */
  readonly as?: Credentials;
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
}

/** What an HTTP call answered. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (undefined when empty or not JSON); loosely typed for assertions. */
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields.
  readonly body: any;
  readonly text: string;
}

/** Options of {@link HttpFixture.send}. */
export interface SendOptions {
  readonly as?: Credentials;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  /** A body sent as is (no JSON encoding). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  /** Leave out the Origin header a browser adds to a same-site mutation. */
  readonly crossSite?: boolean;
  /** The peer address passed to the handler. */
  readonly ip?: string;
}

/** The fixture. */
export interface HttpFixture {
  readonly orgkit: OrgKit;
  readonly handler: HttpHandler;
  readonly storage: Storage;
  readonly clock: TestClock;
  readonly mailer: RecordingMailer;
  /** Organization A: the caller's side in most tests. */
  readonly a: HttpSide;
  /** Organization B: another organization, whose ids the caller must not reach. */
  readonly b: HttpSide;
  /** Sends a request to `path` below the base path. */
  send(method: string, path: string, options?: SendOptions): Promise<HttpResult>;
  /** Sends the request of operation `group.name` (its path filled from `request.params`). */
  call(
    operationId: string,
    request: ExampleRequest,
    as: Credentials,
    options?: Omit<SendOptions, "as" | "query" | "body">,
  ): Promise<HttpResult>;
  /** A personal access token of `user` with `scopes`. */
  pat(user: User, scopes: readonly Scope[]): Promise<Credentials>;
  /** Registers a user with the fixture password. */
  user(name: string): Promise<User>;
  /** A session cookie for `user`. */
  signIn(user: User): Promise<Credentials>;
  /** A fresh string for names and ids: `prefix-1`, `prefix-2`, ... */
  unique(prefix: string): string;
  /** Closes the storage. */
  close(): Promise<void>;
}

/** The declaration of operation `group.name`. */
export function contractOf(operationId: string): EndpointContract {
  const [group, name] = operationId.split(".") as [string, string];
  const declared = (apiContract as Record<string, Record<string, EndpointContract>>)[group]?.[name];
  if (declared === undefined) throw new Error(`No operation ${operationId}.`);
  return declared;
}

/** Every operation id of the contract. */
export function operationIds(): string[] {
  return operations(apiContract).map(([group, name]) => `${group}.${name}`);
}

/**
 * Builds an {@link HttpFixture} over a fresh storage of `harness`. Rate limiting is off unless
 * `orgkitOptions.rateLimiter` says otherwise.
 */
export async function createHttpFixture(
  harness: ConformanceHarness,
  orgkitOptions: Partial<Omit<OrgKitOptions, "storage">> = {},
  handlerOptions: HttpHandlerOptions = {},
): Promise<HttpFixture> {
  const storage = await harness.create();
  const clock = createTestClock();
  const mailer = createRecordingMailer();
  const orgkit = createOrgKit({
    baseUrl: FIXTURE_ORIGIN,
    samlBaseUrl: `${FIXTURE_ORIGIN}${FIXTURE_BASE_PATH}`,
    clock,
    mailer,
    passwordHashing: TEST_SCRYPT_PARAMS,
    rateLimiter: false,
    ...orgkitOptions,
    storage,
  });
  const handler = createHttpHandler(orgkit, { basePath: FIXTURE_BASE_PATH, ...handlerOptions });
  let counter = 0;
  const unique = (prefix: string) => {
    counter += 1;
    return `${prefix}-${counter}`;
  };
  const user = (name: string) =>
    orgkit.users.register({
      email: `${name.toLowerCase()}-${unique("u")}@example.test`,
      name,
      password: FIXTURE_PASSWORD,
    });
  const signIn = async (who: User): Promise<Credentials> => {
    const { token } = await orgkit.auth.signIn({ email: who.email, password: FIXTURE_PASSWORD });
    return { cookie: `orgkit_session=${token}`, user: who };
  };
  const side = async (adminName: string, memberName: string, orgId: string): Promise<HttpSide> => {
    const admin = await user(adminName);
    const member = await user(memberName);
    const adminServices = orgkit.as({ userId: admin.id });
    const org = await adminServices.organizations.create({
      id: orgId,
      name: `${orgId} inc`,
      billingEmail: `billing@${orgId}.test`,
    });
    const { token } = await adminServices.invitations.create(org.id, {
      email: member.email,
      role: "org_user",
    });
    await orgkit.as({ userId: member.id }).invitations.accept(token);
    return {
      org,
      admin,
      member,
      adminServices,
      memberServices: orgkit.as({ userId: member.id }),
      adminCookie: await signIn(admin),
      memberCookie: await signIn(member),
    };
  };
  const a = await side("Alice", "Bob", "acme");
  const b = await side("Carol", "Dave", "globex");

  const send = async (method: string, path: string, options: SendOptions = {}): Promise<HttpResult> => {
    const headers = new Headers(options.headers ?? {});
    const as = options.as ?? null;
    if (as !== null && "cookie" in as) headers.set("cookie", as.cookie);
    if (as !== null && "token" in as) headers.set("authorization", `Bearer ${as.token}`);
    if (method !== "GET" && !options.crossSite && !headers.has("origin"))
      headers.set("origin", FIXTURE_ORIGIN);
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const search = new URLSearchParams(options.query ?? {}).toString();
    const url = `${FIXTURE_ORIGIN}${FIXTURE_BASE_PATH}${path}${search === "" ? "" : `?${search}`}`;
    const response = await handler(
      new Request(url, { method, headers, ...(body === undefined ? {} : { body }) }),
      options.ip === undefined ? undefined : { ip: options.ip },
    );
    const text = await response.text();
    let parsed: unknown;
    if ((response.headers.get("content-type") ?? "").startsWith("application/json") && text !== "") {
      parsed = JSON.parse(text);
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  return {
    orgkit,
    handler,
    storage,
    clock,
    mailer,
    a,
    b,
    send,
    call(operationId, request, as, options = {}) {
      const declared = contractOf(operationId);
      const form = declared.consumes === "application/x-www-form-urlencoded";
      return send(declared.method, fillPath(declared.path, request.params), {
        ...options,
        as,
        ...(request.query === undefined ? {} : { query: request.query }),
        ...(request.body === undefined
          ? {}
          : form
            ? {
                rawBody: new URLSearchParams(request.body as Record<string, string>).toString(),
                headers: { "content-type": declared.consumes as string, ...(options.headers ?? {}) },
              }
            : { body: request.body }),
      });
    },
    async pat(who, scopes) {
      const { token } = await orgkit.as({ userId: who.id }).tokens.create({
        name: unique("token"),
        scopes: [...scopes],
        expiresInDays: 30,
      });
      return { token };
    },
    user,
    signIn,
    unique,
    close: () => harness.destroy(storage),
  };
}

/** How the generic HTTP tests exercise one endpoint. */
export interface EndpointExample {
  /**
   * Builds a valid request on `side`, creating what it needs (as `side.admin` or the system).
   * Called once per test; each call may create fresh resources.
   */
  build(fx: HttpFixture, side: HttpSide): Promise<ExampleRequest>;
  /**
   * Who makes the happy-path request when `build` does not say (its `as`). Default: the side's
   * admin, by session cookie.
   */
  as?(fx: HttpFixture, side: HttpSide): Promise<Credentials>;
  /** The happy path's status when it is not the declared success status. */
  readonly status?: number;
  /**
   * Whether a request built on organization B, made by A's admin, must answer 404. Default true
   * for endpoints with path parameters; false for one's own resources (`/me`, `/sessions`) and
   * public endpoints.
   */
  readonly foreign?: boolean;
}

/** Examples keyed by operation id (`members.list`). */
export type ExampleSet = Readonly<Record<string, EndpointExample>>;
