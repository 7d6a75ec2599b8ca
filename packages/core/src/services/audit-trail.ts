import type { Stores } from "../storage/storage.js";
import type { CallContext } from "./runtime.js";

/**
 * The audit actions orgkit records: Clarifai's vocabulary for organizations, plus orgkit's own.
 */
export const AUDIT_ACTIONS = [
  "USER_CREATE",
  "ORGANIZATION_CREATE",
  "ORGANIZATION_UPDATE",
  "ORGANIZATION_DELETE",
  "ORGANIZATION_MEMBER_ADD",
  "ORGANIZATION_MEMBER_CHANGE",
  "ORGANIZATION_MEMBER_REMOVE",
  "ORGANIZATION_INVITATION_CREATE",
  "ORGANIZATION_INVITATION_RESEND",
  "ORGANIZATION_INVITATION_CANCEL",
  "ORGANIZATION_INVITATION_ACCEPT",
  "ORGANIZATION_INVITATION_DECLINE",
] as const;

/** One of {@link AUDIT_ACTIONS}. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Appends an audit event for this call in the transaction `tx`. */
export function recordAudit(
  tx: Stores,
  ctx: CallContext,
  event: {
    organizationId: string | null;
    action: AuditAction;
    targetType: "user" | "organization" | "membership" | "invitation";
    targetId: string;
    before?: unknown;
    after?: unknown;
  },
): Promise<void> {
  const actor = ctx.actor;
  return tx.audit.append({
    organizationId: event.organizationId,
    actor: { type: actor.type, id: actor.type === "user" ? actor.userId : null },
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    before: event.before ?? null,
    after: event.after ?? null,
    ip: actor.ip,
    outcome: "success",
    at: ctx.rt.clock.now(),
  });
}
