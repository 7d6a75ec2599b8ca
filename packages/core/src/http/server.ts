/**
 * The server side of the HTTP contract: what an endpoint's implementation receives and returns.
 */
import type { z } from "zod";
import type { OrgKit, OrgKitServices } from "../orgkit.js";
import type { Page } from "../schemas/common.js";
import type { RequestOrigin } from "../services/sessions.js";
import type { ContractGroup, EndpointContract } from "./contract.js";

type Out<S> = [Exclude<S, undefined>] extends [never]
  ? undefined
  : Exclude<S, undefined> extends z.ZodType
    ? z.output<Exclude<S, undefined>>
    : undefined;

/** The caller of a request, once authenticated. */
export interface HttpCaller {
  /** The user's id. */
  readonly userId: string;
  /** How the request authenticated. */
  readonly via: "session" | "token" | "host";
  /** The session token when `via` is `session` (for sign-out and context switching). */
  readonly sessionToken?: string;
}

/** What an endpoint's implementation receives. */
export interface HandlerContext<C extends EndpointContract> {
  /** Path parameters, validated. */
  readonly params: Out<C["params"]>;
  /** The query string, validated (cursors already verified). */
  readonly query: Out<C["query"]>;
  /** The JSON body, validated. */
  readonly body: Out<C["body"]>;
  /** The services as the caller; UNAUTHENTICATED on use when nobody is signed in. */
  readonly services: OrgKitServices;
  /** The caller, or null on a public endpoint called anonymously. */
  readonly caller: HttpCaller | null;
  /** The orgkit instance (for the public surface: `auth`, `users.register`, `sso`, ...). */
  readonly orgkit: OrgKit;
  /** The web request. */
  readonly request: Request;
  /** The source address and user agent, for rate limits and the audit trail. */
  readonly origin: RequestOrigin;
  /** Sets the session cookie (after sign-in or SSO) for `maxAgeSeconds`. */
  setSession(token: string, maxAgeSeconds: number): void;
  /** Clears the session cookie (after sign-out). */
  clearSession(): void;
  /**
   * Pages a bounded list a service returns whole (sessions, tokens): ordered by `key`, cut to the
   * query's clamped `limit`, with a cursor after the last item.
   */
  paginate<T>(items: readonly T[], key: (item: T) => string, query: PageRequest): Page<T>;
}

/** `limit` and `cursor` of a page request (already clamped and verified). */
export interface PageRequest {
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

/**
 * What an implementation returns: the service value (dates as `Date`; shaped by the response
 * schema on the way out), or a `Response` of its own (CSV, XML, a redirect).
 */
export type HandlerResult<C extends EndpointContract> = C["response"] extends z.ZodType
  ? DeepReadonly<z.output<C["response"]>> | Response
  : undefined | Response;

/** `T` with every array and object read-only (what services return satisfies it). */
export type DeepReadonly<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The implementation of one endpoint. */
export type Implementation<C extends EndpointContract> = (
  context: HandlerContext<C>,
) => Promise<HandlerResult<C>>;

/** The implementations of a group of endpoints, one per declaration. */
export type Implementations<G extends ContractGroup> = { readonly [K in keyof G]: Implementation<G[K]> };
