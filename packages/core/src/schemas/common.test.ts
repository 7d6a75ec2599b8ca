import { describe, expect, it } from "vitest";
import { isOrgKitError } from "../errors.js";
import { AccountIdSchema, EmailSchema, PageQuerySchema, parseInput } from "./common.js";

describe("input schemas", () => {
  it("normalizes emails and refuses bad ones", () => {
    expect(EmailSchema.parse("  Bob@Example.COM ")).toBe("bob@example.com");
    expect(EmailSchema.safeParse("bob@").success).toBe(false);
    expect(EmailSchema.safeParse(`${"a".repeat(250)}@x.io`).success).toBe(false);
  });

  it("accepts URL-safe account ids only", () => {
    for (const ok of ["test-org", "123455", "a_b", "ab"])
      expect(AccountIdSchema.safeParse(ok).success).toBe(true);
    for (const bad of ["A", "-ab", "ab-", "a b", "a/b", "é-org", "me", "x".repeat(65)]) {
      expect(AccountIdSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("clamps page limits", () => {
    expect(PageQuerySchema.parse({}).limit).toBe(20);
    expect(PageQuerySchema.parse({ limit: -5 }).limit).toBe(1);
    expect(PageQuerySchema.parse({ limit: 5000 }).limit).toBe(100);
  });

  it("names the offending field, including unknown keys", () => {
    const schema = PageQuerySchema.strict();
    for (const [input, param] of [
      [{ limit: "x" }, "limit"],
      [{ sneaky: 1 }, "sneaky"],
    ] as const) {
      try {
        parseInput(schema, input, "query");
        expect.unreachable();
      } catch (error) {
        expect(isOrgKitError(error, "VALIDATION_FAILED")).toBe(true);
        expect((error as { param: string }).param).toBe(`query.${param}`);
      }
    }
  });
});
