import { newKey } from "../internal/ids.js";
import type { DeliveryStatus, MailTemplate, OutgoingMessage } from "../mail.js";
import type { OutboxMessageRecord } from "../storage/records.js";
import type { Stores } from "../storage/storage.js";
import type { Runtime } from "./runtime.js";

/** Writes a message to the outbox inside the caller's transaction and returns it for delivery. */
export async function enqueueMessage(
  tx: Stores,
  rt: Runtime,
  message: Omit<OutgoingMessage, "id">,
): Promise<OutgoingMessage> {
  const id = newKey();
  await tx.outbox.enqueue({ ...message, id, data: { ...message.data }, at: rt.clock.now() });
  return { ...message, id };
}

/**
 * Hands a committed outbox message to the mailer. Call only after the transaction that wrote it
 * committed. A failure is recorded on the message (which stays for a retry) and reported to
 * `onMailError`; it never fails the call that caused the message. Without a mailer the message
 * stays pending in the outbox for the host to read.
 */
export async function deliver(rt: Runtime, message: OutgoingMessage): Promise<DeliveryStatus> {
  if (rt.mailer === undefined) return "pending";
  try {
    await rt.mailer.send(message);
  } catch (error) {
    await rt.storage.outbox.markFailed(
      message.id,
      error instanceof Error ? error.message : String(error),
      rt.clock.now(),
    );
    rt.onMailError?.(error, message.id);
    return "failed";
  }
  await rt.storage.outbox.markSent(message.id, rt.clock.now());
  return "sent";
}

/** The message a stored outbox row describes, or null once it was sent (its body is erased). */
export function messageOf(record: OutboxMessageRecord): OutgoingMessage | null {
  if (record.status === "sent" || record.text === null) return null;
  return {
    id: record.id,
    template: record.template as MailTemplate,
    to: record.to,
    subject: record.subject,
    text: record.text,
    data: record.data ?? {},
  };
}
