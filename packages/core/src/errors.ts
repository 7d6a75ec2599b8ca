/**
 * Every failure orgkit reports is an {@link OrgKitError}: a stable UPPER_SNAKE `code`, the HTTP
 * `status` it maps to, a human `message`, and `param` naming the offending input field when
 * there is one (so a form can highlight it).
 *
 * Codes are declared once in {@link ERROR_CODES} and never renamed once shipped.
 */

/** Error categories; each one maps to one HTTP status. */
export const ERROR_CATEGORIES = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
} as const;

/** One of {@link ERROR_CATEGORIES}' keys. */
export type ErrorCategory = keyof typeof ERROR_CATEGORIES;

/**
 * The closed table of error codes with their category and default message.
 * A code, once shipped, is never renamed or moved to another category.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { category: "validation", message: "The request is not valid." },
  PASSWORD_POLICY_VIOLATION: {
    category: "validation",
    message: "The password does not meet the password policy.",
  },
  INVALID_CURSOR: { category: "validation", message: "The cursor is malformed or belongs to another list." },
  UNAUTHENTICATED: { category: "unauthenticated", message: "Sign in to continue." },
  INVALID_CREDENTIALS: {
    category: "unauthenticated",
    message: "The email address or the password is not right.",
  },
  FORBIDDEN: { category: "forbidden", message: "You do not have permission to do this." },
  SSO_REQUIRED: {
    category: "forbidden",
    message: "Your organization requires single sign-on: sign in through your identity provider.",
  },
  TOKEN_POLICY_VIOLATION: {
    category: "forbidden",
    message: "An organization you belong to does not allow this token.",
  },
  INVITATION_EMAIL_MISMATCH: {
    category: "forbidden",
    message: "This invitation was sent to another email address.",
  },
  CROSS_ORIGIN_REQUEST: {
    category: "forbidden",
    message: "A request authenticated by a cookie must come from this site.",
  },
  NOT_FOUND: { category: "not_found", message: "Not found." },
  METHOD_NOT_ALLOWED: { category: "method_not_allowed", message: "This method is not allowed here." },
  PAYLOAD_TOO_LARGE: { category: "payload_too_large", message: "The request body is too large." },
  UNSUPPORTED_MEDIA_TYPE: {
    category: "unsupported_media_type",
    message: "Send the request body as application/json.",
  },
  CONFLICT: { category: "conflict", message: "That value is already taken." },
  ALREADY_MEMBER: { category: "conflict", message: "This person is already a member of the organization." },
  ALREADY_IN_ORGANIZATION: {
    category: "conflict",
    message: "You already belong to an organization; leave it before joining another one.",
  },
  LAST_ADMIN: { category: "conflict", message: "An organization must keep at least one admin." },
  INVITATION_ALREADY_PENDING: {
    category: "conflict",
    message: "A pending invitation already exists for this email address.",
  },
  INVITATION_ALREADY_USED: { category: "conflict", message: "This invitation has already been accepted." },
  INVITATION_DECLINED: { category: "gone", message: "This invitation was declined." },
  INVITATION_REVOKED: { category: "gone", message: "This invitation was rescinded." },
  INVITATION_EXPIRED: { category: "gone", message: "This invitation has expired." },
  SAML_RESPONSE_INVALID: {
    category: "unauthenticated",
    message:
      "Single sign-on failed: the identity provider's response was not accepted. Try signing in again.",
  },
  IDENTITY_PROVIDER_DISABLED: {
    category: "forbidden",
    message: "This identity provider is disabled; ask an administrator of your organization.",
  },
  MODEL_NOT_TRAINED: {
    category: "conflict",
    message: "This model has no trained version yet: train it first.",
  },
  MODEL_TYPE_UNSUPPORTED: {
    category: "validation",
    message: "No model runner is configured for this model type.",
  },
  BUDGET_EXCEEDED: {
    category: "forbidden",
    message:
      "A budget with a hard stop is used up for this billing period; raise it or wait for the next period.",
  },
  PERIOD_CLOSED: {
    category: "conflict",
    message: "This billing period is closed; its statement can no longer change.",
  },
  RATE_LIMITED: { category: "rate_limited", message: "Too many requests; try again later." },
  INTERNAL: { category: "internal", message: "Something went wrong on our side." },
} as const satisfies Record<string, { category: ErrorCategory; message: string }>;

/** A stable error code, one of {@link ERROR_CODES}' keys. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options accepted by {@link OrgKitError} besides its code. */
export interface OrgKitErrorOptions {
  /** Overrides the code's default message. */
  message?: string;
  /** The input field at fault, as a dotted path (`"email"`, `"profile.website"`). */
  param?: string;
  /** The underlying error, never shown to an end user. */
  cause?: unknown;
  /** Extra machine-readable facts (for RATE_LIMITED: `retryAfterSeconds`). */
  details?: Record<string, unknown>;
}

/**
 * The one error type orgkit throws for a domain failure.
 *
 * @example
 * ```ts
 * try { await asBob.members.remove("acme", aliceId); }
 * catch (e) { if (isOrgKitError(e, "LAST_ADMIN")) showBanner(e.message); }
 * ```
 */
export class OrgKitError extends Error {
  /** The stable code, for programs. */
  readonly code: ErrorCode;
  /** The HTTP status the code maps to. */
  readonly status: number;
  /** The category the code belongs to. */
  readonly category: ErrorCategory;
  /** The offending input field, when there is one. */
  readonly param: string | undefined;
  /** Extra machine-readable facts. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: OrgKitErrorOptions = {}) {
    const entry = ERROR_CODES[code];
    super(
      options.message ?? entry.message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "OrgKitError";
    this.code = code;
    this.category = entry.category;
    this.status = ERROR_CATEGORIES[entry.category];
    this.param = options.param;
    this.details = options.details;
  }

  /** The wire shape `{ code, message, param? }`; never includes the cause or a stack. */
  toJSON(): { code: ErrorCode; message: string; param?: string } {
    return this.param === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, param: this.param };
  }
}

/** True when `error` is an {@link OrgKitError}, optionally with the given code. */
export function isOrgKitError(error: unknown, code?: ErrorCode): error is OrgKitError {
  return error instanceof OrgKitError && (code === undefined || error.code === code);
}

/** Shorthand for the NOT_FOUND every missing or foreign id answers with. */
export function notFound(param?: string): OrgKitError {
  return new OrgKitError("NOT_FOUND", { param });
}

/** Shorthand for a VALIDATION_FAILED on one field. */
export function invalid(param: string, message: string): OrgKitError {
  return new OrgKitError("VALIDATION_FAILED", { param, message });
}

/** Shorthand for a CONFLICT on one field. */
export function conflict(param: string, message: string): OrgKitError {
  return new OrgKitError("CONFLICT", { param, message });
}
