import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  crc32,
  displayPrefix,
  isWellFormedPersonalAccessToken,
  isWellFormedSessionToken,
  newPersonalAccessToken,
  newSessionToken,
  PAT_LENGTH,
} from "./tokens.js";

describe("personal access tokens", () => {
  it("look like orgkit_pat_ + 30 random + 6 checksum base62 characters", () => {
    const token = newPersonalAccessToken();
    expect(token).toMatch(/^orgkit_pat_[0-9A-Za-z]{36}$/);
    expect(token).toHaveLength(PAT_LENGTH);
    expect(isWellFormedPersonalAccessToken(token)).toBe(true);
    expect(displayPrefix(token)).toBe(token.slice(0, 15));
  });

  it("computes the standard CRC-32", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("")).toBe(0);
  });

  it("catches any single-character change through the checksum", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 35 }),
        fc.constantFrom(..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
        (index, char) => {
          const token = newPersonalAccessToken();
          const position = "orgkit_pat_".length + index;
          fc.pre(token[position] !== char);
          const altered = token.slice(0, position) + char + token.slice(position + 1);
          expect(isWellFormedPersonalAccessToken(altered)).toBe(false);
        },
      ),
    );
  });

  it("refuses other shapes", () => {
    const token = newPersonalAccessToken();
    for (const bad of [
      token.slice(0, -1),
      `${token}x`,
      token.replace("orgkit_pat_", "orgkit_pot_"),
      42,
      null,
      "",
    ]) {
      expect(isWellFormedPersonalAccessToken(bad)).toBe(false);
    }
  });

  it("are all different", () => {
    const tokens = new Set(Array.from({ length: 1000 }, newPersonalAccessToken));
    expect(tokens.size).toBe(1000);
  });
});

describe("session tokens", () => {
  it("carry 43 base62 characters after their prefix", () => {
    const token = newSessionToken();
    expect(isWellFormedSessionToken(token)).toBe(true);
    expect(isWellFormedSessionToken(token.slice(1))).toBe(false);
    expect(isWellFormedSessionToken(newPersonalAccessToken())).toBe(false);
  });
});
