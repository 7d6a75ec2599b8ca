/**
 * `@orgkit/core/client`: a typed client of the orgkit HTTP API, one method per endpoint, typed
 * from the same declarations the server validates with. Browser-safe (no Node built-ins).
 *
 * @example
 * ```ts
 * import { createOrgKitClient, isOrgKitApiError } from "@orgkit/core/client";
 * const api = createOrgKitClient({ baseUrl: "https://app.example.com/api", token: process.env.ORGKIT_TOKEN });
 * const page = await api.members.list({ params: { orgId: "acme" }, query: { search: "bob" } });
 * try { await api.members.remove({ params: { orgId: "acme", userId: "alice" } }); }
 * catch (e) { if (isOrgKitApiError(e, "LAST_ADMIN")) alert(e.message); }
 * ```
 *
 * @packageDocumentation
 */
import type { z } from "zod";
import { type EndpointContract, fillPath, type Jsonify, successStatus } from "../http/contract.js";
import { apiContract, type OrgKitApiContract } from "../http/contracts/index.js";

export {
  APP_ROLES,
  type AppRole,
} from "../authz/app-roles.js";
export {
  APP_SCOPES,
  type AppScope,
  ORGANIZATION_ROLES,
  ORGANIZATION_SCOPES,
  type OrganizationRole,
  type OrganizationScope,
  SCOPES,
  type Scope,
} from "../authz/scopes.js";
export type { Jsonify } from "../http/contract.js";
export { apiContract, type OrgKitApiContract } from "../http/contracts/index.js";

/** Options of {@link createOrgKitClient}. */
export interface OrgKitClientOptions {
  /** Where the API is mounted: `https://app.example.com/api`. */
  readonly baseUrl: string;
  /** A personal access token (`orgkit_pat_…`), sent as a bearer token. Without it, the session cookie is used. */
  readonly token?: string;
  /** The fetch to use. Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Headers added to every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Fetch's `credentials` when no token is given. Default `same-origin`. */
  readonly credentials?: "omit" | "same-origin" | "include";
}

type Defined<S> = Exclude<S, undefined>;
type QueryValue = string | number | boolean | Date | readonly string[] | undefined;

/** What one endpoint's method takes: `params`, `query` and `body`, each when the endpoint has it. */
export type ClientInput<C extends EndpointContract> = ([Defined<C["params"]>] extends [never]
  ? { readonly params?: undefined }
  : { readonly params: z.input<Defined<C["params"]>> }) &
  ([Defined<C["query"]>] extends [never]
    ? { readonly query?: undefined }
    : { readonly query?: { readonly [K in keyof z.input<Defined<C["query"]>>]?: QueryValue } }) &
  ([Defined<C["body"]>] extends [never]
    ? { readonly body?: undefined }
    : { readonly body: z.input<Defined<C["body"]>> }) & {
    /** Aborts the request. */
    readonly signal?: AbortSignal;
  };

/** What one endpoint's method resolves to: the response body as JSON (dates as ISO strings). */
export type ClientOutput<C extends EndpointContract> = C["response"] extends z.ZodType
  ? C["produces"] extends string
    ? string
    : Jsonify<z.output<C["response"]>>
  : undefined;

type NeedsInput<C extends EndpointContract> = [Defined<C["params"]>] extends [never]
  ? [Defined<C["body"]>] extends [never]
    ? false
    : true
  : true;

/** One endpoint's method. */
export type ClientMethod<C extends EndpointContract> =
  NeedsInput<C> extends true
    ? (input: ClientInput<C>) => Promise<ClientOutput<C>>
    : (input?: ClientInput<C>) => Promise<ClientOutput<C>>;

/**
 * Endpoints a browser navigates to rather than fetches: the SAML login redirect and the form the
 * identity provider posts to the assertion consumer service. The client has no method for them;
 * link to their path instead (`/orgs/{orgId}/identity-providers/{idpId}/sso/login`).
 */
export type NavigationEndpoints = { readonly sso: "login" | "acs" };

type Navigation<G> = G extends keyof NavigationEndpoints ? NavigationEndpoints[G] : never;

/** The client: `client.members.list(...)`, one method per endpoint of the contract but {@link NavigationEndpoints}. */
export type OrgKitClient = {
  readonly [G in keyof OrgKitApiContract]: {
    readonly [N in Exclude<
      keyof OrgKitApiContract[G],
      Navigation<G>
    >]: OrgKitApiContract[G][N] extends EndpointContract ? ClientMethod<OrgKitApiContract[G][N]> : never;
  };
};

/** Whether `declared` is one a browser navigates to (a redirect, or a form post): see {@link NavigationEndpoints}. */
function isNavigation(declared: EndpointContract): boolean {
  return (
    declared.status === 302 ||
    declared.status === 303 ||
    (declared.consumes !== undefined && declared.consumes !== "application/json")
  );
}

/** One rule a password breaks, as PASSWORD_POLICY_VIOLATION lists them. */
export interface PasswordRuleViolation {
  /** The rule, e.g. `TOO_SHORT`. */
  readonly code: string;
  readonly message: string;
  /** The rule's figures, e.g. `{ minLength: 12 }`. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** An error answer of the API: its stable `code`, HTTP `status`, `message` and `param`. */
export class OrgKitApiError extends Error {
  /** The stable UPPER_SNAKE code (`NOT_FOUND`, `LAST_ADMIN`, ...). */
  readonly code: string;
  /** The HTTP status. */
  readonly status: number;
  /** The offending input field, when there is one. */
  readonly param: string | undefined;
  /** Seconds to wait before retrying, on 429. */
  readonly retryAfterSeconds: number | undefined;
  /** PASSWORD_POLICY_VIOLATION only: every rule the password breaks. */
  readonly violations: readonly PasswordRuleViolation[] | undefined;

  constructor(
    status: number,
    body: { code?: unknown; message?: unknown; param?: unknown; violations?: unknown },
    retryAfter?: number,
  ) {
    super(typeof body.message === "string" ? body.message : `HTTP ${status}`);
    this.name = "OrgKitApiError";
    this.status = status;
    this.code = typeof body.code === "string" ? body.code : "INTERNAL";
    this.param = typeof body.param === "string" ? body.param : undefined;
    this.retryAfterSeconds = retryAfter;
    this.violations = Array.isArray(body.violations)
      ? (body.violations as PasswordRuleViolation[])
      : undefined;
  }
}

/** True when `error` is an {@link OrgKitApiError}, optionally with the given code. */
export function isOrgKitApiError(error: unknown, code?: string): error is OrgKitApiError {
  return error instanceof OrgKitApiError && (code === undefined || error.code === code);
}

function queryString(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return "";
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (value instanceof Date) search.set(key, value.toISOString());
    else if (Array.isArray(value)) search.set(key, value.join(","));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/**
 * Creates a typed client of the orgkit HTTP API.
 *
 * @example
 * ```ts
 * const api = createOrgKitClient({ baseUrl: "/api" }); // in the browser, with the session cookie
 * const me = await api.me.get();
 * ```
 */
export function createOrgKitClient(options: OrgKitClientOptions): OrgKitClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl.replace(/\/+$/, "");
  interface AnyInput {
    readonly params?: Record<string, string>;
    readonly query?: Readonly<Record<string, QueryValue>>;
    readonly body?: unknown;
    readonly signal?: AbortSignal;
  }
  const call = async (declared: EndpointContract, input: AnyInput = {}) => {
    const headers: Record<string, string> = { accept: "application/json", ...(options.headers ?? {}) };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (declared.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(input.body ?? {});
    }
    for (const [name, value] of Object.entries(input.params ?? {})) {
      // Even encoded, "." and ".." are dot segments a URL resolves away (`/orgs/..` is `/`).
      if (value === "" || value === "." || value === "..") {
        throw new TypeError(`Path parameter ${name} cannot be "${value}".`);
      }
    }
    const url = `${base}${fillPath(declared.path, input.params)}${queryString(input.query)}`;
    const response = await doFetch(url, {
      method: declared.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(options.token === undefined ? { credentials: options.credentials ?? "same-origin" } : {}),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
    if (!response.ok) {
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      // A proxy's HTML page, `null` or an array is still an error of this API, with a code.
      const errorBody =
        typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : { code: "INTERNAL", message: text.slice(0, 200) || `HTTP ${response.status}` };
      const retryAfter = Number(response.headers.get("retry-after") ?? Number.NaN);
      throw new OrgKitApiError(
        response.status,
        errorBody,
        Number.isFinite(retryAfter) ? retryAfter : undefined,
      );
    }
    if (response.status === 204 || successStatus(declared) === 204) return undefined;
    if (declared.produces !== undefined) return response.text();
    return response.json();
  };
  const client: Record<string, Record<string, unknown>> = {};
  for (const [group, endpoints] of Object.entries(apiContract)) {
    const methods: Record<string, unknown> = {};
    for (const [name, declared] of Object.entries(endpoints as Record<string, EndpointContract>)) {
      if (isNavigation(declared)) continue;
      methods[name] = (input?: AnyInput) => call(declared, input);
    }
    client[group] = methods;
  }
  return client as OrgKitClient;
}
