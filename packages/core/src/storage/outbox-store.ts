import type { OutboxMessageRecord, OutboxStatus } from "./records.js";

/** A message to enqueue. */
export interface NewOutboxMessage {
  readonly id: string;
  readonly template: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly data: Record<string, unknown>;
  readonly at: Date;
}

/**
 * The transactional outbox of outgoing mail: a message is written in the same transaction as
 * the change that caused it, and handed to the mailer only after that transaction commits.
 */
export interface OutboxStore {
  /** Enqueues a pending message. */
  enqueue(message: NewOutboxMessage): Promise<OutboxMessageRecord>;
  /** The message, or null. */
  get(id: string): Promise<OutboxMessageRecord | null>;
  /** Messages in a status, oldest first, strictly after the `after` id. */
  list(query: {
    status?: OutboxStatus | undefined;
    limit: number;
    after?: string | undefined;
  }): Promise<OutboxMessageRecord[]>;
  /** Marks a message sent and erases its body and data (they may carry a secret link). */
  markSent(id: string, at: Date): Promise<void>;
  /** Records a failed delivery attempt; the message stays for a retry. */
  markFailed(id: string, error: string, at: Date): Promise<void>;
}
