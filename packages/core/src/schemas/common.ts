import { z } from "zod";
import { OrgKitError } from "../errors.js";

/**
 * An email address: trimmed, lower-cased, at most 254 characters (RFC 5321's path limit).
 */
export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "An email address has at most 254 characters.")
  .pipe(z.email("Enter a valid email address."))
  .meta({ id: "Email", description: "An email address, trimmed and lower-cased." });

/**
 * Ids that would collide with the HTTP API's own top-level paths (`/{ownerId}/apps/...` shares
 * the root with `/me`, `/orgs`, ...), so no account may take them.
 */
export const RESERVED_ACCOUNT_IDS: ReadonlySet<string> = new Set([
  "api",
  "admin",
  "apps",
  "audit",
  "billing",
  "invitations",
  "me",
  "new",
  "openapi.json",
  "orgs",
  "organizations",
  "password-reset",
  "sessions",
  "settings",
  "sso",
  "system",
  "tokens",
  "users",
]);

/**
 * An account id (user or organization), URL-safe: 2–64 characters of lower-case letters, digits,
 * `-` and `_`, starting and ending with a letter or digit. Users and organizations share the
 * namespace, so an id is unique across both.
 */
export const AccountIdSchema = z
  .string()
  .min(2, "An id has at least 2 characters.")
  .max(64, "An id has at most 64 characters.")
  .regex(
    /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/,
    "Use lower-case letters, digits, '-' and '_', starting and ending with a letter or digit.",
  )
  .refine((id) => !RESERVED_ACCOUNT_IDS.has(id), "This id is reserved.")
  .meta({ id: "AccountId", description: "A URL-safe account id, unique across users and organizations." });

/** A display name: trimmed, 1–100 characters, no control characters. */
export const DisplayNameSchema = z
  .string()
  .trim()
  .min(1, "Enter a name.")
  .max(100, "A name has at most 100 characters.")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  .regex(/^[^\u0000-\u001f\u007f]*$/, "A name cannot contain control characters.");

/** An http(s) URL of at most 2,048 characters. */
export const HttpUrlSchema = z
  .string()
  .trim()
  .max(2048, "A URL has at most 2,048 characters.")
  .pipe(z.url({ protocol: /^https?$/, error: "Enter an http or https URL." }));

/** The largest page a list returns; larger requested limits are clamped to it. */
export const MAX_PAGE_SIZE = 100;
/** The page size when none is requested. */
export const DEFAULT_PAGE_SIZE = 20;

/** `limit` and `cursor` of every list. A limit out of [1, 100] is clamped, not refused. */
export const PageQuerySchema = z.object({
  limit: z
    .number()
    .int("The limit is a whole number.")
    .optional()
    .transform((limit) => Math.min(MAX_PAGE_SIZE, Math.max(1, limit ?? DEFAULT_PAGE_SIZE))),
  cursor: z.string().max(1024, "A cursor has at most 1,024 characters.").optional(),
});

/** A page of a list: its items and the cursor of the next page (null on the last one). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** The zod schema of a {@link Page} of `item`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * The path to the first string (value or key) holding a NUL in parsed input, or null when there
 * is none. The path is built only on the way out of a find: a clean batch of thousands of events
 * costs one walk and no allocation.
 */
function nulPath(value: unknown): (string | number)[] | null {
  if (typeof value === "string") return value.includes("\u0000") ? [] : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i]);
      if (found !== null) return [i, ...found];
    }
    return null;
  }
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    for (const key in value) {
      if (key.includes("\u0000")) return [key];
      const found = nulPath((value as Record<string, unknown>)[key]);
      if (found !== null) return [key, ...found];
    }
  }
  return null;
}

function paramOf(issue: z.core.$ZodIssue): string | undefined {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.length > 0 ? path.join(".") : undefined;
}

/**
 * Parses `input` with `schema`, or throws VALIDATION_FAILED naming the first offending field in
 * `param` (prefixed with `paramPrefix` when the input is one argument of several).
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  paramPrefix?: string,
): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) {
    // Postgres refuses a NUL in text, so one would fail deep in a query on one engine and be
    // stored on the other: refuse it here, for every engine, naming the field.
    const at = nulPath(result.data);
    if (at === null) return result.data;
    const param = at.length > 0 ? at.join(".") : undefined;
    throw new OrgKitError("VALIDATION_FAILED", {
      message: "Text cannot contain a NUL character.",
      param:
        paramPrefix === undefined ? param : param === undefined ? paramPrefix : `${paramPrefix}.${param}`,
    });
  }
  const issue = result.error.issues[0];
  const param = issue === undefined ? undefined : paramOf(issue);
  throw new OrgKitError("VALIDATION_FAILED", {
    message: issue?.message ?? "The request is not valid.",
    param: paramPrefix === undefined ? param : param === undefined ? paramPrefix : `${paramPrefix}.${param}`,
    details: { issues: result.error.issues.map((i) => ({ param: paramOf(i), message: i.message })) },
  });
}
