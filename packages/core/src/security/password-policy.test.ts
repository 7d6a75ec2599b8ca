import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { isCommonPassword, passwordListSizes } from "./password-blocklist.js";
import {
  checkPassword,
  checkPasswordWithHistory,
  DEFAULT_PASSWORD_POLICY,
  isPasswordExpired,
  PASSWORD_VIOLATION_CODES,
  type PasswordContext,
  type PasswordPolicy,
  PasswordPolicySchema,
  type PasswordViolation,
  passwordStrength,
  strictestPolicy,
} from "./password-policy.js";

const policy = (input: Record<string, unknown> = {}): PasswordPolicy => PasswordPolicySchema.parse(input);
const codes = (p: PasswordPolicy, password: string, context: PasswordContext = {}) =>
  checkPassword(p, password, context).map((violation) => violation.code);
const violation = (code: PasswordViolation["code"]): PasswordViolation => ({ code, message: code });

describe("the shipped word lists", () => {
  it("hold tens of thousands of common passwords and English words", () => {
    const sizes = passwordListSizes();
    expect(sizes.commonPasswords).toBeGreaterThan(40_000);
    expect(sizes.vocabulary).toBeGreaterThan(40_000);
    expect(isCommonPassword("password")).toBe(true);
    expect(isCommonPassword("PassWord")).toBe(true);
  });
});

describe("given the default policy", () => {
  const p = DEFAULT_PASSWORD_POLICY;

  it("is NIST SP 800-63B: 15 to 64 characters, blocklist on, every other rule off", () => {
    expect(p).toEqual({
      minLength: 15,
      maxLength: 64,
      requireUppercase: false,
      requireLowercase: false,
      requireNumeric: false,
      requireNonAlphanumeric: false,
      blockCommonPasswords: true,
      reuseHistory: 0,
      excludeNames: false,
      excludeEmail: false,
      noConfusingLetters: false,
      noSimplePasswords: false,
      noCommonVocabulary: false,
      noOverlapWithOld: false,
      lifespanDays: null,
      lockout: { maxAttempts: 5, windowMinutes: 15, lockMinutes: 15 },
    });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it("accepts a long passphrase with no composition", () => {
    expect(checkPassword(p, "correct horse battery staple")).toEqual([]);
  });

  it("refuses 14 characters with TOO_SHORT and accepts 15", () => {
    expect(checkPassword(p, "fourteen chars")).toEqual([
      { code: "TOO_SHORT", message: "Use at least 15 characters.", params: { minLength: 15, length: 14 } },
    ]);
    expect(codes(p, "fifteen chars!!")).toEqual([]);
  });

  it("counts a decomposed é (e + U+0301) once, after NFC normalization", () => {
    const decomposed = "e\u0301";
    expect(decomposed.length).toBe(2);
    expect(codes(p, `${"x".repeat(14)}${decomposed}`)).toEqual([]);
    expect(checkPassword(p, decomposed.repeat(14))[0]?.params).toEqual({ minLength: 15, length: 14 });
    expect(codes(p, decomposed.repeat(15))).toEqual([]);
  });

  it("counts an emoji as one character", () => {
    expect(codes(p, "🔐".repeat(15))).toEqual([]);
    expect(checkPassword(p, "🔐".repeat(14))[0]?.params).toEqual({ minLength: 15, length: 14 });
    expect(checkPassword(p, "🔐".repeat(65))[0]?.params).toEqual({ maxLength: 64, length: 65 });
  });

  it("accepts 64 characters and refuses 65 with TOO_LONG", () => {
    expect(codes(p, "x".repeat(64))).toEqual([]);
    expect(codes(p, "x".repeat(65))).toEqual(["TOO_LONG"]);
  });

  it("refuses a common password whatever its case, but not one that merely contains it", () => {
    expect(codes(p, "123456789987654321")).toEqual(["COMMON_PASSWORD"]);
    expect(codes(p, "QAZWSXEDCRFVTGB")).toEqual(["COMMON_PASSWORD"]);
    expect(codes(p, "password")).toEqual(["TOO_SHORT", "COMMON_PASSWORD"]);
    expect(codes(p, "123456789987654321 and more")).toEqual([]);
  });

  it("ignores every optional rule", () => {
    expect(
      codes(p, "aaaa1234 Ada jane@x.io lOl0 horse", {
        name: "Ada",
        email: "jane@x.io",
        previousPassword: "aaaa1234 Ada jane@x.io lOl0 horse",
      }),
    ).toEqual([]);
  });

  it("property: any 15 to 64 code points that are not a common password pass", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 15, maxLength: 64 }), (password) => {
        const length = [...password.normalize("NFC")].length;
        fc.pre(length >= 15 && length <= 64 && !isCommonPassword(password));
        expect(checkPassword(p, password)).toEqual([]);
      }),
    );
  });
});

describe("given a policy allowing 1,024 characters", () => {
  const p = policy({ maxLength: 1024 });

  it("accepts 1,024 characters and refuses 1,025", () => {
    expect(codes(p, "x".repeat(1024))).toEqual([]);
    expect(checkPassword(p, "x".repeat(1025))).toEqual([
      {
        code: "TOO_LONG",
        message: "Use at most 1024 characters.",
        params: { maxLength: 1024, length: 1025 },
      },
    ]);
  });
});

describe("given composition rules", () => {
  it("refuses a password without an upper-case letter when requireUppercase is on", () => {
    const p = policy({ requireUppercase: true });
    expect(codes(p, "lower case only here")).toEqual(["MISSING_UPPERCASE"]);
    expect(codes(p, "Lower case only here")).toEqual([]);
    expect(codes(p, "Élan vital forever")).toEqual([]);
  });

  it("refuses a password without a lower-case letter when requireLowercase is on", () => {
    const p = policy({ requireLowercase: true });
    expect(codes(p, "UPPER CASE ONLY HERE")).toEqual(["MISSING_LOWERCASE"]);
    expect(codes(p, "UPPER CASE ONLy HERE")).toEqual([]);
  });

  it("refuses a password without a digit when requireNumeric is on", () => {
    const p = policy({ requireNumeric: true });
    expect(codes(p, "no digits in this one")).toEqual(["MISSING_NUMERIC"]);
    expect(codes(p, "one digit 7 in this one")).toEqual([]);
    expect(codes(p, "arabic-indic digit ٣ counts")).toEqual([]);
  });

  it("refuses letters and digits only when requireNonAlphanumeric is on; a space or emoji counts", () => {
    const p = policy({ requireNonAlphanumeric: true });
    expect(codes(p, "onlylettersanddigits123")).toEqual(["MISSING_NON_ALPHANUMERIC"]);
    expect(codes(p, "onlylettersanddigits123".normalize("NFD").replace("e", "e\u0301"))).toEqual([
      "MISSING_NON_ALPHANUMERIC",
    ]);
    expect(codes(p, "with a space between")).toEqual([]);
    expect(codes(p, "onlylettersanddigits🔐")).toEqual([]);
  });
});

describe("given blockCommonPasswords is off", () => {
  it("accepts a common password", () => {
    expect(codes(policy({ blockCommonPasswords: false }), "123456789987654321")).toEqual([]);
  });
});

describe("given excludeNames", () => {
  const p = policy({ excludeNames: true });
  const context = { name: "Ada Lovelace", userId: "mallory-x" };

  it("refuses the name or one of its parts, case-insensitively", () => {
    expect(codes(p, "my LOVELACE secret words", context)).toEqual(["CONTAINS_NAME"]);
    expect(codes(p, "an adamant river stone", context)).toEqual(["CONTAINS_NAME"]);
  });

  it("refuses the user id or one of its parts", () => {
    expect(codes(p, "Mallory-in-the-middle", context)).toEqual(["CONTAINS_NAME"]);
    expect(codes(p, "the mallory-x account", { userId: "mallory-x" })).toEqual(["CONTAINS_NAME"]);
  });

  it("accepts a password without them, and ignores parts shorter than 3", () => {
    expect(codes(p, "blue ocean tides at dawn", context)).toEqual([]);
    expect(codes(p, "all lines are jolly", { name: "Al Li", userId: "jo" })).toEqual([]);
    expect(codes(p, "al li is my name, ok", { name: "Al Li" })).toEqual(["CONTAINS_NAME"]);
  });

  it("passes when the context has no name or id", () => {
    expect(codes(p, "my LOVELACE secret words")).toEqual([]);
  });
});

describe("given excludeEmail", () => {
  const p = policy({ excludeEmail: true });
  const context = { email: "Jane.Doe+work@example.com" };

  it("refuses the full email, its local part or a part of it, case-insensitively", () => {
    expect(codes(p, "mail jane.doe+work@example.com", context)).toEqual(["CONTAINS_EMAIL"]);
    expect(codes(p, "it is JANE.DOE+WORK here", context)).toEqual(["CONTAINS_EMAIL"]);
    expect(codes(p, "i am jane forever and ever", context)).toEqual(["CONTAINS_EMAIL"]);
    expect(codes(p, "a doe in the forest glade", context)).toEqual(["CONTAINS_EMAIL"]);
  });

  it("accepts a password without them, and ignores parts shorter than 3", () => {
    expect(codes(p, "blue ocean tides at dawn", context)).toEqual([]);
    expect(codes(p, "jo jo jo jo jo jo x.io", { email: "jo@x.io" })).toEqual([]);
    expect(codes(p, "write to jo@x.io today", { email: "jo@x.io" })).toEqual(["CONTAINS_EMAIL"]);
  });

  it("does not apply the name rule", () => {
    expect(codes(p, "my lovelace secret words", { name: "Ada Lovelace" })).toEqual([]);
  });
});

describe("given noConfusingLetters", () => {
  const p = policy({ noConfusingLetters: true });

  it.each(["l", "I", "1", "O", "0"])("refuses %s", (character) => {
    expect(checkPassword(p, `my secret phrase ${character} ok`)).toEqual([
      expect.objectContaining({ code: "CONFUSING_LETTERS", params: { characters: character } }),
    ]);
  });

  it("accepts lower-case o and i, upper-case L and other digits", () => {
    expect(codes(p, "my secret phrase is good L 2")).toEqual([]);
  });
});

describe("given noSimplePasswords", () => {
  const p = policy({ noSimplePasswords: true });

  it.each([
    "abcd",
    "dcba",
    "1234",
    "4321",
    "7890",
    "qwer",
    "REWQ",
    "asdf",
    "zxcv",
    "!@#$",
    "aaaa",
    "🔐🔐🔐🔐",
  ])("refuses a run like %s", (run) => {
    expect(codes(p, `zebra river ${run} moon`)).toEqual(["SIMPLE_PATTERN"]);
  });

  it("accepts runs of 3 and broken sequences", () => {
    expect(codes(p, "abc 123 qwe aaa xyz 987")).toEqual([]);
    expect(codes(p, "abce 1235 qwrt aaab")).toEqual([]);
  });
});

describe("given noCommonVocabulary", () => {
  const p = policy({ noCommonVocabulary: true });

  it("refuses a password containing an English word of 5+ letters, case-insensitively", () => {
    expect(codes(p, "correct horse battery staple")).toEqual(["COMMON_WORD"]);
    expect(checkPassword(p, "zq9-xHORSE-kj2-wp4")[0]?.params).toEqual({ word: "horse" });
  });

  it("accepts words of 4 letters or fewer and letter soup", () => {
    expect(codes(p, "blue cat ran far away")).toEqual([]);
    expect(codes(p, "zqxv 9kjw 7pwm 4rtz")).toEqual([]);
  });
});

describe("given noOverlapWithOld", () => {
  const p = policy({ noOverlapWithOld: true });
  const context = { previousPassword: "Summer-Rain-2024!" };

  it("refuses a password sharing 4 consecutive characters with the previous one, case-insensitively", () => {
    expect(codes(p, "winter-rain-2025!", context)).toEqual(["OVERLAPS_OLD_PASSWORD"]);
    expect(codes(p, "totally new, but 2024", context)).toEqual(["OVERLAPS_OLD_PASSWORD"]);
    expect(codes(p, "Summer-Rain-2024!", context)).toEqual(["OVERLAPS_OLD_PASSWORD"]);
  });

  it("accepts a password sharing at most 3 consecutive characters", () => {
    expect(codes(p, "sum of all parts, 202", context)).toEqual([]);
  });

  it("passes when there is no previous password", () => {
    expect(codes(p, "Summer-Rain-2024!")).toEqual([]);
  });
});

describe("given reuseHistory", () => {
  it("adds REUSED when the callback recognizes the NFC-normalized password", async () => {
    const p = policy({ reuseHistory: 5 });
    const isReused = vi.fn(async (password: string) => password === "café in the morning");
    expect(await checkPasswordWithHistory(p, "cafe\u0301 in the morning", {}, isReused)).toEqual([
      expect.objectContaining({ code: "REUSED", params: { reuseHistory: 5 } }),
    ]);
    expect(isReused).toHaveBeenCalledWith("café in the morning");
    expect(await checkPasswordWithHistory(p, "tea in the evening", {}, isReused)).toEqual([]);
  });

  it("keeps the other violations", async () => {
    const p = policy({ reuseHistory: 1 });
    const result = await checkPasswordWithHistory(p, "zqx", {}, async () => true);
    expect(result.map((v) => v.code)).toEqual(["TOO_SHORT", "REUSED"]);
  });

  it("does not call the callback when the rule is off", async () => {
    const isReused = vi.fn(async () => true);
    expect(
      await checkPasswordWithHistory(DEFAULT_PASSWORD_POLICY, "tea in the evening", {}, isReused),
    ).toEqual([]);
    expect(isReused).not.toHaveBeenCalled();
  });
});

describe("given every rule on", () => {
  const strict = policy({
    requireUppercase: true,
    requireLowercase: true,
    requireNumeric: true,
    requireNonAlphanumeric: true,
    excludeNames: true,
    excludeEmail: true,
    noConfusingLetters: true,
    noSimplePasswords: true,
    noCommonVocabulary: true,
    noOverlapWithOld: true,
  });

  it("returns every violation, not just the first, in the order of PASSWORD_VIOLATION_CODES", () => {
    expect(codes(strict, "aaaa")).toEqual([
      "TOO_SHORT",
      "MISSING_UPPERCASE",
      "MISSING_NUMERIC",
      "MISSING_NON_ALPHANUMERIC",
      "SIMPLE_PATTERN",
    ]);
    const many = codes({ ...strict, minLength: 20 }, "ada@example.com1234", {
      name: "Ada Lovelace",
      email: "ada@example.com",
      previousPassword: "password1234",
    });
    expect(many).toEqual([
      "TOO_SHORT",
      "MISSING_UPPERCASE",
      "CONTAINS_NAME",
      "CONTAINS_EMAIL",
      "CONFUSING_LETTERS",
      "SIMPLE_PATTERN",
      "COMMON_WORD",
      "OVERLAPS_OLD_PASSWORD",
    ]);
    expect(many).toEqual(PASSWORD_VIOLATION_CODES.filter((code) => many.includes(code)));
  });

  it("accepts a password that breaks none", () => {
    expect(codes(strict, "Zq9-Xk7!Wp4#Mr8$", { name: "Ada Lovelace", email: "ada@example.com" })).toEqual([]);
  });
});

describe("isPasswordExpired", () => {
  const changedAt = new Date("2025-01-01T00:00:00Z");

  it("never expires without a lifespan", () => {
    expect(isPasswordExpired(DEFAULT_PASSWORD_POLICY, changedAt, new Date("2125-01-01T00:00:00Z"))).toBe(
      false,
    );
  });

  it("expires once lifespanDays full days have passed", () => {
    const p = policy({ lifespanDays: 90 });
    expect(isPasswordExpired(p, changedAt, new Date("2025-03-31T23:59:59.999Z"))).toBe(false);
    expect(isPasswordExpired(p, changedAt, new Date("2025-04-01T00:00:00Z"))).toBe(true);
  });
});

describe("strictestPolicy", () => {
  it("returns the default for no policy and the policy itself for one", () => {
    expect(strictestPolicy([])).toEqual(DEFAULT_PASSWORD_POLICY);
    const one = policy({ minLength: 20, requireNumeric: true });
    expect(strictestPolicy([one])).toEqual(one);
  });

  it("keeps the strictest value of every field", () => {
    const a = policy({
      minLength: 12,
      maxLength: 128,
      requireUppercase: true,
      blockCommonPasswords: false,
      reuseHistory: 3,
      lifespanDays: 180,
      lockout: { maxAttempts: 10, windowMinutes: 30, lockMinutes: 5 },
    });
    const b = policy({
      minLength: 20,
      maxLength: 256,
      noSimplePasswords: true,
      reuseHistory: 10,
      lifespanDays: null,
      lockout: { maxAttempts: 4, windowMinutes: 10, lockMinutes: 60 },
    });
    const c = policy({ minLength: 8, maxLength: 64, lifespanDays: 365 });
    expect(strictestPolicy([a, b, c])).toEqual({
      ...DEFAULT_PASSWORD_POLICY,
      minLength: 20,
      maxLength: 64,
      requireUppercase: true,
      blockCommonPasswords: true,
      noSimplePasswords: true,
      reuseHistory: 10,
      lifespanDays: 180,
      lockout: { maxAttempts: 4, windowMinutes: 30, lockMinutes: 60 },
    });
  });

  it("never lowers maxLength below 64", () => {
    const short = { ...DEFAULT_PASSWORD_POLICY, maxLength: 32 };
    expect(strictestPolicy([short, DEFAULT_PASSWORD_POLICY]).maxLength).toBe(64);
  });

  it("yields a valid policy", () => {
    const merged = strictestPolicy([policy({ minLength: 64 }), policy({ maxLength: 1024 })]);
    expect(PasswordPolicySchema.parse(merged)).toEqual(merged);
  });

  it("property: the strictest policy refuses everything either policy refuses", () => {
    const arbitraryPolicy = fc
      .record({
        minLength: fc.integer({ min: 8, max: 64 }),
        maxLength: fc.integer({ min: 64, max: 1024 }),
        requireUppercase: fc.boolean(),
        requireLowercase: fc.boolean(),
        requireNumeric: fc.boolean(),
        requireNonAlphanumeric: fc.boolean(),
        blockCommonPasswords: fc.boolean(),
        excludeNames: fc.boolean(),
        excludeEmail: fc.boolean(),
        noConfusingLetters: fc.boolean(),
        noSimplePasswords: fc.boolean(),
        noCommonVocabulary: fc.boolean(),
        noOverlapWithOld: fc.boolean(),
      })
      .map((input) => policy(input));
    const token = fc.constantFrom(
      "password",
      "Ada",
      "lovelace",
      "jane",
      "1234",
      "qwer",
      "aaaa",
      "O0l1I",
      "horse",
      "summer",
      " ",
      "!",
      "Z",
      "é",
      "🔐",
      "xk",
    );
    const password = fc.oneof(
      fc.array(token, { maxLength: 12 }).map((tokens) => tokens.join("")),
      fc.string({ maxLength: 80 }),
      fc.constant("x".repeat(100)),
    );
    const context = {
      name: "Ada Lovelace",
      email: "jane.doe@example.com",
      userId: "ada",
      previousPassword: "Summer-Rain-2024!",
    };
    fc.assert(
      fc.property(arbitraryPolicy, arbitraryPolicy, password, (a, b, candidate) => {
        const strictest = new Set(codes(strictestPolicy([a, b]), candidate, context));
        for (const code of [...codes(a, candidate, context), ...codes(b, candidate, context)]) {
          expect(strictest).toContain(code);
        }
      }),
    );
  });
});

describe("passwordStrength", () => {
  it("is strong with no violation", () => {
    expect(passwordStrength([])).toBe("strong");
  });

  it("is weak when too short, common or reused", () => {
    expect(passwordStrength([violation("TOO_SHORT")])).toBe("weak");
    expect(passwordStrength([violation("COMMON_PASSWORD")])).toBe("weak");
    expect(passwordStrength([violation("REUSED")])).toBe("weak");
  });

  it("is fair with one or two lesser violations and weak with three", () => {
    expect(passwordStrength([violation("MISSING_NUMERIC")])).toBe("fair");
    expect(passwordStrength([violation("MISSING_NUMERIC"), violation("CONTAINS_NAME")])).toBe("fair");
    expect(
      passwordStrength([
        violation("MISSING_NUMERIC"),
        violation("CONTAINS_NAME"),
        violation("SIMPLE_PATTERN"),
      ]),
    ).toBe("weak");
  });
});

describe("PasswordPolicySchema", () => {
  const fails = (input: unknown) => {
    const result = PasswordPolicySchema.safeParse(input);
    expect(result.success).toBe(false);
    return result.error?.issues ?? [];
  };

  it("fills every default from an empty object and partial lockout", () => {
    expect(policy()).toEqual(DEFAULT_PASSWORD_POLICY);
    expect(policy({ lockout: { maxAttempts: 10 } }).lockout).toEqual({
      maxAttempts: 10,
      windowMinutes: 15,
      lockMinutes: 15,
    });
  });

  it("refuses a minimum above the maximum on minLength", () => {
    expect(fails({ minLength: 100, maxLength: 64 }).map((issue) => issue.path)).toContainEqual(["minLength"]);
  });

  it("refuses out-of-range values", () => {
    expect(fails({ minLength: 4 })[0]?.path).toEqual(["minLength"]);
    expect(fails({ maxLength: 63 })[0]?.path).toEqual(["maxLength"]);
    expect(fails({ maxLength: 1025 })[0]?.path).toEqual(["maxLength"]);
    expect(fails({ minLength: 15.5 })[0]?.path).toEqual(["minLength"]);
    expect(fails({ reuseHistory: 25 })[0]?.path).toEqual(["reuseHistory"]);
    expect(fails({ lifespanDays: 0 })[0]?.path).toEqual(["lifespanDays"]);
    expect(fails({ lockout: { maxAttempts: 2 } })[0]?.path).toEqual(["lockout", "maxAttempts"]);
  });

  it("refuses unknown keys, at the top and in lockout", () => {
    expect(fails({ minLenght: 20 })[0]?.code).toBe("unrecognized_keys");
    expect(fails({ lockout: { attempts: 5 } })[0]?.code).toBe("unrecognized_keys");
  });

  it("converts to JSON Schema with its id", () => {
    const json = z.toJSONSchema(PasswordPolicySchema, { io: "input" });
    const schema = json.$defs?.PasswordPolicy as {
      additionalProperties?: boolean;
      properties?: Record<string, unknown>;
    };
    expect(json.$ref).toBe("#/$defs/PasswordPolicy");
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties ?? {})).toContain("noOverlapWithOld");
  });
});
