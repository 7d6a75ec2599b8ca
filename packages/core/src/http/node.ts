import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { HttpHandler } from "./handler.js";

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * Behind one reverse proxy: take the client address from the last `X-Forwarded-For` entry (the
   * one the proxy appended; earlier entries are whatever the client sent) and the scheme from
   * the first `X-Forwarded-Proto` value. Default false (the socket's peer address). Express's
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
 * Express's `next`, requests outside the handler's `basePath` go on before their body is read.
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
      const target = incoming.originalUrl ?? incoming.url ?? "/";
      // Paths the API does not own go on untouched: their bodies are for the next middleware.
      if (next !== undefined && handler.basePath !== undefined && !owns(handler.basePath, target)) {
        next();
        return;
      }
      const forwardedProto = options.trustProxy
        ? firstValue(incoming.headers["x-forwarded-proto"])?.split(",")[0]?.trim().toLowerCase()
        : undefined;
      const encrypted = (incoming.socket as { encrypted?: boolean }).encrypted === true;
      const protocol =
        forwardedProto === "https" || forwardedProto === "http"
          ? forwardedProto
          : encrypted
            ? "https"
            : "http";
      const host = incoming.headers.host ?? "localhost";
      // Concatenated, not resolved: a request target of `//evil.test/x` must stay a path here,
      // where `new URL(target, base)` would make it another origin.
      const url = `${protocol}://${host}${target.startsWith("/") ? target : `/${target}`}`;
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
      const forwardedFor = options.trustProxy
        ? firstValue(incoming.headers["x-forwarded-for"])?.split(",").at(-1)?.trim() || undefined
        : undefined;
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

/** Whether the request target (path and query) is under `basePath`. */
function owns(basePath: string, target: string): boolean {
  if (basePath === "") return true;
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  return path === basePath || path.startsWith(`${basePath}/`);
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
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
 * The exports a Next.js route handler needs.
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
