import { describe, expect, it } from "vitest";
import { RESERVED_ACCOUNT_IDS } from "../schemas/common.js";
import { operations } from "./contract.js";
import { apiContract } from "./contracts/index.js";

describe("the HTTP routes", () => {
  const declared = operations(apiContract);

  it("start with a reserved id whenever they start with a literal, so no account id shadows them", () => {
    // `/{ownerId}/apps/...` shares the root with `/me`, `/orgs`, ...: an account named like one of
    // those literals would make its apps unreachable.
    const first = new Set(declared.map(([, , contract]) => contract.path.split("/")[1] ?? ""));
    const unreserved = [...first].filter(
      (segment) => !segment.startsWith("{") && !RESERVED_ACCOUNT_IDS.has(segment),
    );
    expect(unreserved).toEqual([]);
  });

  it("declare each method and path once", () => {
    const keys = declared.map(
      ([, , contract]) => `${contract.method} ${contract.path.replace(/\{\w+\}/g, "{}")}`,
    );
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  });

  it("name every path parameter in the params schema and the reverse", () => {
    for (const [group, name, contract] of declared) {
      const inPath = [...contract.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      const inSchema = Object.keys(contract.params?.shape ?? {}).sort();
      expect({ operation: `${group}.${name}`, params: inSchema }).toEqual({
        operation: `${group}.${name}`,
        params: inPath,
      });
    }
  });

  it("give every list a cursor and a clamped limit", () => {
    for (const [group, name, contract] of declared) {
      if (contract.method !== "GET" || contract.response === null) continue;
      const shape = (contract.response as { shape?: Record<string, unknown> }).shape;
      if (shape === undefined || !("items" in shape)) continue;
      const query = (contract.query as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
      expect({
        operation: `${group}.${name}`,
        paginated: contract.paginated === true,
        limit: "limit" in query,
        cursor: "cursor" in query,
      }).toEqual({
        operation: `${group}.${name}`,
        paginated: true,
        limit: true,
        cursor: true,
      });
    }
  });
});
