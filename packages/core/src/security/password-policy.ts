/**
 * The per-organization password policy and its checker. Pure: no storage, no clock, no hashing.
 *
 * The defaults follow NIST SP 800-63B (rev. 4): at least 15 characters when the password is the
 * only factor, at least 64 allowed, no composition rules, a blocklist of common passwords, and
 * length counted in Unicode code points after NFC normalization. Every other rule is one of
 * Clarifai's optional organization settings, off by default.
 *
 * Checking returns every violation at once, so a form can list them all and a meter can grade
 * the password as it is typed.
 */
import {
  DEFAULT_PASSWORD_POLICY,
  MIN_MAX_PASSWORD_LENGTH,
  type PasswordLockout,
  PasswordLockoutSchema,
  type PasswordPolicy,
  PasswordPolicySchema,
} from "../schemas/password-policy.js";
import { findCommonWord, isCommonPassword } from "./password-blocklist.js";

export {
  DEFAULT_PASSWORD_POLICY,
  MIN_MAX_PASSWORD_LENGTH,
  type PasswordLockout,
  PasswordLockoutSchema,
  type PasswordPolicy,
  PasswordPolicySchema,
};

/**
 * The closed set of violation codes, in the order {@link checkPassword} reports them.
 * A code, once shipped, is never renamed.
 */
export const PASSWORD_VIOLATION_CODES = [
  "TOO_SHORT",
  "TOO_LONG",
  "MISSING_UPPERCASE",
  "MISSING_LOWERCASE",
  "MISSING_NUMERIC",
  "MISSING_NON_ALPHANUMERIC",
  "COMMON_PASSWORD",
  "CONTAINS_NAME",
  "CONTAINS_EMAIL",
  "CONFUSING_LETTERS",
  "SIMPLE_PATTERN",
  "COMMON_WORD",
  "OVERLAPS_OLD_PASSWORD",
  "REUSED",
] as const;

/** One of {@link PASSWORD_VIOLATION_CODES}. */
export type PasswordViolationCode = (typeof PASSWORD_VIOLATION_CODES)[number];

/** One rule the password breaks. Each code appears at most once in a check's result. */
export interface PasswordViolation {
  readonly code: PasswordViolationCode;
  /** An English sentence for the user; translate by `code` and `params`. */
  readonly message: string;
  /** The facts behind the message (`minLength`, `length`, `word`, ...), for translation. */
  readonly params?: Readonly<Record<string, string | number>>;
}

/** What is known about the user, for the rules that compare the password with it. All optional. */
export interface PasswordContext {
  /** Used by `excludeEmail`. */
  email?: string;
  /** The user's display name (first and last name); used by `excludeNames`. */
  name?: string;
  /** The user's account id; used by `excludeNames`. */
  userId?: string;
  /** The password being replaced, in clear; used by `noOverlapWithOld`. */
  previousPassword?: string;
}

/**
 * The characters `noConfusingLetters` refuses, exactly: lower-case L (`l`, U+006C), upper-case
 * i (`I`, U+0049), the digit one (`1`), upper-case o (`O`, U+004F) and the digit zero (`0`).
 * Lower-case `o` and `i` are allowed.
 */
export const CONFUSING_CHARACTERS = ["l", "I", "1", "O", "0"] as const;

/** The shortest run `noSimplePasswords` refuses (sequence or repetition). */
export const SIMPLE_RUN_LENGTH = 4;

/** The shortest common substring `noOverlapWithOld` refuses. */
export const OVERLAP_RUN_LENGTH = 4;

/** The shortest name, id or email part that `excludeNames` and `excludeEmail` look for. */
export const MIN_PERSONAL_PART_LENGTH = 3;

/**
 * The sequences whose runs `noSimplePasswords` refuses, forwards and backwards, compared with
 * the lower-cased password: the Latin alphabet, the digits, the rows of a US QWERTY keyboard and
 * the shifted digit row.
 */
export const SIMPLE_SEQUENCES = [
  "abcdefghijklmnopqrstuvwxyz",
  "0123456789",
  "`1234567890-=",
  "~!@#$%^&*()_+",
  "qwertyuiop[]\\",
  "asdfghjkl;'",
  "zxcvbnm,./",
] as const;

const codePoints = (text: string) => Array.from(text);

/** Every window of `size` consecutive code points. */
function windows(points: readonly string[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= points.length; i++) out.push(points.slice(i, i + size).join(""));
  return out;
}

const SIMPLE_RUNS: ReadonlySet<string> = new Set(
  SIMPLE_SEQUENCES.flatMap((sequence) => {
    const points = codePoints(sequence);
    return [...windows(points, SIMPLE_RUN_LENGTH), ...windows([...points].reverse(), SIMPLE_RUN_LENGTH)];
  }),
);

const UPPERCASE = /[\p{Lu}\p{Lt}]/u;
const LOWERCASE = /\p{Ll}/u;
const NUMERIC = /\p{Nd}/u;
// Combining marks belong to the letter they decorate, so "é" written as e + U+0301 that NFC
// cannot compose still counts as a letter.
const NON_ALPHANUMERIC = /[^\p{L}\p{M}\p{N}]/u;
const PART_SEPARATOR = /[^\p{L}\p{M}\p{N}]+/u;

const fold = (text: string) => text.normalize("NFC").toLowerCase();

/** A name, id or email local part split into its words, keeping those of 3+ code points. */
function personalParts(value: string): string[] {
  const folded = fold(value.trim());
  const parts = [folded, ...folded.split(PART_SEPARATOR)];
  return [...new Set(parts)].filter((part) => codePoints(part).length >= MIN_PERSONAL_PART_LENGTH);
}

function containsName(folded: string, context: PasswordContext): boolean {
  const parts = [
    ...(context.name ? personalParts(context.name) : []),
    ...(context.userId ? personalParts(context.userId) : []),
  ];
  return parts.some((part) => folded.includes(part));
}

function containsEmail(folded: string, email: string | undefined): boolean {
  if (!email) return false;
  const full = fold(email.trim());
  const at = full.lastIndexOf("@");
  const local = at === -1 ? full : full.slice(0, at);
  const parts = [full, ...personalParts(local)].filter(
    (part) => codePoints(part).length >= MIN_PERSONAL_PART_LENGTH,
  );
  return parts.some((part) => folded.includes(part));
}

function hasSimpleRun(points: readonly string[]): boolean {
  for (let i = 0; i + SIMPLE_RUN_LENGTH <= points.length; i++) {
    const run = points.slice(i, i + SIMPLE_RUN_LENGTH);
    if (run.every((point) => point === run[0])) return true;
    if (SIMPLE_RUNS.has(run.join(""))) return true;
  }
  return false;
}

function overlapsOld(points: readonly string[], previous: string | undefined): boolean {
  if (!previous) return false;
  const old = new Set(windows(codePoints(fold(previous)), OVERLAP_RUN_LENGTH));
  return windows(points, OVERLAP_RUN_LENGTH).some((run) => old.has(run));
}

/**
 * Checks a password against a policy and returns every violation, in the order of
 * {@link PASSWORD_VIOLATION_CODES}; an empty array means the password is acceptable. The
 * password is NFC-normalized first and its length counted in code points (an emoji is one).
 *
 * The rules, when enabled:
 * - `TOO_SHORT` / `TOO_LONG`: fewer than `minLength` / more than `maxLength` code points.
 * - `MISSING_UPPERCASE`, `MISSING_LOWERCASE`: no Unicode upper-case (Lu, Lt) / lower-case (Ll)
 *   letter; `MISSING_NUMERIC`: no decimal digit (Nd); `MISSING_NON_ALPHANUMERIC`: no character
 *   outside letters, combining marks and numbers (a space, a symbol or an emoji counts).
 * - `COMMON_PASSWORD`: the whole password, lower-cased, is on the common-password list.
 * - `CONTAINS_NAME`: contains, case-insensitively, the user's name or user id, or one of their
 *   words (split on anything but letters and digits) of 3+ code points.
 * - `CONTAINS_EMAIL`: contains, case-insensitively, the full email, its local part or one of the
 *   local part's words (split on `.`, `_`, `+`, `-`, ...) of 3+ code points.
 * - `CONFUSING_LETTERS`: contains one of {@link CONFUSING_CHARACTERS} (`l I 1 O 0`).
 * - `SIMPLE_PATTERN`: 4 consecutive code points that are one character repeated, or a run
 *   of one of {@link SIMPLE_SEQUENCES} forwards or backwards ("abcd", "4321", "qwer"),
 *   compared lower-cased.
 * - `COMMON_WORD`: contains, case-insensitively, an English word of 5+ letters from the
 *   vocabulary list (`params.word` names the first one found).
 * - `OVERLAPS_OLD_PASSWORD`: shares a run of 4+ consecutive code points with
 *   `context.previousPassword`, both lower-cased.
 *
 * `REUSED` needs the stored hashes: see {@link checkPasswordWithHistory}. A rule whose context
 * field is missing (no `email`, no `previousPassword`) passes.
 *
 * @example
 * ```ts
 * const violations = checkPassword(org.passwordPolicy, input, { email: user.email, name: user.name });
 * if (violations.length > 0) showErrors(violations.map((v) => v.message));
 * ```
 */
export function checkPassword(
  policy: PasswordPolicy,
  password: string,
  context: PasswordContext = {},
): PasswordViolation[] {
  const normalized = password.normalize("NFC");
  const points = codePoints(normalized);
  const folded = normalized.toLowerCase();
  const foldedPoints = codePoints(folded);
  const violations: PasswordViolation[] = [];

  if (points.length < policy.minLength) {
    violations.push({
      code: "TOO_SHORT",
      message: `Use at least ${policy.minLength} characters.`,
      params: { minLength: policy.minLength, length: points.length },
    });
  }
  if (points.length > policy.maxLength) {
    violations.push({
      code: "TOO_LONG",
      message: `Use at most ${policy.maxLength} characters.`,
      params: { maxLength: policy.maxLength, length: points.length },
    });
  }
  if (policy.requireUppercase && !UPPERCASE.test(normalized)) {
    violations.push({ code: "MISSING_UPPERCASE", message: "Include an upper-case letter." });
  }
  if (policy.requireLowercase && !LOWERCASE.test(normalized)) {
    violations.push({ code: "MISSING_LOWERCASE", message: "Include a lower-case letter." });
  }
  if (policy.requireNumeric && !NUMERIC.test(normalized)) {
    violations.push({ code: "MISSING_NUMERIC", message: "Include a digit." });
  }
  if (policy.requireNonAlphanumeric && !NON_ALPHANUMERIC.test(normalized)) {
    violations.push({
      code: "MISSING_NON_ALPHANUMERIC",
      message: "Include a symbol, a punctuation mark or a space.",
    });
  }
  if (policy.blockCommonPasswords && isCommonPassword(normalized)) {
    violations.push({ code: "COMMON_PASSWORD", message: "This password is too common; choose another one." });
  }
  if (policy.excludeNames && containsName(folded, context)) {
    violations.push({ code: "CONTAINS_NAME", message: "Do not include your name or user id." });
  }
  if (policy.excludeEmail && containsEmail(folded, context.email)) {
    violations.push({ code: "CONTAINS_EMAIL", message: "Do not include your email address." });
  }
  if (policy.noConfusingLetters) {
    const found = CONFUSING_CHARACTERS.filter((character) => normalized.includes(character));
    if (found.length > 0) {
      violations.push({
        code: "CONFUSING_LETTERS",
        message: "Avoid the easily confused characters l, I, 1, O and 0.",
        params: { characters: found.join(" ") },
      });
    }
  }
  if (policy.noSimplePasswords && hasSimpleRun(foldedPoints)) {
    violations.push({
      code: "SIMPLE_PATTERN",
      message: "Avoid sequences like abcd, 1234 or qwer and characters repeated like aaaa.",
    });
  }
  if (policy.noCommonVocabulary) {
    const word = findCommonWord(normalized);
    if (word !== null) {
      violations.push({
        code: "COMMON_WORD",
        message: `Avoid common words such as "${word}".`,
        params: { word },
      });
    }
  }
  if (policy.noOverlapWithOld && overlapsOld(foldedPoints, context.previousPassword)) {
    violations.push({
      code: "OVERLAPS_OLD_PASSWORD",
      message: "Too similar to your previous password; change more of it.",
    });
  }
  return violations;
}

/**
 * {@link checkPassword} plus the `reuseHistory` rule: when `policy.reuseHistory` is above 0,
 * asks `isReused` (given the NFC-normalized password) and adds `REUSED` if it answers true.
 * The caller owns the comparison, typically by verifying the password against the user's last
 * `policy.reuseHistory` PHC hashes. The callback is not called when the rule is off.
 *
 * @example
 * ```ts
 * const violations = await checkPasswordWithHistory(policy, input, { email }, (pw) =>
 *   someHash(lastHashes.slice(0, policy.reuseHistory), pw),
 * );
 * ```
 */
export async function checkPasswordWithHistory(
  policy: PasswordPolicy,
  password: string,
  context: PasswordContext,
  isReused: (password: string) => Promise<boolean>,
): Promise<PasswordViolation[]> {
  const violations = checkPassword(policy, password, context);
  if (policy.reuseHistory > 0 && (await isReused(password.normalize("NFC")))) {
    violations.push({
      code: "REUSED",
      message: `Do not reuse any of your last ${policy.reuseHistory} passwords.`,
      params: { reuseHistory: policy.reuseHistory },
    });
  }
  return violations;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether a password last changed at `changedAt` must be changed at `now`: true once
 * `lifespanDays` full days have passed (at `changedAt + lifespanDays × 24 h` exactly, and after).
 * Always false when `lifespanDays` is null, the default.
 */
export function isPasswordExpired(policy: PasswordPolicy, changedAt: Date, now: Date): boolean {
  if (policy.lifespanDays === null) return false;
  return now.getTime() - changedAt.getTime() >= policy.lifespanDays * DAY_MS;
}

/**
 * The policy a user in several organizations must satisfy, so that a password passing it
 * passes each of them: the largest `minLength`, the smallest `maxLength` (never below 64),
 * every boolean rule that any policy turns on, the largest `reuseHistory`, the shortest
 * `lifespanDays` (null only when all are null), and the strictest lockout (fewest
 * `maxAttempts`, longest `windowMinutes`, longest `lockMinutes`). With no policy, the default.
 */
export function strictestPolicy(policies: readonly PasswordPolicy[]): PasswordPolicy {
  const [first, ...rest] = policies;
  if (first === undefined) return DEFAULT_PASSWORD_POLICY;
  return rest.reduce<PasswordPolicy>(
    (a, b) => ({
      minLength: Math.max(a.minLength, b.minLength),
      maxLength: Math.max(MIN_MAX_PASSWORD_LENGTH, Math.min(a.maxLength, b.maxLength)),
      requireUppercase: a.requireUppercase || b.requireUppercase,
      requireLowercase: a.requireLowercase || b.requireLowercase,
      requireNumeric: a.requireNumeric || b.requireNumeric,
      requireNonAlphanumeric: a.requireNonAlphanumeric || b.requireNonAlphanumeric,
      blockCommonPasswords: a.blockCommonPasswords || b.blockCommonPasswords,
      reuseHistory: Math.max(a.reuseHistory, b.reuseHistory),
      excludeNames: a.excludeNames || b.excludeNames,
      excludeEmail: a.excludeEmail || b.excludeEmail,
      noConfusingLetters: a.noConfusingLetters || b.noConfusingLetters,
      noSimplePasswords: a.noSimplePasswords || b.noSimplePasswords,
      noCommonVocabulary: a.noCommonVocabulary || b.noCommonVocabulary,
      noOverlapWithOld: a.noOverlapWithOld || b.noOverlapWithOld,
      lifespanDays:
        a.lifespanDays === null
          ? b.lifespanDays
          : b.lifespanDays === null
            ? a.lifespanDays
            : Math.min(a.lifespanDays, b.lifespanDays),
      lockout: {
        maxAttempts: Math.min(a.lockout.maxAttempts, b.lockout.maxAttempts),
        windowMinutes: Math.max(a.lockout.windowMinutes, b.lockout.windowMinutes),
        lockMinutes: Math.max(a.lockout.lockMinutes, b.lockout.lockMinutes),
      },
    }),
    { ...first, lockout: { ...first.lockout } },
  );
}

/** A password meter's grade, see {@link passwordStrength}. */
export type PasswordStrength = "weak" | "fair" | "strong";

/**
 * The violations that make a password weak on their own: too short, a known common password,
 * or one of the user's recent passwords (the first things an attacker tries).
 */
export const WEAK_PASSWORD_VIOLATIONS: readonly PasswordViolationCode[] = [
  "TOO_SHORT",
  "COMMON_PASSWORD",
  "REUSED",
];

/**
 * Grades a password from its violations, for a UI meter: `"strong"` with none (the policy
 * accepts it); `"weak"` with any of {@link WEAK_PASSWORD_VIOLATIONS} or with 3 or more
 * violations; `"fair"` otherwise (1 or 2 lesser violations: close, but still refused).
 */
export function passwordStrength(violations: readonly PasswordViolation[]): PasswordStrength {
  if (violations.length === 0) return "strong";
  if (violations.length >= 3) return "weak";
  return violations.some((violation) => WEAK_PASSWORD_VIOLATIONS.includes(violation.code)) ? "weak" : "fair";
}
