import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { HttpHandler } from "./handler.js";

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * Behind one reverse proxy: take the client address from the last `X-Forwarded-For` entry and
   * the scheme from the last `X-Forwarded-Proto` entry (the ones the proxy appended; earlier
   * entries are whatever the client sent). Default false (the socket's peer address). Express's
   * mount path is kept either way (`req.originalUrl` is used when present).
   */
  readonly trustProxy?: boolean;
}

/** A Node request handler, Express-compatible (`next` is called for paths the API does not own). */
export type NodeHandler = (
  request: IncomingMessage & { originalUrl?: string },
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/**
 * Adapts the web-standard handler to `node:http` and Express: builds a `Request` from the
 * incoming message (streaming its body), passes the peer address (or, with `trustProxy`, the last
 * `X-Forwarded-For` address and `X-Forwarded-Proto`), and writes the `Response` back. With
 * Express's `next`, requests outside the handler's `basePath` go on before their body is read
 * (a wrapper around the handler keeps that only if it copies `basePath`). A Host header that is
 * not a host name answers 400.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * createServer(toNodeHandler(createHttpHandler(orgkit, { basePath: "/api" }))).listen(3000);
 * // Express: app.use(toNodeHandler(handler)) — before any body parser for /api.
 * ```
 */
export function toNodeHandler(handler: HttpHandler, options: NodeHandlerOptions = {}): NodeHandler {
  return (incoming, outgoing, next) => {
    void (async () => {
      const host = incoming.headers.host || "localhost";
      if (!HOST.test(host)) {
        // An empty or odd Host would otherwise change the origin or the path once concatenated.
        outgoing.writeHead(400, { "content-type": "application/json; charset=utf-8" });
        outgoing.end(
          JSON.stringify({
            code: "VALIDATION_FAILED",
            message: "The Host header is not a host name.",
            param: "host",
          }),
        );
        incoming.resume();
        return;
      }
      const forwardedProto = options.trustProxy
        ? lastEntry(incoming.headers["x-forwarded-proto"])?.toLowerCase()
        : undefined;
      const encrypted = (incoming.socket as { encrypted?: boolean }).encrypted === true;
      const protocol =
        forwardedProto === "https" || forwardedProto === "http"
          ? forwardedProto
          : encrypted
            ? "https"
            : "http";
      const url = `${protocol}://${host}${requestPath(incoming.originalUrl ?? incoming.url ?? "/")}`;
      // Paths the API does not own go on untouched, judged as the handler will judge them (dot
      // segments resolved): their bodies are for the next middleware.
      if (next !== undefined && handler.basePath !== undefined && !owns(handler.basePath, url)) {
        next();
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value === undefined) continue;
        if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        else headers.set(name, value);
      }
      const method = incoming.method ?? "GET";
      const hasBody = method !== "GET" && method !== "HEAD";
      const request = new Request(url, {
        method,
        headers,
        ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
      } as RequestInit);
      // The proxy in front appends the address it saw last: earlier entries are the client's word.
      const forwardedFor = options.trustProxy ? lastEntry(incoming.headers["x-forwarded-for"]) : undefined;
      const ip = forwardedFor ?? incoming.socket.remoteAddress;
      const response = await handler(request, ip === undefined ? undefined : { ip });
      if (
        response.status === 404 &&
        next !== undefined &&
        response.headers.get("x-orgkit-route") === "none"
      ) {
        next();
        return;
      }
      const setCookies = response.headers.getSetCookie();
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of response.headers) if (name !== "set-cookie") out[name] = value;
      if (setCookies.length > 0) out["set-cookie"] = setCookies;
      outgoing.writeHead(response.status, out);
      outgoing.end(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      if (next !== undefined) next(error);
      else if (!outgoing.headersSent) {
        outgoing.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        outgoing.end(JSON.stringify({ code: "INTERNAL", message: "Something went wrong on our side." }));
      } else outgoing.destroy();
    });
  };
}

/** A Host header: a name or an IPv4 address, or a bracketed IPv6 address, and an optional port. */
const HOST = /^(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The path and query of a request target. Origin-form (`/api/me`) is kept as it is, never
 * resolved against a base (`//evil.test/x` stays a path rather than becoming another origin);
 * absolute-form (`http://host/api/me`, which HTTP/1.1 servers must accept) gives its path.
 */
function requestPath(target: string): string {
  if (target.startsWith("/")) return target;
  if (/^https?:\/\//i.test(target)) {
    try {
      const url = new URL(target);
      return `${url.pathname}${url.search}`;
    } catch {
      return "/";
    }
  }
  return `/${target}`;
}

/** Whether `url`'s path, dot segments resolved as `Request` resolves them, is under `basePath`. */
function owns(basePath: string, url: string): boolean {
  if (basePath === "") return true;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return true; // The handler answers the malformed request itself.
  }
  return path === basePath || path.startsWith(`${basePath}/`);
}

/** The last comma-separated entry of a header (the one the nearest proxy wrote), trimmed. */
function lastEntry(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(",") : value;
  return joined?.split(",").at(-1)?.trim() || undefined;
}

/** The route handler exports of a Next.js App Router catch-all route (`app/api/[...orgkit]/route.ts`). */
export interface NextRouteHandlers {
  readonly GET: (request: Request) => Promise<Response>;
  readonly POST: (request: Request) => Promise<Response>;
  readonly PUT: (request: Request) => Promise<Response>;
  readonly PATCH: (request: Request) => Promise<Response>;
  readonly DELETE: (request: Request) => Promise<Response>;
}

/**
 * The exports a Next.js route handler needs. Next passes no peer address: give
 * `createHttpHandler` a `clientAddress` (from the header your platform sets, such as the last
 * `x-forwarded-for` entry on Vercel), or the per-address rate limits (sign-in, registration,
 * SAML) have no address to count by.
 *
 * @example
 * ```ts
 * // app/api/[...orgkit]/route.ts
 * export const { GET, POST, PUT, PATCH, DELETE } = toNextHandlers(createHttpHandler(orgkit, { basePath: "/api" }));
 * ```
 */
export function toNextHandlers(handler: HttpHandler): NextRouteHandlers {
  const route = (request: Request) => handler(request);
  return { GET: route, POST: route, PUT: route, PATCH: route, DELETE: route };
}
