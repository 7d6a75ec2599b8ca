/**
 * The password policy's schema and defaults (browser-safe: the HTTP contract and the client use
 * them). The checker is in `security/password-policy.ts`.
 */
import { z } from "zod";

/** The smallest `maxLength` a policy may set: NIST requires accepting at least 64 characters. */
export const MIN_MAX_PASSWORD_LENGTH = 64;

/** Failed sign-in throttling. Defaults: 5 attempts in 15 minutes lock the account for 15 minutes. */
export const PasswordLockoutSchema = z
  .object({
    maxAttempts: z
      .number()
      .int()
      .min(3)
      .max(100)
      .default(5)
      .describe("Failed sign-ins within the window that lock the account (3–100)."),
    windowMinutes: z
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(15)
      .describe("The sliding window in which failures are counted, in minutes (1–1440)."),
    lockMinutes: z
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(15)
      .describe("How long a locked account stays locked, in minutes (1–1440)."),
  })
  .strict()
  .meta({ id: "PasswordLockout", description: "Failed sign-in throttling." });

/** Failed sign-in throttling, see {@link PasswordLockoutSchema}. */
export type PasswordLockout = z.infer<typeof PasswordLockoutSchema>;

/**
 * An organization's password policy. Every field is optional on input and takes its default;
 * unknown keys are refused.
 *
 * Defaults (NIST SP 800-63B): `minLength` 15, `maxLength` 64, `blockCommonPasswords` on, every
 * other rule off, no expiry, lockout after 5 failures in 15 minutes for 15 minutes.
 */
export const PasswordPolicySchema = z
  .object({
    minLength: z
      .number()
      .int()
      .min(8)
      .max(64)
      .default(15)
      .describe(
        "Fewest code points after NFC normalization (8–64; NIST: 15 when the password is the only factor).",
      ),
    maxLength: z
      .number()
      .int()
      .min(MIN_MAX_PASSWORD_LENGTH)
      .max(1024)
      .default(64)
      .describe("Most code points after NFC normalization (64–1024; NIST: at least 64 must be allowed)."),
    requireUppercase: z.boolean().default(false).describe("Require an upper-case letter."),
    requireLowercase: z.boolean().default(false).describe("Require a lower-case letter."),
    requireNumeric: z.boolean().default(false).describe("Require a decimal digit."),
    requireNonAlphanumeric: z
      .boolean()
      .default(false)
      .describe("Require a character that is neither a letter nor a digit (symbol, punctuation, space)."),
    blockCommonPasswords: z
      .boolean()
      .default(true)
      .describe("Refuse a password that, lower-cased, is on the list of common passwords."),
    reuseHistory: z
      .number()
      .int()
      .min(0)
      .max(24)
      .default(0)
      .describe("Refuse any of the user's last N passwords (0–24; 0 turns the rule off)."),
    excludeNames: z
      .boolean()
      .default(false)
      .describe("Refuse a password containing the user's name or user id (parts of 3+ characters)."),
    excludeEmail: z
      .boolean()
      .default(false)
      .describe("Refuse a password containing the user's email or its local part (parts of 3+ characters)."),
    noConfusingLetters: z
      .boolean()
      .default(false)
      .describe("Refuse the easily confused characters l, I, 1, O and 0."),
    noSimplePasswords: z
      .boolean()
      .default(false)
      .describe("Refuse runs of 4 like abcd, 4321 or qwer, and a character repeated 4 times."),
    noCommonVocabulary: z
      .boolean()
      .default(false)
      .describe("Refuse a password containing a common English word of 5+ letters."),
    noOverlapWithOld: z
      .boolean()
      .default(false)
      .describe("Refuse a password sharing 4+ consecutive characters with the previous one."),
    lifespanDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .nullable()
      .default(null)
      .describe("Days after which a password must be changed (1–3650), or null for never (NIST)."),
    lockout: PasswordLockoutSchema.default({ maxAttempts: 5, windowMinutes: 15, lockMinutes: 15 }),
  })
  .strict()
  // The ranges already imply it (minLength ≤ 64 ≤ maxLength); kept so that widening one of
  // them can never let an unsatisfiable policy through.
  .refine((policy) => policy.minLength <= policy.maxLength, {
    path: ["minLength"],
    message: "The minimum length cannot exceed the maximum length.",
  })
  .meta({
    id: "PasswordPolicy",
    description:
      "An organization's password policy: NIST SP 800-63B defaults plus optional composition, " +
      "vocabulary, history, expiry and lockout rules.",
  });

/** An organization's password policy, see {@link PasswordPolicySchema}. */
export type PasswordPolicy = z.infer<typeof PasswordPolicySchema>;

/** The policy with every default: NIST SP 800-63B, see {@link PasswordPolicySchema}. Frozen. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({
  ...PasswordPolicySchema.parse({}),
  lockout: Object.freeze(PasswordLockoutSchema.parse({})),
});
