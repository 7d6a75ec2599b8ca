import { describe, expect, it } from "vitest";
import { isOrgKitError } from "../errors.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

describe("cursors", () => {
  it("round-trips a position for the same list", () => {
    const cursor = encodeCursor("acme|name", ["dana scully", "k1"]);
    expect(decodeCursor(cursor, "acme|name", ["string", "string"])).toEqual(["dana scully", "k1"]);
  });

  it.each([
    ["another list", encodeCursor("other|name", ["a", "k"]), ["string", "string"]],
    ["the wrong shape", encodeCursor("acme|name", [5, "k"]), ["string", "string"]],
    ["a float for a number", encodeCursor("acme|name", [1.5, "k"]), ["number", "string"]],
    ["garbage", "!!!", ["string", "string"]],
    ["valid base64 of non-JSON", Buffer.from("nope").toString("base64url"), ["string"]],
  ] as const)("refuses %s with INVALID_CURSOR", (_label, cursor, shape) => {
    let caught: unknown;
    try {
      decodeCursor(cursor, "acme|name", shape);
    } catch (error) {
      caught = error;
    }
    expect(isOrgKitError(caught, "INVALID_CURSOR")).toBe(true);
  });
});

describe("a cursor with trailing characters", () => {
  it("is refused even though base64 would decode it to the same bytes", () => {
    const cursor = encodeCursor("acme|name", ["a", "k"]);
    expect(() => decodeCursor(`${cursor}x`, "acme|name", ["string", "string"])).toThrow(/cursor/);
  });
});
