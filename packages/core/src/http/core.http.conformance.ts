/**
 * The HTTP layer's own behaviour: cookies, bearer tokens, the host's authenticate hook, the
 * same-origin rule, body limits, pagination and cursors, errors, rate limits, the OpenAPI
 * document, the Node and Next adapters, and the typed client.
 */
import { once } from "node:events";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrgKitClient, isOrgKitApiError, OrgKitApiError } from "../client/index.js";
import type { ConformanceHarness } from "../testing/harness.js";
import { operations } from "./contract.js";
import { apiContract } from "./contracts/index.js";
import { createHttpHandler } from "./handler.js";
import {
  createHttpFixture,
  FIXTURE_BASE_PATH,
  FIXTURE_ORIGIN,
  FIXTURE_PASSWORD,
  type HttpFixture,
} from "./http-fixture.js";
import { toNextHandlers, toNodeHandler } from "./node.js";

/** Sends a raw HTTP/1.1 request (any target, any Host) and resolves with its status. */
function rawRequest(
  port: number,
  options: { method?: string; path: string; host?: string; body?: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: "127.0.0.1",
      port,
      method: options.method ?? "GET",
      path: options.path,
      setHost: options.host === undefined,
      headers: options.host === undefined ? {} : { host: options.host },
    });
    outgoing.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

function sessionCookieOf(headers: Headers): string | undefined {
  return headers.getSetCookie().find((cookie) => cookie.startsWith("orgkit_session="));
}

/** Registers the HTTP layer's tests on one engine. */
export function coreHttpConformance(harness: ConformanceHarness): void {
  describe("the HTTP layer", () => {
    let fx: HttpFixture;
    beforeAll(async () => {
      fx = await createHttpFixture(harness);
    });
    afterAll(async () => {
      await fx?.close();
    });

    describe("session cookies", () => {
      it("signs in with an HttpOnly, SameSite=Lax, Secure cookie scoped to the base path", async () => {
        const result = await fx.send("POST", "/sessions", {
          body: { email: fx.a.member.email, password: FIXTURE_PASSWORD },
        });
        expect(result.status).toBe(201);
        expect(result.body.user.id).toBe(fx.a.member.id);
        expect(result.text).not.toContain("orgkit_ses_");
        const cookie = sessionCookieOf(result.headers)!;
        expect(cookie).toMatch(
          /^orgkit_session=orgkit_ses_[^;]+; Path=\/api; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/,
        );
        expect(Number(/Max-Age=(\d+)/.exec(cookie)![1])).toBeGreaterThan(6 * 24 * 3600);

        const me = await fx.send("GET", "/me", { as: { cookie: cookie.split(";")[0]! } });
        expect(me.status).toBe(200);
        expect(me.body.id).toBe(fx.a.member.id);
      });

      it("leaves Secure off only when configured for localhost", async () => {
        const handler = createHttpHandler(fx.orgkit, { basePath: "/api", secureCookie: false });
        const response = await handler(
          new Request(`${FIXTURE_ORIGIN}/api/sessions`, {
            method: "POST",
            headers: { "content-type": "application/json", origin: FIXTURE_ORIGIN },
            body: JSON.stringify({ email: fx.a.member.email, password: FIXTURE_PASSWORD }),
          }),
        );
        expect(response.status).toBe(201);
        const cookie = sessionCookieOf(response.headers)!;
        expect(cookie).toContain("HttpOnly");
        expect(cookie).not.toContain("Secure");
      });

      it("signs out: the cookie is cleared and no longer authenticates", async () => {
        const session = await fx.signIn(fx.a.member);
        const out = await fx.send("DELETE", "/sessions/current", { as: session });
        expect(out.status).toBe(204);
        expect(sessionCookieOf(out.headers)).toMatch(/^orgkit_session=; .*Max-Age=0/);
        const after = await fx.send("GET", "/me", { as: session });
        expect(after.status).toBe(401);
        expect(after.body).toEqual({ code: "UNAUTHENTICATED", message: expect.any(String) });
      });

      it("switches the session's context to an organization and back", async () => {
        const session = await fx.signIn(fx.a.member);
        const into = await fx.send("PUT", "/sessions/current/context", {
          as: session,
          body: { organizationId: fx.a.org.id },
        });
        expect(into.status).toBe(200);
        expect(into.body.organizationId).toBe(fx.a.org.id);
        const foreign = await fx.send("PUT", "/sessions/current/context", {
          as: session,
          body: { organizationId: fx.b.org.id },
        });
        expect(foreign.status).toBe(404);
        const current = await fx.send("GET", "/sessions/current", { as: session });
        expect(current.body.organizationId).toBe(fx.a.org.id);
      });
    });

    describe("bearer tokens", () => {
      it("authenticate by the token alone, whatever cookie comes with them", async () => {
        const bobToken = await fx.pat(fx.a.member, ["members:get"]);
        const result = await fx.send("GET", "/me", {
          headers: {
            authorization: `Bearer ${(bobToken as { token: string }).token}`,
            cookie: (fx.a.adminCookie as { cookie: string }).cookie,
          },
        });
        expect(result.status).toBe(200);
        expect(result.body.id).toBe(fx.a.member.id);

        const broken = await fx.send("GET", "/me", {
          headers: {
            authorization: "Bearer orgkit_pat_nottherightshape",
            cookie: (fx.a.adminCookie as { cookie: string }).cookie,
          },
        });
        expect(broken.status).toBe(401);
        const notBearer = await fx.send("GET", "/me", { headers: { authorization: "Basic YTpi" } });
        expect(notBearer.status).toBe(401);
      });

      it("need no Origin for mutations, and carry only their scopes", async () => {
        const token = await fx.pat(fx.a.admin, ["org:update"]);
        const update = await fx.send("PATCH", `/orgs/${fx.a.org.id}`, {
          as: token,
          crossSite: true,
          body: { description: "Set with a token" },
        });
        expect(update.status).toBe(200);
        expect(update.body.description).toBe("Set with a token");
        const members = await fx.send("GET", `/orgs/${fx.a.org.id}/members`, { as: token });
        expect(members.status).toBe(403);
        expect(members.body.code).toBe("FORBIDDEN");
      });
    });

    describe("the same-origin rule for cookie-authenticated mutations", () => {
      const describeChange = () => ({ description: `changed ${Math.random()}` });

      it.each([
        ["no Origin and no Sec-Fetch-Site", {}],
        ["another site's Origin", { origin: "https://evil.example" }],
        ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
        ["Sec-Fetch-Site: same-site without Origin", { "sec-fetch-site": "same-site" }],
        ["the string null as Origin", { origin: "null" }],
      ])("refuses %s with 403 CROSS_ORIGIN_REQUEST and changes nothing", async (_label, headers) => {
        const before = await fx.a.adminServices.organizations.get(fx.a.org.id);
        const result = await fx.send("PATCH", `/orgs/${fx.a.org.id}`, {
          as: fx.a.adminCookie,
          crossSite: true,
          headers,
          body: describeChange(),
        });
        expect(result.status).toBe(403);
        expect(result.body.code).toBe("CROSS_ORIGIN_REQUEST");
        expect(await fx.a.adminServices.organizations.get(fx.a.org.id)).toEqual(before);
      });

      it("accepts the site's own Origin, Sec-Fetch-Site: same-origin, and a trusted origin", async () => {
        const own = await fx.send("PATCH", `/orgs/${fx.a.org.id}`, {
          as: fx.a.adminCookie,
          body: describeChange(),
        });
        expect(own.status).toBe(200);
        const fetchMeta = await fx.send("PATCH", `/orgs/${fx.a.org.id}`, {
          as: fx.a.adminCookie,
          crossSite: true,
          headers: { "sec-fetch-site": "same-origin" },
          body: describeChange(),
        });
        expect(fetchMeta.status).toBe(200);
        const trusting = createHttpHandler(fx.orgkit, {
          basePath: "/api",
          trustedOrigins: ["https://admin.example.test"],
        });
        const response = await trusting(
          new Request(`${FIXTURE_ORIGIN}/api/orgs/${fx.a.org.id}`, {
            method: "PATCH",
            headers: {
              "content-type": "application/json",
              origin: "https://admin.example.test",
              cookie: (fx.a.adminCookie as { cookie: string }).cookie,
            },
            body: JSON.stringify(describeChange()),
          }),
        );
        expect(response.status).toBe(200);
      });

      it("applies to a host's own authentication too, and the hook sees every request", async () => {
        const seen: string[] = [];
        const handler = createHttpHandler(fx.orgkit, {
          basePath: "/api",
          authenticate: (request) => {
            seen.push(request.method);
            const user = request.headers.get("x-host-user");
            return user === null ? null : { userId: user };
          },
        });
        const me = await handler(
          new Request(`${FIXTURE_ORIGIN}/api/me`, { headers: { "x-host-user": fx.a.member.id } }),
        );
        expect(me.status).toBe(200);
        expect(((await me.json()) as { id: string }).id).toBe(fx.a.member.id);
        const anonymous = await handler(new Request(`${FIXTURE_ORIGIN}/api/me`));
        expect(anonymous.status).toBe(401);
        const crossSite = await handler(
          new Request(`${FIXTURE_ORIGIN}/api/orgs/${fx.a.org.id}`, {
            method: "PATCH",
            headers: {
              "x-host-user": fx.a.admin.id,
              "content-type": "application/json",
              origin: "https://evil.example",
            },
            body: JSON.stringify(describeChange()),
          }),
        );
        expect(crossSite.status).toBe(403);
        expect(seen).toEqual(["GET", "GET", "PATCH"]);
      });
    });

    describe("request bodies", () => {
      it("takes JSON only: 415 for another content type, 400 for malformed JSON", async () => {
        const form = await fx.send("PATCH", `/orgs/${fx.a.org.id}`, {
          as: fx.a.adminCookie,
          rawBody: "description=x",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expect(form.status).toBe(415);
        expect(form.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
        const malformed = await fx.send("PATCH", `/orgs/${fx.a.org.id}`, {
          as: fx.a.adminCookie,
          rawBody: '{"description": ',
          headers: { "content-type": "application/json" },
        });
        expect(malformed.status).toBe(400);
        expect(malformed.body).toMatchObject({ code: "VALIDATION_FAILED", param: "body" });
      });

      it("names the offending field and refuses unknown ones", async () => {
        const wrongType = await fx.send("PATCH", `/orgs/${fx.a.org.id}`, {
          as: fx.a.adminCookie,
          body: { name: 42 },
        });
        expect(wrongType.status).toBe(400);
        expect(wrongType.body).toMatchObject({ code: "VALIDATION_FAILED", param: "name" });
        const unknown = await fx.send("PATCH", `/orgs/${fx.a.org.id}`, {
          as: fx.a.adminCookie,
          body: { isAdmin: true },
        });
        expect(unknown.status).toBe(400);
        expect(unknown.body.param).toBe("isAdmin");
      });

      it("refuses the NUL character anywhere: path, query or body (Postgres cannot store it)", async () => {
        const inPath = await fx.send("GET", "/orgs/%00/members", { as: fx.a.adminCookie });
        expect(inPath.status).toBe(400);
        expect(inPath.body.code).toBe("VALIDATION_FAILED");
        const inQuery = await fx.send("GET", `/orgs/${fx.a.org.id}/members`, {
          as: fx.a.adminCookie,
          query: { search: "a\u0000b" },
        });
        expect(inQuery.status).toBe(400);
        expect(inQuery.body.param).toBe("search");
        const before = await fx.a.adminServices.organizations.get(fx.a.org.id);
        const inBody = await fx.send("PATCH", `/orgs/${fx.a.org.id}`, {
          as: fx.a.adminCookie,
          body: { description: "nul \u0000 here" },
        });
        expect(inBody.status).toBe(400);
        expect(inBody.body.param).toBe("description");
        expect(await fx.a.adminServices.organizations.get(fx.a.org.id)).toEqual(before);
      });

      it("refuses a body over the size limit with 413, streamed or declared", async () => {
        const small = createHttpHandler(fx.orgkit, { basePath: "/api", maxBodyBytes: 1024 });
        const big = JSON.stringify({ description: "x".repeat(2000) });
        const headers = {
          "content-type": "application/json",
          origin: FIXTURE_ORIGIN,
          cookie: (fx.a.adminCookie as { cookie: string }).cookie,
        };
        const declared = await small(
          new Request(`${FIXTURE_ORIGIN}/api/orgs/${fx.a.org.id}`, {
            method: "PATCH",
            headers: { ...headers, "content-length": String(big.length) },
            body: big,
          }),
        );
        expect(declared.status).toBe(413);
        const streamed = await small(
          new Request(`${FIXTURE_ORIGIN}/api/orgs/${fx.a.org.id}`, {
            method: "PATCH",
            headers,
            body: new ReadableStream({
              start(controller) {
                for (let i = 0; i < 4; i += 1)
                  controller.enqueue(new TextEncoder().encode(big.slice(i * 600, (i + 1) * 600)));
                controller.close();
              },
            }),
            duplex: "half",
          } as RequestInit),
        );
        expect(streamed.status).toBe(413);
        expect(((await streamed.json()) as { code: string }).code).toBe("PAYLOAD_TOO_LARGE");
      });
    });

    describe("routing and errors", () => {
      it("answers 404 for an unknown path and 405 with Allow for a wrong method", async () => {
        const unknown = await fx.send("GET", "/nothing/here/at/all", { as: fx.a.adminCookie });
        expect(unknown.status).toBe(404);
        expect(unknown.body.code).toBe("NOT_FOUND");
        const wrongMethod = await fx.send("PUT", `/orgs/${fx.a.org.id}/members`, {
          as: fx.a.adminCookie,
          body: {},
        });
        expect(wrongMethod.status).toBe(405);
        expect(wrongMethod.headers.get("allow")).toContain("GET");
      });

      it("answers an unexpected failure with a bare INTERNAL: no stack, no SQL", async () => {
        const reported: unknown[] = [];
        const handler = createHttpHandler(fx.orgkit, {
          basePath: "/api",
          authenticate: () => {
            throw new Error(
              'relation "members" does not exist: SELECT * FROM members at Object.<anonymous> (/src/x.ts:1:1)',
            );
          },
          onError: (error) => reported.push(error),
        });
        const response = await handler(new Request(`${FIXTURE_ORIGIN}/api/me`));
        expect(response.status).toBe(500);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({ code: "INTERNAL", message: "Something went wrong on our side." });
        expect(text).not.toMatch(/SELECT|members|\.ts/);
        expect(reported).toHaveLength(1);
      });

      it("never caches API answers", async () => {
        const me = await fx.send("GET", "/me", { as: fx.a.adminCookie });
        expect(me.headers.get("cache-control")).toBe("no-store");
      });
    });

    describe("pagination", () => {
      it("walks a list with limit=1, visiting every item once, and clamps the limit", async () => {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await fx.send("GET", `/orgs/${fx.a.org.id}/members`, {
            as: fx.a.adminCookie,
            query: { limit: "1", ...(cursor === undefined ? {} : { cursor }) },
          });
          expect(page.status).toBe(200);
          expect(page.body.items.length).toBeLessThanOrEqual(1);
          seen.push(...page.body.items.map((member: { userId: string }) => member.userId));
          cursor = page.body.nextCursor ?? undefined;
        } while (cursor !== undefined);
        const all = await fx.a.adminServices.members.list(fx.a.org.id, { limit: 100 });
        expect(seen).toEqual(all.items.map((member) => member.userId));
        expect(new Set(seen).size).toBe(seen.length);

        const zero = await fx.send("GET", `/orgs/${fx.a.org.id}/members`, {
          as: fx.a.adminCookie,
          query: { limit: "0" },
        });
        expect(zero.body.items).toHaveLength(1);
      });

      it("clamps a huge limit to 100", async () => {
        const owner = await fx.user("Hoarder");
        const services = fx.orgkit.as({ userId: owner.id });
        for (let i = 0; i < 101; i += 1)
          await services.tokens.create({ name: `t${i}`, scopes: ["apps:get"] });
        const page = await fx.send("GET", "/me/tokens", {
          as: await fx.signIn(owner),
          query: { limit: "5000" },
        });
        expect(page.status).toBe(200);
        expect(page.body.items).toHaveLength(100);
        expect(page.body.nextCursor).toEqual(expect.any(String));
      });

      it("refuses a tampered cursor, another organization's cursor and another server's cursor", async () => {
        const first = await fx.send("GET", `/orgs/${fx.a.org.id}/members`, {
          as: fx.a.adminCookie,
          query: { limit: "1" },
        });
        const cursor: string = first.body.nextCursor;
        expect(cursor).toEqual(expect.any(String));
        const flipped = `${cursor.slice(0, 3)}${cursor[3] === "A" ? "B" : "A"}${cursor.slice(4)}`;
        const foreignPage = await fx.send("GET", `/orgs/${fx.b.org.id}/members`, {
          as: fx.b.adminCookie,
          query: { limit: "1" },
        });
        const otherServer = createHttpHandler(fx.orgkit, {
          basePath: "/api",
          secret: "another-secret-of-at-least-32-chars!",
        });
        const otherResponse = await otherServer(
          new Request(`${FIXTURE_ORIGIN}/api/orgs/${fx.a.org.id}/members?limit=1`, {
            headers: { cookie: (fx.a.adminCookie as { cookie: string }).cookie },
          }),
        );
        const otherCursor = ((await otherResponse.json()) as { nextCursor: string }).nextCursor;
        for (const bad of [
          flipped,
          `${cursor}x`,
          "garbage",
          foreignPage.body.nextCursor as string,
          otherCursor,
        ]) {
          const result = await fx.send("GET", `/orgs/${fx.a.org.id}/members`, {
            as: fx.a.adminCookie,
            query: { limit: "1", cursor: bad },
          });
          expect(result.status).toBe(400);
          expect(result.body).toEqual({
            code: "INVALID_CURSOR",
            message: expect.any(String),
            param: "cursor",
          });
        }
      });
    });

    describe("questions that must not tell who has an account", () => {
      it("answers a password reset the same for a known and an unknown email", async () => {
        const known = await fx.send("POST", "/password-reset", { body: { email: fx.a.member.email } });
        const unknown = await fx.send("POST", "/password-reset", {
          body: { email: "nobody-at-all@example.test" },
        });
        expect(known.status).toBe(202);
        expect({ status: unknown.status, text: unknown.text }).toEqual({
          status: known.status,
          text: known.text,
        });
      });

      it("answers a wrong password and an unknown email the same", async () => {
        const wrong = await fx.send("POST", "/sessions", {
          body: { email: fx.a.member.email, password: "not the password at all" },
        });
        const unknown = await fx.send("POST", "/sessions", {
          body: { email: "nobody-at-all@example.test", password: "whatever it is 123" },
        });
        expect(wrong.status).toBe(401);
        expect({ status: unknown.status, text: unknown.text }).toEqual({
          status: wrong.status,
          text: wrong.text,
        });
        expect(sessionCookieOf(wrong.headers)).toBeUndefined();
      });
    });

    describe("rate limits", () => {
      it("answer 429 with Retry-After", async () => {
        const limited = await createHttpFixture(harness, {
          rateLimiter: undefined,
          rateLimits: {
            signIn: {
              perAccount: { limit: 2, windowSeconds: 600 },
              perAddress: { limit: 100, windowSeconds: 600 },
            },
            registration: { perAddress: { limit: 1, windowSeconds: 900 } },
          },
        });
        try {
          const attempt = () =>
            limited.send("POST", "/sessions", {
              body: { email: limited.a.member.email, password: "not the password at all" },
              ip: "203.0.113.9",
            });
          // The fixture signed the member in once already.
          const statuses: number[] = [];
          let last = await attempt();
          statuses.push(last.status);
          while (last.status !== 429 && statuses.length < 5) {
            last = await attempt();
            statuses.push(last.status);
          }
          expect(last.status).toBe(429);
          expect(last.body.code).toBe("RATE_LIMITED");
          const retryAfter = Number(last.headers.get("retry-after"));
          expect(retryAfter).toBeGreaterThan(0);
          expect(retryAfter).toBeLessThanOrEqual(600);
          // Registration: per source address, whether the email is new or taken.
          const register = (email: string) =>
            limited.send("POST", "/users", { body: { email, name: "New" }, ip: "203.0.113.10" });
          expect((await register("fresh-1@example.test")).status).toBe(201);
          const again = await register("fresh-2@example.test");
          expect({ status: again.status, code: again.body.code }).toEqual({
            status: 429,
            code: "RATE_LIMITED",
          });
          expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
        } finally {
          await limited.close();
        }
      });
    });

    describe("the OpenAPI document", () => {
      it("is served at /openapi.json and validates as OpenAPI 3.1", async () => {
        const result = await fx.send("GET", "/openapi.json");
        expect(result.status).toBe(200);
        const validator = new Validator();
        const outcome = await validator.validate(result.body);
        expect(outcome.errors ?? []).toEqual([]);
        expect(outcome.valid).toBe(true);
        expect(validator.version).toBe("3.1");
      });

      it("has one operation per declaration, with the declared scope", async () => {
        const document = (await fx.send("GET", "/openapi.json")).body as {
          paths: Record<string, Record<string, { operationId: string; "x-orgkit-scope"?: string }>>;
        };
        const documented = new Map<string, { scope?: string; method: string; path: string }>();
        for (const [path, item] of Object.entries(document.paths)) {
          for (const [method, operation] of Object.entries(item)) {
            documented.set(operation.operationId, { scope: operation["x-orgkit-scope"], method, path });
          }
        }
        const declared = operations(apiContract);
        expect(documented.size).toBe(declared.length);
        for (const [group, name, contract] of declared) {
          expect(documented.get(`${group}.${name}`)).toEqual({
            scope: contract.scope,
            method: contract.method.toLowerCase(),
            path: contract.path,
          });
        }
        expect(JSON.stringify(document)).not.toMatch(/passwordHash|tokenHash|privateKey/);
        // Public endpoints document their refusals too; invitation links, their 410s.
        const responsesOf = (path: string, method: string) =>
          Object.keys(
            (document.paths[path] as unknown as Record<string, { responses: Record<string, unknown> }>)[
              method
            ]!.responses,
          );
        expect(responsesOf("/sessions", "post")).toEqual(expect.arrayContaining(["401", "403", "429"]));
        expect(responsesOf("/invitations/{token}/accept", "post")).toContain("410");
        expect(responsesOf("/me", "get")).not.toContain("410");
      });
    });

    describe("adapters", () => {
      it("serve over node:http, keep every Set-Cookie, and hand other paths to next()", async () => {
        const passedOn: string[] = [];
        const node = toNodeHandler(fx.handler);
        const server = createServer((request, response) =>
          node(request, response, () => {
            passedOn.push(request.url ?? "");
            response.writeHead(418).end();
          }),
        );
        server.listen(0, "127.0.0.1");
        await once(server, "listening");
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
          const signIn = await fetch(`${base}${FIXTURE_BASE_PATH}/sessions`, {
            method: "POST",
            headers: { "content-type": "application/json", origin: base },
            body: JSON.stringify({ email: fx.a.member.email, password: FIXTURE_PASSWORD }),
          });
          expect(signIn.status).toBe(201);
          const cookie = signIn.headers.getSetCookie()[0]!.split(";")[0]!;
          const me = await fetch(`${base}${FIXTURE_BASE_PATH}/me`, { headers: { cookie } });
          expect(((await me.json()) as { id: string }).id).toBe(fx.a.member.id);
          const other = await fetch(`${base}/healthz`);
          expect(other.status).toBe(418);
          expect(passedOn).toEqual(["/healthz"]);
        } finally {
          server.close();
        }
      });

      it("hand a large body outside the API to next() unread, judging the path as the handler does", async () => {
        const node = toNodeHandler(fx.handler);
        const received: [string, number][] = [];
        const server = createServer((incoming, outgoing) =>
          node(incoming, outgoing, async () => {
            let bytes = 0;
            for await (const chunk of incoming) bytes += (chunk as Buffer).length;
            received.push([incoming.url ?? "", bytes]);
            outgoing.writeHead(200).end(String(bytes));
          }),
        );
        server.listen(0, "127.0.0.1");
        await once(server, "listening");
        const { port } = server.address() as AddressInfo;
        try {
          const body = "x".repeat(4 * 1024 * 1024);
          // Dot segments resolve out of /api: the handler would not own it, so next() gets it whole.
          for (const path of ["/uploads", `${FIXTURE_BASE_PATH}/%2e%2e/uploads`]) {
            const status = await rawRequest(port, { method: "POST", path, body });
            expect({ path, status }).toEqual({ path, status: 200 });
          }
          expect(received).toEqual([
            ["/uploads", body.length],
            [`${FIXTURE_BASE_PATH}/%2e%2e/uploads`, body.length],
          ]);
        } finally {
          server.close();
        }
      });

      it("keep a `//host` request target a path, take absolute-form targets' path, and refuse an odd Host", async () => {
        const seen: string[] = [];
        const spy = Object.assign(
          (request: Request, info?: { ip?: string }) => {
            seen.push(request.url);
            return fx.handler(request, info);
          },
          { basePath: fx.handler.basePath },
        );
        const server = createServer(toNodeHandler(spy));
        server.listen(0, "127.0.0.1");
        await once(server, "listening");
        const { port } = server.address() as AddressInfo;
        const origin = `http://127.0.0.1:${port}`;
        try {
          // Never another origin: the path `//evil.test/api/me` of this server, which the API does not own.
          expect(await rawRequest(port, { path: `//evil.test${FIXTURE_BASE_PATH}/me` })).toBe(404);
          expect(seen).toEqual([`${origin}//evil.test${FIXTURE_BASE_PATH}/me`]);
          expect(
            await rawRequest(port, { path: `http://127.0.0.1:${port}${FIXTURE_BASE_PATH}/openapi.json` }),
          ).toBe(200);
          expect(seen[1]).toBe(`${origin}${FIXTURE_BASE_PATH}/openapi.json`);
          for (const host of ["evil.test/api", "a@b", "x#"]) {
            const status = await rawRequest(port, { path: `${FIXTURE_BASE_PATH}/openapi.json`, host });
            expect({ host, status }).toEqual({ host, status: 400 });
          }
          expect(seen).toHaveLength(2);
          // An empty Host is localhost, so `/evil.test/api/me` stays a path rather than `http:///evil.test/...`.
          expect(await rawRequest(port, { path: `/evil.test${FIXTURE_BASE_PATH}/me`, host: "" })).toBe(404);
          expect(seen[2]).toBe(`http://localhost/evil.test${FIXTURE_BASE_PATH}/me`);
        } finally {
          server.close();
        }
      });

      it("behind a proxy, take the address and the scheme the proxy appended", async () => {
        const seen: { ip: string | undefined; url: string }[] = [];
        const spy = Object.assign(
          (request: Request, info?: { ip?: string }) => {
            seen.push({ ip: info?.ip, url: request.url });
            return fx.handler(request, info);
          },
          { basePath: fx.handler.basePath },
        );
        const server = createServer(toNodeHandler(spy, { trustProxy: true }));
        server.listen(0, "127.0.0.1");
        await once(server, "listening");
        const { port } = server.address() as AddressInfo;
        try {
          const response = await fetch(`http://127.0.0.1:${port}${FIXTURE_BASE_PATH}/openapi.json`, {
            headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.7", "x-forwarded-proto": "http, https" },
          });
          expect(response.status).toBe(200);
          expect(seen).toEqual([
            { ip: "203.0.113.7", url: `https://127.0.0.1:${port}${FIXTURE_BASE_PATH}/openapi.json` },
          ]);
          await fetch(`http://127.0.0.1:${port}${FIXTURE_BASE_PATH}/openapi.json`, {
            headers: { "x-forwarded-proto": "javascript" },
          });
          expect(seen[1]).toEqual({
            ip: "127.0.0.1",
            url: `http://127.0.0.1:${port}${FIXTURE_BASE_PATH}/openapi.json`,
          });
        } finally {
          server.close();
        }
      });

      it("give a Next route handler its method exports", async () => {
        const route = toNextHandlers(fx.handler);
        const response = await route.GET(new Request(`${FIXTURE_ORIGIN}/api/openapi.json`));
        expect(response.status).toBe(200);
        expect(Object.keys(route).sort()).toEqual(["DELETE", "GET", "PATCH", "POST", "PUT"]);
      });
    });

    describe("the typed client", () => {
      const clientOf = (token?: string) =>
        createOrgKitClient({
          baseUrl: `${FIXTURE_ORIGIN}${FIXTURE_BASE_PATH}`,
          ...(token === undefined ? {} : { token }),
          fetch: (input, init) => fx.handler(new Request(input as string, init)),
        });

      it("calls endpoints with a PAT and returns typed bodies", async () => {
        const token = (await fx.pat(fx.a.admin, ["members:get", "org:update"])) as { token: string };
        const api = clientOf(token.token);
        const page = await api.members.list({
          params: { orgId: fx.a.org.id },
          query: { limit: 1, sort: "email" },
        });
        expect(page.items).toHaveLength(1);
        expect(typeof page.items[0]!.joinedAt).toBe("string");
        const next = await api.members.list({
          params: { orgId: fx.a.org.id },
          query: { limit: 1, sort: "email", cursor: page.nextCursor! },
        });
        expect(next.items[0]!.userId).not.toBe(page.items[0]!.userId);
        const updated = await api.organizations.update({
          params: { orgId: fx.a.org.id },
          body: { description: "via client" },
        });
        expect(updated.description).toBe("via client");
      });

      it("turns any error answer into an OrgKitApiError, whatever its body", async () => {
        for (const [body, status, headers, expected] of [
          ["null", 502, {}, { code: "INTERNAL", status: 502, message: "null", retryAfterSeconds: undefined }],
          ["[1]", 500, {}, { code: "INTERNAL", status: 500 }],
          ["<html>bad gateway</html>", 502, {}, { code: "INTERNAL", message: "<html>bad gateway</html>" }],
          [
            "",
            503,
            { "retry-after": "soon" },
            { code: "INTERNAL", message: "HTTP 503", retryAfterSeconds: undefined },
          ],
          [
            '{"code":"RATE_LIMITED","message":"Slow down."}',
            429,
            { "retry-after": "7" },
            { code: "RATE_LIMITED", message: "Slow down.", retryAfterSeconds: 7 },
          ],
        ] as const) {
          const api = createOrgKitClient({
            baseUrl: "https://api.example.test",
            fetch: async () => new Response(body, { status, headers }),
          });
          const error = await api.me.get().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(OrgKitApiError);
          expect(error).toMatchObject(expected);
        }
      });

      it("refuses dot-segment path parameters and has no method for browser navigations", async () => {
        const urls: string[] = [];
        const api = createOrgKitClient({
          baseUrl: "https://api.example.test",
          fetch: async (input) => {
            urls.push(String(input));
            return Response.json({});
          },
        });
        for (const orgId of ["..", ".", ""]) {
          await expect(api.organizations.get({ params: { orgId } })).rejects.toThrow(TypeError);
        }
        expect(urls).toEqual([]);
        await api.organizations.get({ params: { orgId: "a/../b" } });
        expect(urls).toEqual(["https://api.example.test/orgs/a%2F..%2Fb"]);
        expect(Object.keys(api.sso).sort()).toEqual(["metadata"]);
        // The type leaves out NavigationEndpoints by name: a new redirect or form endpoint must be named there too.
        const navigations = operations(apiContract)
          .filter(
            ([, , c]) =>
              c.status === 302 ||
              c.status === 303 ||
              (c.consumes !== undefined && c.consumes !== "application/json"),
          )
          .map(([group, name]) => `${group}.${name}`);
        expect(navigations.sort()).toEqual(["sso.acs", "sso.login"]);
        const methods = Object.entries(api).flatMap(([group, m]) =>
          Object.keys(m).map((name) => `${group}.${name}`),
        );
        expect(methods).toHaveLength(operations(apiContract).length - 2);
      });

      it("throws OrgKitApiError with the code, status and param", async () => {
        const token = (await fx.pat(fx.a.admin, ["members:update"])) as { token: string };
        const api = clientOf(token.token);
        const error = await api.members
          .updateRole({ params: { orgId: fx.a.org.id, userId: fx.a.admin.id }, body: { role: "org_user" } })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OrgKitApiError);
        expect(isOrgKitApiError(error, "LAST_ADMIN")).toBe(true);
        expect((error as OrgKitApiError).status).toBe(409);
        const invalid = await api.members
          .updateRole({
            params: { orgId: fx.a.org.id, userId: fx.a.member.id },
            body: { role: "emperor" as "admin" },
          })
          .catch((e: unknown) => e);
        expect(invalid).toMatchObject({ code: "VALIDATION_FAILED", status: 400, param: "role" });
        const anonymous = await clientOf()
          .me.get()
          .catch((e: unknown) => e);
        expect(anonymous).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
      });
    });
  });
}
