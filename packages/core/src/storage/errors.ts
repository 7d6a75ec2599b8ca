/**
 * Errors the storage port raises for the services to translate. Adapters classify their
 * engine's errors into these; the services never see a driver error.
 */

/**
 * The logical unique constraints of the port. Each is backed by a unique index (never by a
 * count-then-insert), so that two concurrent writers cannot both win.
 */
export const UNIQUE_CONSTRAINTS = [
  "account_id",
  "user_email",
  "organization_name",
  "membership",
  "pending_invitation",
  "invitation_token",
  "session_token",
  "access_token",
  "identity_provider_id",
  "identity_provider_domain",
  "external_identity",
  "saml_assertion",
  "team_id",
  "team_member",
  "team_app",
  "app_id",
  "app_collaborator",
  "model_id",
  "model_version",
  "workflow_id",
  "input_id",
  "usage_event",
  "budget_scope",
] as const;

/** One of {@link UNIQUE_CONSTRAINTS}. */
export type UniqueConstraint = (typeof UNIQUE_CONSTRAINTS)[number];

/** A write hit a unique constraint; the transaction it ran in is rolled back. */
export class UniqueViolationError extends Error {
  /** The logical constraint that was violated. */
  readonly constraint: UniqueConstraint;

  constructor(constraint: UniqueConstraint, options?: { cause?: unknown }) {
    super(`unique constraint violated: ${constraint}`, options);
    this.name = "UniqueViolationError";
    this.constraint = constraint;
  }
}

/** True when `error` is a {@link UniqueViolationError}, optionally on the given constraint. */
export function isUniqueViolation(
  error: unknown,
  constraint?: UniqueConstraint,
): error is UniqueViolationError {
  return (
    error instanceof UniqueViolationError && (constraint === undefined || error.constraint === constraint)
  );
}
