import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { OrgKitError } from "../errors.js";
import type { Actor, OrgKit, OrgKitServices } from "../orgkit.js";
import { parseInput } from "../schemas/common.js";
import { decodeCursor, encodeCursor } from "../services/cursor.js";
import type { RequestOrigin } from "../services/sessions.js";
import {
  type ApiContract,
  type EndpointContract,
  operations,
  successStatus,
  wireSchema,
} from "./contract.js";
import { apiContract } from "./contracts/index.js";
import { apiImplementations } from "./handlers/index.js";
import { buildOpenApiDocument, type OpenApiInfo } from "./openapi.js";
import type { HandlerContext, HttpCaller, Implementation, PageRequest } from "./server.js";

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  /** Where the API is mounted: `/api` serves `/api/orgs/...`. Default `""` (the root). */
  readonly basePath?: string;
  /** The session cookie's name. Default `orgkit_session`. */
  readonly cookieName?: string;
  /** Marks the session cookie `Secure`. Default true; turn it off only for http://localhost. */
  readonly secureCookie?: boolean;
  /**
   * Origins besides the request's own that may make cookie-authenticated mutations
   * (`https://admin.example.com`). Default none.
   */
  readonly trustedOrigins?: readonly string[];
  /** The largest JSON body accepted, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Signs list cursors (HMAC-SHA-256). Give every instance behind one load balancer the same
   * secret of at least 32 characters; default a random one per handler (cursors then do not
   * survive a restart).
   */
  readonly secret?: string;
  /**
   * A host with its own login: the actor of a request, or null for anonymous. Used when a request
   * has no bearer token (bearer requests always authenticate by their token); replaces the
   * session cookie. Its mutations are held to the same-origin rule.
   */
  readonly authenticate?: (request: Request) => Promise<Actor | null> | Actor | null;
  /**
   * The caller's address when no `ip` is passed per request (`toNodeHandler` passes the peer's).
   * Give it on platforms that pass none (Next, Bun, Deno, Workers): without an address, the
   * per-address rate limits (sign-in, registration, SAML) cannot count.
   */
  readonly clientAddress?: (request: Request) => string | undefined;
  /** Told of every unexpected (500) error; the client only sees `{ code: "INTERNAL" }`. */
  readonly onError?: (error: unknown, request: Request) => void;
  /** The OpenAPI document's `info`. */
  readonly info?: Partial<OpenApiInfo>;
}

/** Per-request facts the platform knows and `Request` does not (`toNodeHandler` passes them). */
export interface RequestInfo {
  /** The peer's address. */
  readonly ip?: string;
}

/**
 * The web-standard handler {@link createHttpHandler} returns. `basePath` is where it is mounted
 * (`""` for the root): adapters use it to pass other paths on without touching their bodies.
 */
export interface HttpHandler {
  (request: Request, info?: RequestInfo): Promise<Response>;
  /** Where the handler is mounted (`/api`, or `""` for the root); absent on a plain function. */
  readonly basePath?: string;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const BEARER = /^Bearer\s+(\S+)\s*$/i;
const NO_STORE = "no-store";

interface Route {
  readonly operationId: string;
  readonly contract: EndpointContract;
  readonly implementation: Implementation<EndpointContract>;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly rank: string;
}

/**
 * The HTTP API as a web-standard `(request) => Promise<Response>`: every service of `orgkit`
 * behind the endpoints of {@link apiContract}, plus `GET /openapi.json`.
 *
 * @example
 * ```ts
 * const handler = createHttpHandler(orgkit, { basePath: "/api" });
 * // Bun, Deno, Cloudflare: export default { fetch: handler }
 * // Node: http.createServer(toNodeHandler(handler))
 * // Next: export const { GET, POST, PATCH, PUT, DELETE } = toNextHandlers(handler)
 * ```
 */
export function createHttpHandler(orgkit: OrgKit, options: HttpHandlerOptions = {}): HttpHandler {
  const basePath = normalizeBasePath(options.basePath ?? "");
  const cookieName = options.cookieName ?? "orgkit_session";
  const secureCookie = options.secureCookie ?? true;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  if (options.secret !== undefined && options.secret.length < 32) {
    throw new OrgKitError("VALIDATION_FAILED", {
      param: "secret",
      message: "The cursor secret has at least 32 characters.",
    });
  }
  const secret = options.secret ?? randomBytes(32).toString("base64url");
  const trustedOrigins = new Set((options.trustedOrigins ?? []).map((origin) => new URL(origin).origin));
  const routes = compileRoutes(apiContract, apiImplementations);
  let openApi: string | undefined;

  const signCursor = (cursor: string) =>
    `${cursor}.${createHmac("sha256", secret).update(cursor).digest("base64url")}`;
  const verifyCursor = (signed: string): string => {
    const dot = signed.lastIndexOf(".");
    const cursor = dot < 0 ? "" : signed.slice(0, dot);
    const expected = Buffer.from(signCursor(cursor).slice(cursor.length + 1));
    const given = Buffer.from(signed.slice(dot + 1));
    if (dot < 0 || expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new OrgKitError("INVALID_CURSOR", { param: "cursor" });
    }
    return cursor;
  };

  const cookie = (value: string, maxAgeSeconds: number) =>
    [
      `${cookieName}=${value}`,
      `Path=${basePath === "" ? "/" : basePath}`,
      `Max-Age=${maxAgeSeconds}`,
      "HttpOnly",
      "SameSite=Lax",
      ...(secureCookie ? ["Secure"] : []),
    ].join("; ");

  async function handle(request: Request, info?: RequestInfo): Promise<Response> {
    const headers = new Headers({ "cache-control": NO_STORE });
    try {
      const url = new URL(request.url);
      if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
        // Not the API's: `toNodeHandler` hands such requests to Express's `next()`.
        headers.set("x-orgkit-route", "none");
        throw notFoundRoute();
      }
      const path = url.pathname.slice(basePath.length) || "/";

      if (path === "/openapi.json") {
        if (request.method !== "GET") throw new OrgKitError("METHOD_NOT_ALLOWED");
        openApi ??= JSON.stringify(
          buildOpenApiDocument(apiContract, { basePath, cookieName, info: options.info }),
        );
        headers.set("content-type", "application/json; charset=utf-8");
        headers.set("cache-control", "public, max-age=300");
        return new Response(openApi, { status: 200, headers });
      }

      const { route, params: rawParams } = matchRoute(routes, request.method, path);
      const { contract } = route;
      const origin: RequestOrigin = {
        ip: info?.ip ?? options.clientAddress?.(request),
        userAgent: request.headers.get("user-agent")?.slice(0, 512) ?? undefined,
      };

      // Authentication: a bearer request is its token alone; otherwise the host's hook or the cookie.
      let caller: HttpCaller | null = null;
      let actor: Actor | null = null;
      const authorization = request.headers.get("authorization");
      if (authorization !== null) {
        const bearer = BEARER.exec(authorization);
        if (bearer === null) {
          throw new OrgKitError("UNAUTHENTICATED", { message: "Use Authorization: Bearer orgkit_pat_…" });
        }
        const tokenActor = await orgkit.auth.authenticateToken(bearer[1] as string, origin);
        actor = tokenActor;
        caller = { userId: tokenActor.userId, via: "token" };
      } else if (options.authenticate !== undefined) {
        actor = (await options.authenticate(request)) ?? null;
        if (actor !== null) caller = { userId: actor.userId, via: "host" };
      } else {
        const sessionToken = readCookie(request.headers.get("cookie"), cookieName);
        if (sessionToken !== undefined && contract.auth !== "public") {
          try {
            const authenticated = await orgkit.auth.authenticate(sessionToken, origin);
            actor = authenticated.actor;
            caller = { userId: actor.userId, via: "session", sessionToken };
          } catch (error) {
            // A stale cookie on a public endpoint is no caller; on the rest it is a 401 below.
            if (!(error instanceof OrgKitError && error.code === "UNAUTHENTICATED")) throw error;
            headers.append("set-cookie", cookie("", 0));
          }
        }
      }
      if (caller === null && (contract.auth ?? "user") === "user") throw new OrgKitError("UNAUTHENTICATED");
      if (caller !== null && caller.via !== "token" && MUTATING.has(request.method)) {
        assertSameOrigin(request, url, trustedOrigins);
      }

      const rawQuery = queryObject(url.searchParams);
      rejectNul(rawParams, "");
      rejectNul(rawQuery, "");
      const params = contract.params === undefined ? undefined : parseInput(contract.params, rawParams);
      if (contract.paginated && typeof rawQuery.cursor === "string") {
        rawQuery.cursor = verifyCursor(rawQuery.cursor);
      }
      const query = contract.query === undefined ? undefined : parseInput(contract.query, rawQuery);
      const rawBody =
        contract.body === undefined ? undefined : await readBody(request, contract, maxBodyBytes);
      rejectNul(rawBody, "");
      const body = contract.body === undefined ? undefined : parseInput(contract.body, rawBody);

      let services: OrgKitServices | undefined;
      const context: HandlerContext<EndpointContract> = {
        params: params as HandlerContext<EndpointContract>["params"],
        query,
        body,
        caller,
        orgkit,
        request,
        origin,
        get services() {
          if (actor === null) throw new OrgKitError("UNAUTHENTICATED");
          services ??= orgkit.as({ ...actor, ...(origin.ip ? { ip: origin.ip } : {}) });
          return services;
        },
        setSession(token, maxAgeSeconds) {
          headers.append("set-cookie", cookie(token, Math.max(0, Math.floor(maxAgeSeconds))));
        },
        clearSession() {
          headers.append("set-cookie", cookie("", 0));
        },
        // The list's scope names the operation, the caller, the path (so the organization) and the
        // filters: a cursor of another organization's list, or of the same list filtered
        // otherwise, is refused.
        paginate: (items, key, pageRequest) =>
          paginate(
            items,
            key,
            pageRequest,
            `${route.operationId}|${caller?.userId ?? ""}|${JSON.stringify(rawParams)}|${listFilters(rawQuery)}`,
          ),
      };

      const result = await route.implementation(context);
      if (result instanceof Response) {
        for (const [name, value] of headers) if (!result.headers.has(name)) result.headers.set(name, value);
        return result;
      }
      const status = successStatus(contract);
      if (contract.response === null || status === 204 || status === 302 || status === 303) {
        if (status !== 204)
          throw new Error(`${route.operationId} declares a redirect but returned no Response.`);
        return new Response(null, { status: 204, headers });
      }
      const shaped = wireSchema(contract.response).safeParse(toJsonValue(result));
      if (!shaped.success) {
        throw new Error(
          `Response of ${route.operationId} does not match its schema: ${shaped.error.message}`,
        );
      }
      let value = shaped.data as Record<string, unknown>;
      if (contract.paginated && typeof value.nextCursor === "string") {
        value = { ...value, nextCursor: signCursor(value.nextCursor) };
      }
      headers.set("content-type", "application/json; charset=utf-8");
      return new Response(JSON.stringify(value), { status, headers });
    } catch (error) {
      return errorResponse(error, headers, request, options.onError);
    }
  }
  return Object.assign(handle, { basePath });
}

/** The query of a list request without its page position, in a stable order. */
function listFilters(query: Record<string, unknown>): string {
  const entries = Object.entries(query).filter(([name]) => name !== "cursor" && name !== "limit");
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

function normalizeBasePath(basePath: string): string {
  if (basePath === "" || basePath === "/") return "";
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(basePath)) {
    throw new OrgKitError("VALIDATION_FAILED", {
      param: "basePath",
      message: "basePath is a path like /api.",
    });
  }
  return basePath.replace(/\/+$/, "");
}

function compileRoutes(
  contract: ApiContract,
  implementations: Readonly<Record<string, Readonly<Record<string, Implementation<EndpointContract>>>>>,
): Route[] {
  const routes: Route[] = [];
  for (const [group, name, declared] of operations(contract)) {
    const implementation = implementations[group]?.[name];
    if (implementation === undefined) throw new Error(`No implementation for ${group}.${name}.`);
    const names: string[] = [];
    const segments = declared.path.split("/").filter((segment) => segment !== "");
    const source = segments
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (param === null) return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
        names.push(param[1] as string);
        return "/([^/]+)";
      })
      .join("");
    // Literal segments win over parameters at the same position (`/me/tokens` before `/{ownerId}/...`).
    const rank = segments.map((segment) => (segment.startsWith("{") ? "1" : "0")).join("");
    routes.push({
      operationId: `${group}.${name}`,
      contract: declared,
      implementation,
      pattern: new RegExp(`^${source === "" ? "/" : source}$`),
      names,
      rank,
    });
  }
  return routes.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
}

function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match === null) continue;
    pathMatched = true;
    if (route.contract.method !== method) continue;
    const params: Record<string, string> = Object.create(null);
    for (const [index, name] of route.names.entries()) {
      try {
        params[name] = decodeURIComponent(match[index + 1] as string);
      } catch {
        throw notFoundRoute();
      }
    }
    return { route, params };
  }
  if (pathMatched) throw new OrgKitError("METHOD_NOT_ALLOWED");
  throw notFoundRoute();
}

function notFoundRoute(): OrgKitError {
  return new OrgKitError("NOT_FOUND", { message: "No such endpoint." });
}

function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value === "" ? undefined : value;
    }
  }
  return undefined;
}

/** Cookie-authenticated mutations must come from this site (Sec-Fetch-Site, else Origin). */
function assertSameOrigin(request: Request, url: URL, trusted: ReadonlySet<string>): void {
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  if (origin !== null && (origin === url.origin || trusted.has(origin))) return;
  if (origin === null && site === "same-origin") return;
  throw new OrgKitError("CROSS_ORIGIN_REQUEST");
}

/**
 * Refuses U+0000 anywhere in a request's text: no store keeps it (Postgres refuses it in text),
 * and no legitimate id, name or query holds it.
 */
function rejectNul(value: unknown, path: string): void {
  if (typeof value === "string") {
    if (value.includes("\u0000")) {
      throw new OrgKitError("VALIDATION_FAILED", {
        ...(path === "" ? {} : { param: path }),
        message: "Text cannot contain the NUL character.",
      });
    }
    return;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      rejectNul(key, path);
      rejectNul(item, path === "" ? key : `${path}.${key}`);
    }
  }
}

function queryObject(searchParams: URLSearchParams): Record<string, unknown> {
  // A plain object built with own properties only: `?__proto__=x` is a key like any other.
  const out: Record<string, unknown> = {};
  for (const [key, value] of searchParams) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

async function readBody(request: Request, contract: EndpointContract, maxBytes: number): Promise<unknown> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  const expected = contract.consumes ?? "application/json";
  if (request.body === null) {
    if (type === "" || type === expected) return expected === "application/json" ? {} : {};
  }
  if (type !== expected) {
    throw new OrgKitError("UNSUPPORTED_MEDIA_TYPE", { message: `Send the request body as ${expected}.` });
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new OrgKitError("PAYLOAD_TOO_LARGE");
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new OrgKitError("PAYLOAD_TOO_LARGE");
      }
      chunks.push(value);
    }
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
  if (expected === "application/x-www-form-urlencoded") return queryObject(new URLSearchParams(text));
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new OrgKitError("VALIDATION_FAILED", { param: "body", message: "The body is not valid JSON." });
  }
}

/** Dates to ISO strings, recursively; what `JSON.stringify` would make, without the round trip. */
function toJsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = toJsonValue(item);
    }
    return out;
  }
  return value;
}

function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  request: PageRequest,
  scope: string,
): { items: T[]; nextCursor: string | null } {
  const limit = request.limit ?? 20;
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const after =
    request.cursor === undefined ? undefined : (decodeCursor(request.cursor, scope, ["string"])[0] as string);
  const rest = after === undefined ? sorted : sorted.filter((item) => key(item) > after);
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page,
    nextCursor: rest.length > limit && last !== undefined ? encodeCursor(scope, [key(last)]) : null,
  };
}

function errorResponse(
  error: unknown,
  headers: Headers,
  request: Request,
  onError: ((error: unknown, request: Request) => void) | undefined,
): Response {
  let known: OrgKitError;
  if (error instanceof OrgKitError && error.code !== "INTERNAL") {
    known = error;
  } else {
    onError?.(error, request);
    known = new OrgKitError("INTERNAL");
  }
  if (known.code === "RATE_LIMITED") {
    const seconds = Number(known.details?.retryAfterSeconds ?? 60);
    headers.set("retry-after", String(Math.max(1, Math.ceil(seconds))));
  }
  if (known.code === "METHOD_NOT_ALLOWED") headers.set("allow", "GET, POST, PUT, PATCH, DELETE");
  headers.set("content-type", "application/json; charset=utf-8");
  const body: Record<string, unknown> = { ...known.toJSON() };
  // The one detail a client needs: each broken password rule, for a strength meter.
  if (known.code === "PASSWORD_POLICY_VIOLATION" && Array.isArray(known.details?.violations)) {
    body.violations = known.details.violations;
  }
  return new Response(JSON.stringify(body), { status: known.status, headers });
}
