import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyPassword } from "./password.js";

const FAST = { ln: 10, r: 8, p: 1 };

describe("password hashing", () => {
  it("produces a PHC scrypt string that verifies the same password and no other", async () => {
    const hash = await hashPassword("correct horse battery staple", FAST);
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same", FAST)).not.toBe(await hashPassword("same", FAST));
  });

  it("treats NFC and NFD spellings of a password as the same password", async () => {
    const hash = await hashPassword("caf\u00e9 au lait", FAST);
    expect(await verifyPassword("cafe\u0301 au lait", hash)).toBe(true);
  });

  it("refuses a malformed hash instead of throwing", async () => {
    expect(await verifyPassword("x", "$argon2id$nonsense")).toBe(false);
    expect(await verifyPassword("x", "")).toBe(false);
  });

  it("asks for a rehash when the parameters rise", async () => {
    const hash = await hashPassword("pw", FAST);
    expect(needsRehash(hash, FAST)).toBe(false);
    expect(needsRehash(hash, { ...FAST, ln: 11 })).toBe(true);
    expect(needsRehash("garbage", FAST)).toBe(true);
  });
});
