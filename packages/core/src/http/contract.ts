/**
 * The HTTP contract: one declaration per endpoint (method, path, zod schemas, the scope it needs,
 * a summary). The same declarations route and validate requests in `createHttpHandler`, shape
 * responses, generate `GET /openapi.json` and type `createOrgKitClient`.
 *
 * This module and the contracts under `./contracts/` are browser-safe: zod and the domain schemas,
 * no Node built-ins, so the typed client can ship to a browser.
 */
import { z } from "zod";
import type { Scope } from "../authz/scopes.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../schemas/common.js";

/** The HTTP methods the API uses. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call an endpoint: `user` needs a session cookie, a PAT or the host's `authenticate`;
 * `public` needs nobody (sign-in, registration, invitation tokens, SAML); `optional` answers
 * anyone but knows the caller when there is one.
 */
export type EndpointAuth = "user" | "public" | "optional";

/** A zod object of path parameters (every value a string in the path). */
export type ParamsSchema = z.ZodObject<Record<string, z.ZodType<string, string>>>;

/** One endpoint's declaration. */
export interface EndpointContract<
  P extends ParamsSchema | undefined = ParamsSchema | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType | null = z.ZodType | null,
> {
  readonly method: HttpMethod;
  /** The path below the handler's `basePath`, with `{name}` parameters: `/orgs/{orgId}/members`. */
  readonly path: string;
  /** One line for the OpenAPI document and the client's doc comment. */
  readonly summary: string;
  /** A longer description (markdown). */
  readonly description?: string;
  /** Groups the endpoint in the OpenAPI document. */
  readonly tag: string;
  /** Who may call it. Default `user`. */
  readonly auth?: EndpointAuth;
  /**
   * The scope the call needs (documented, and what a PAT must carry). The service checks it, with
   * the organization's roles and policies, on every call; the declaration is not the check.
   */
  readonly scope?: Scope;
  /** Path parameters. */
  readonly params?: P;
  /** Query string, parsed from strings (use {@link queryInt}, {@link queryBoolean}). */
  readonly query?: Q;
  /** JSON body. */
  readonly body?: B;
  /**
   * The response body as the services return it (dates as `Date`); the wire form (dates as ISO
   * strings) is derived by {@link wireSchema}. `null` for 204 No Content.
   */
  readonly response: R;
  /**
   * The success status. Default 200, or 204 when `response` is null; 302/303 for a redirect
   * (the implementation returns the redirect `Response`).
   */
  readonly status?: 200 | 201 | 202 | 204 | 302 | 303;
  /** True when the endpoint is rate-limited and may answer 429 with Retry-After. */
  readonly rateLimited?: boolean;
  /**
   * True when the response is a page (`{ items, nextCursor }`) and the query has `cursor`: the
   * handler signs `nextCursor` and refuses a tampered `cursor` with INVALID_CURSOR.
   */
  readonly paginated?: boolean;
  /** The response's content type when it is not JSON (`text/csv`, `application/xml`, `text/html`). */
  readonly produces?: string;
  /** The request's content type when it is not JSON (`application/x-www-form-urlencoded` for SAML). */
  readonly consumes?: string;
}

/** Declares an endpoint; the identity function that keeps its literal types. */
export function endpoint<
  P extends ParamsSchema | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | null = null,
>(contract: EndpointContract<P, Q, B, R>): EndpointContract<P, Q, B, R> {
  return contract;
}

/** A group of endpoints (`members`, `teams`, ...), keyed by operation name. */
export type ContractGroup = Readonly<Record<string, EndpointContract>>;

/** The whole API: groups keyed by name. `contract.members.list` is operation `members.list`. */
export type ApiContract = Readonly<Record<string, ContractGroup>>;

/** A path parameter: a non-empty string of at most 200 characters. */
export const pathParam = (): z.ZodType<string, string> => z.string().min(1).max(200);

/** A query parameter holding a whole number (`?limit=20`). */
export const queryInt = (): z.ZodType<number | undefined, string | undefined> =>
  z
    .string()
    .regex(/^-?\d{1,9}$/, "Enter a whole number.")
    .transform(Number)
    .optional();

/** A query parameter holding `true` or `false`. */
export const queryBoolean = (): z.ZodType<boolean | undefined, string | undefined> =>
  z
    .enum(["true", "false"], { error: "Enter true or false." })
    .transform((value) => value === "true")
    .optional();

/** A query parameter holding an ISO 8601 instant (`?from=2026-01-01T00:00:00Z`). */
export const queryDate = (): z.ZodType<Date | undefined, string | undefined> =>
  z.iso
    .datetime({ offset: true, error: "Enter an ISO 8601 date and time." })
    .transform((value) => new Date(value))
    .optional();

/**
 * `limit` and `cursor` of a paginated list, from the query string. The limit is clamped to
 * [1, 100] (default 20), never refused for being out of range.
 */
export const pageQuery = () =>
  z.object({
    limit: z
      .string()
      .regex(/^-?\d{1,9}$/, "Enter a whole number.")
      .transform((value) => Math.min(MAX_PAGE_SIZE, Math.max(1, Number(value))))
      .optional()
      .meta({ description: `Page size, clamped to [1, ${MAX_PAGE_SIZE}]; default ${DEFAULT_PAGE_SIZE}.` }),
    cursor: z.string().max(2048).optional().meta({ description: "The `nextCursor` of the previous page." }),
  });

/** Every operation of a contract as `[group, name, endpoint]`, in declaration order. */
export function operations(contract: ApiContract): [string, string, EndpointContract][] {
  const out: [string, string, EndpointContract][] = [];
  for (const [group, endpoints] of Object.entries(contract)) {
    for (const [name, declared] of Object.entries(endpoints)) out.push([group, name, declared]);
  }
  return out;
}

/** The success status of an endpoint. */
export function successStatus(contract: EndpointContract): number {
  return contract.status ?? (contract.response === null ? 204 : 200);
}

/** Fills a path template: `/orgs/{orgId}` with `{ orgId: "acme" }` → `/orgs/acme`. */
export function fillPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new TypeError(`Missing path parameter ${name}.`);
    return encodeURIComponent(value);
  });
}

// ---------------------------------------------------------------------------------------------
// Wire types and schemas: dates travel as ISO strings.

/** The JSON form of a service value: `Date` becomes an ISO string, recursively. */
export type Jsonify<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Jsonify<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonify<T[K]> }
      : T;

const wireCache = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The wire form of a response schema: the same shape with every `z.date()` replaced by an ISO
 * date-time string. Objects strip keys they do not declare (so nothing undeclared ever leaves).
 */
export function wireSchema(schema: z.ZodType): z.ZodType {
  const cached = wireCache.get(schema);
  if (cached !== undefined) return cached;
  const wired = toWire(schema);
  const description = schema.description;
  const result = description === undefined ? wired : wired.describe(description);
  wireCache.set(schema, result);
  return result;
}

function toWire(schema: z.ZodType): z.ZodType {
  const def = (schema as z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case "date":
      return z.iso.datetime();
    case "object": {
      const shape = def.shape as Record<string, z.ZodType>;
      const wired: Record<string, z.ZodType> = {};
      for (const [key, value] of Object.entries(shape)) wired[key] = wireSchema(value);
      const catchall = def.catchall as z.ZodType | undefined;
      const object = z.object(wired);
      return catchall === undefined || catchall._zod.def.type === "never"
        ? object
        : object.catchall(wireSchema(catchall));
    }
    case "array":
      return z.array(wireSchema(def.element as z.ZodType));
    case "optional":
      return wireSchema(def.innerType as z.ZodType).optional();
    case "nullable":
      return wireSchema(def.innerType as z.ZodType).nullable();
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return wireSchema(def.innerType as z.ZodType);
    case "union":
      return z.union(
        (def.options as z.ZodType[]).map((option) => wireSchema(option)) as [z.ZodType, z.ZodType],
      );
    case "record":
      return z.record(def.keyType as z.ZodType<string>, wireSchema(def.valueType as z.ZodType));
    case "tuple":
      return z.tuple((def.items as z.ZodType[]).map((item) => wireSchema(item)) as [z.ZodType]);
    case "pipe":
      // A transform's output is what the service returns: describe it by the pipe's output side.
      return wireSchema(def.out as z.ZodType);
    case "lazy":
      return z.lazy(() => wireSchema((def.getter as () => z.ZodType)()));
    default:
      return schema;
  }
}

/** Converts a zod schema to an inline JSON Schema (2020-12, OpenAPI 3.1's dialect). */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const converted = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    // An empty registry: every schema inline, none hoisted into `$defs`.
    metadata: z.registry<Record<string, unknown>>(),
  }) as Record<string, unknown>;
  delete converted.$schema;
  dropDateTimePatterns(converted);
  return converted;
}

/** `format: date-time` says it all; zod's 400-character regex for it only bloats the document. */
function dropDateTimePatterns(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropDateTimePatterns(item);
  } else if (node !== null && typeof node === "object") {
    const record = node as Record<string, unknown>;
    if (record.format === "date-time") delete record.pattern;
    for (const value of Object.values(record)) dropDateTimePatterns(value);
  }
}
