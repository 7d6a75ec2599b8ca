/**
 * A fast-check fuzz over every endpoint: arbitrary path parameters (real ids among them), query
 * strings and JSON bodies (wrong types, huge strings, `__proto__` keys, odd unicode). Whatever
 * comes in, the API never answers 5xx, every answer matches its declared schema or the error
 * shape, and `Object.prototype` is untouched.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPES } from "../authz/scopes.js";
import type { ConformanceHarness } from "../testing/harness.js";
import { type EndpointContract, fillPath, jsonSchemaOf, operations, wireSchema } from "./contract.js";
import { apiContract } from "./contracts/index.js";
import { type Credentials, createHttpFixture, type HttpFixture } from "./http-fixture.js";

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "__proto__",
    "constructor",
    "prototype",
    "../../etc/passwd",
    "%00",
    "%",
    "\u0000",
    "\u202e\u0041dmin",
    "ﬀ\u0301\ud83d\ude00",
    "' OR 1=1 --",
    "null",
    "-1",
    "1e309",
    "x".repeat(5000),
  ),
);

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: "small" },
  fc.jsonValue({ maxDepth: 3 }),
  nasty,
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.array(nasty, { maxLength: 4 }),
);

function propertiesOf(schema: EndpointContract["body"] | EndpointContract["query"]): string[] {
  if (schema === undefined) return [];
  const json = jsonSchemaOf(schema, "input");
  return Object.keys((json.properties ?? {}) as Record<string, unknown>);
}

/** A JSON text of an object with the declared keys (and some undeclared ones) holding anything. */
function bodyText(declared: EndpointContract): fc.Arbitrary<string> {
  const keys = [...propertiesOf(declared.body), "__proto__", "constructor", "extra"];
  const shaped = fc
    .uniqueArray(fc.tuple(fc.constantFrom(...keys), anyJson), { selector: ([key]) => key, maxLength: 6 })
    .map(
      (entries) =>
        `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? "null"}`).join(",")}}`,
    );
  return fc.oneof(
    shaped,
    anyJson.map((value) => JSON.stringify(value) ?? "null"),
    fc.constant('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'),
    fc.constant("{not json"),
  );
}

function queryOf(declared: EndpointContract): fc.Arbitrary<Record<string, string>> {
  const keys = [...propertiesOf(declared.query), "__proto__", "cursor", "limit"];
  return fc
    .uniqueArray(fc.tuple(fc.constantFrom(...keys), nasty), { selector: ([key]) => key, maxLength: 4 })
    .map((entries) => Object.fromEntries(entries));
}

/** Registers the fuzz test on one engine; `runs` per endpoint. */
export function fuzzHttpConformance(harness: ConformanceHarness, runs = 8): void {
  describe("fuzzing every endpoint", () => {
    let fx: HttpFixture;
    let token: Credentials;
    let cookie: Credentials;
    beforeAll(async () => {
      fx = await createHttpFixture(harness);
      token = await fx.pat(fx.a.admin, [...SCOPES]);
      cookie = fx.a.adminCookie;
    });
    afterAll(async () => {
      await fx?.close();
    });

    for (const [group, name, declared] of operations(apiContract)) {
      it(`${declared.method} ${declared.path} (${group}.${name}) never answers 5xx or off-schema`, async () => {
        const realIds: Record<string, string> = {
          orgId: fx.a.org.id,
          ownerId: fx.a.org.id,
          userId: fx.a.member.id,
        };
        const paramNames = [...declared.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
        const params = fc.record(
          Object.fromEntries(
            paramNames.map((param) => [
              param,
              // Real ids reach deeper, but never for deletions (the fixture must survive).
              realIds[param] !== undefined && declared.method !== "DELETE"
                ? fc.oneof(fc.constant(realIds[param] as string), nasty)
                : nasty,
            ]),
          ),
        );
        await fc.assert(
          fc.asyncProperty(
            params,
            queryOf(declared),
            bodyText(declared),
            fc.constantFrom<"token" | "cookie" | "none">("token", "cookie", "none"),
            async (path, query, body, who) => {
              const as = who === "token" ? token : who === "cookie" ? cookie : null;
              const result = await fx.send(
                declared.method,
                fillPath(declared.path, path as Record<string, string>),
                {
                  as,
                  query,
                  ...(declared.method === "GET"
                    ? {}
                    : { rawBody: body, headers: { "content-type": "application/json" } }),
                },
              );
              expect(result.status).toBeLessThan(500);
              if (result.status >= 400) {
                expect(Object.keys(result.body).sort()).toEqual(
                  result.body.param === undefined ? ["code", "message"] : ["code", "message", "param"],
                );
                expect(result.body.code).toMatch(/^[A-Z_]+$/);
              } else if (
                declared.response !== null &&
                declared.produces === undefined &&
                result.status !== 204
              ) {
                expect(wireSchema(declared.response).parse(result.body)).toEqual(result.body);
              }
              // A fuzzed sign-out or revocation may end the session: take a new one for the next run.
              if (who === "cookie" && result.status === 401) cookie = await fx.signIn(fx.a.admin);
              expect(Object.keys(Object.prototype)).toEqual([]);
              expect(({} as Record<string, unknown>).polluted).toBeUndefined();
            },
          ),
          { numRuns: runs },
        );
      });
    }
  });
}
