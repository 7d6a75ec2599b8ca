import { describe, expect, it } from "vitest";
import { ERROR_CATEGORIES, ERROR_CODES, isOrgKitError, OrgKitError } from "./errors.js";

describe("OrgKitError", () => {
  it("maps every code to its category's status", () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      const error = new OrgKitError(code as keyof typeof ERROR_CODES);
      expect(error.status).toBe(ERROR_CATEGORIES[entry.category]);
      expect(error.message).toBe(entry.message);
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
    }
  });

  it("serializes to { code, message, param? } without the cause or a stack", () => {
    const error = new OrgKitError("VALIDATION_FAILED", {
      param: "email",
      message: "Enter a valid email address.",
      cause: new Error("SELECT * FROM users"),
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: "VALIDATION_FAILED",
      message: "Enter a valid email address.",
      param: "email",
    });
    expect(JSON.stringify(new OrgKitError("NOT_FOUND"))).toBe('{"code":"NOT_FOUND","message":"Not found."}');
  });

  it("is recognized by code", () => {
    const error = new OrgKitError("LAST_ADMIN");
    expect(isOrgKitError(error)).toBe(true);
    expect(isOrgKitError(error, "LAST_ADMIN")).toBe(true);
    expect(isOrgKitError(error, "NOT_FOUND")).toBe(false);
    expect(isOrgKitError(new Error("x"))).toBe(false);
  });
});
