/**
 * The generic HTTP tests, for every endpoint of the contract: the happy path (its status, and a
 * body that is exactly its declared schema), 401 without credentials, 403 with a token that lacks
 * the endpoint's scope, and 404 for another organization's ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPES, type Scope } from "../authz/scopes.js";
import type { ConformanceHarness } from "../testing/harness.js";
import { successStatus, wireSchema } from "./contract.js";
import { endpointExamples } from "./examples/index.js";
import { contractOf, createHttpFixture, type HttpFixture, operationIds } from "./http-fixture.js";

/** Registers the per-endpoint HTTP tests on one engine. */
export function endpointsHttpConformance(harness: ConformanceHarness): void {
  describe("every endpoint", () => {
    let fx: HttpFixture;
    beforeAll(async () => {
      fx = await createHttpFixture(harness);
    });
    afterAll(async () => {
      await fx?.close();
    });

    it("has an example for the generic tests", () => {
      const missing = operationIds().filter((id) => endpointExamples[id] === undefined);
      expect(missing).toEqual([]);
      const unknown = Object.keys(endpointExamples).filter((id) => !operationIds().includes(id));
      expect(unknown).toEqual([]);
    });

    for (const operationId of operationIds()) {
      const declared = contractOf(operationId);
      const example = endpointExamples[operationId];
      if (example === undefined) continue;
      describe(`${declared.method} ${declared.path} (${operationId})`, () => {
        it("answers the happy path with exactly its declared response", async () => {
          const request = await example.build(fx, fx.a);
          const as =
            request.as !== undefined
              ? request.as
              : example.as
                ? await example.as(fx, fx.a)
                : fx.a.adminCookie;
          const result = await fx.call(operationId, request, as);
          expect({ status: result.status, body: result.status >= 400 ? result.body : undefined }).toEqual({
            status: example.status ?? successStatus(declared),
            body: undefined,
          });
          if (declared.response !== null && declared.produces === undefined && result.status !== 204) {
            // Parsing strips undeclared keys: equality proves none left the server.
            expect(wireSchema(declared.response).parse(result.body)).toEqual(result.body);
          }
        });

        if ((declared.auth ?? "user") === "user") {
          it("answers 401 UNAUTHENTICATED without credentials", async () => {
            const request = await example.build(fx, fx.a);
            const result = await fx.call(operationId, request, null);
            expect(result.status).toBe(401);
            expect(result.body).toMatchObject({ code: "UNAUTHENTICATED" });
          });
        }

        if (declared.scope !== undefined) {
          if (example.as === undefined) {
            it("answers the happy path to a personal access token with every scope", async () => {
              const request = await example.build(fx, fx.a);
              const owner =
                request.as !== null && request.as !== undefined && "user" in request.as
                  ? request.as.user
                  : undefined;
              const token = await fx.pat(owner ?? fx.a.admin, SCOPES);
              const result = await fx.call(operationId, request, token);
              expect({ status: result.status, body: result.status >= 400 ? result.body : undefined }).toEqual(
                {
                  status: example.status ?? successStatus(declared),
                  body: undefined,
                },
              );
            });
          }

          it(`answers 403 to a token without ${declared.scope}`, async () => {
            const request = await example.build(fx, fx.a);
            const other: Scope =
              SCOPES.find((scope) => scope !== declared.scope && scope !== "apps:get") ?? "apps:get";
            // The token of whoever succeeds on the happy path, short of one scope.
            const owner =
              request.as !== null && request.as !== undefined && "user" in request.as
                ? request.as.user
                : undefined;
            const token = await fx.pat(owner ?? fx.a.admin, [other]);
            const result = await fx.call(operationId, request, token);
            expect(result.status).toBe(403);
            expect(result.body.code).toMatch(/^(FORBIDDEN|TOKEN_POLICY_VIOLATION)$/);
          });
        }

        const foreign =
          example.foreign ?? (declared.params !== undefined && (declared.auth ?? "user") === "user");
        if (foreign) {
          it("answers 404 for another organization's ids", async () => {
            const request = await example.build(fx, fx.b);
            const result = await fx.call(operationId, { ...request, as: undefined }, fx.a.adminCookie);
            expect(result.status).toBe(404);
            expect(result.body).toMatchObject({ code: "NOT_FOUND" });
          });
        }
      });
    }
  });
}
