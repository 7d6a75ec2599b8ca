/**
 * The outgoing-mail port. orgkit never sends mail inside a transaction: a message is written to
 * the outbox in the same transaction as the change that caused it, and handed to the
 * {@link Mailer} only after that transaction commits. When delivery fails the message stays in
 * the outbox for a retry; the change that caused it is never lost.
 */

/** The templates orgkit sends. `@orgkit/react/emails` renders each one. */
export const MAIL_TEMPLATES = ["invitation", "password-reset", "budget-alert"] as const;
/** One of {@link MAIL_TEMPLATES}. */
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** The data of the `invitation` template. */
export interface InvitationMailData {
  readonly organizationId: string;
  readonly organizationName: string;
  readonly inviterName: string | null;
  readonly role: string;
  readonly acceptUrl: string;
  readonly expiresAt: string;
  readonly productName: string;
}

/** The data of the `password-reset` template. */
export interface PasswordResetMailData {
  readonly name: string;
  readonly resetUrl: string;
  readonly expiresAt: string;
  readonly productName: string;
}

/** The data of the `budget-alert` template, sent to the billing email at 75, 90 and 100 % of a budget. */
export interface BudgetAlertMailData {
  readonly organizationId: string;
  readonly organizationName: string;
  /** `organization`, `team:<id>` or `member:<id>`. */
  readonly scope: string;
  readonly period: string;
  readonly threshold: number;
  /** Minor units of `currency`. */
  readonly spent: number;
  readonly amount: number;
  readonly currency: string;
  readonly hardStop: boolean;
  readonly productName: string;
}

/** A message handed to a {@link Mailer}: a plain-text body, and data for an HTML template. */
export interface OutgoingMessage {
  /** The outbox id; stable across retries, usable as an idempotency key. */
  readonly id: string;
  readonly template: MailTemplate;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Delivers messages. Resolve when the message is accepted for delivery; reject to leave it in
 * the outbox as failed.
 *
 * @example
 * ```ts
 * const mailer: Mailer = { send: (m) => transport.sendMail({ to: m.to, subject: m.subject, text: m.text }) };
 * ```
 */
export interface Mailer {
  send(message: OutgoingMessage): Promise<void>;
}

/** What happened to a message after the change that caused it committed. */
export type DeliveryStatus = "sent" | "pending" | "failed";
