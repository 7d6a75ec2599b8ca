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
  "SECURITY_SIGN_IN",
  "SECURITY_SIGN_OUT",
  "SECURITY_SESSION_REVOKE",
  "SECURITY_PASSWORD_CHANGE",
  "SECURITY_PASSWORD_RESET",
  "SECURITY_PASSWORD_POLICY_UPDATE",
  "SECURITY_TOKEN_POLICY_UPDATE",
  "SECURITY_TOKEN_CREATE",
  "SECURITY_TOKEN_REVOKE",
  "SECURITY_IDENTITY_PROVIDER_CREATE",
  "SECURITY_IDENTITY_PROVIDER_UPDATE",
  "SECURITY_IDENTITY_PROVIDER_DELETE",
  "SECURITY_SSO_LOGIN",
  "SECURITY_SSO_LOGIN_FAILED",
  "ORGANIZATION_TEAM_CREATE",
  "ORGANIZATION_TEAM_UPDATE",
  "ORGANIZATION_TEAM_DELETE",
  "ORGANIZATION_TEAM_MEMBER_ADD",
  "ORGANIZATION_TEAM_MEMBER_REMOVE",
  "ORGANIZATION_TEAM_APP_ADD",
  "ORGANIZATION_TEAM_APP_CHANGE",
  "ORGANIZATION_TEAM_APP_REMOVE",
  "ORGANIZATION_POLICY_CREATE",
  "ORGANIZATION_POLICY_UPDATE",
  "ORGANIZATION_POLICY_DELETE",
  "APP_CREATE",
  "APP_UPDATE",
  "APP_DELETE",
  "APP_DUPLICATE",
  "APP_TRANSFER",
  "APP_PIN",
  "APP_UNPIN",
  "COLLABORATOR_ADD",
  "COLLABORATOR_UPDATE",
  "COLLABORATOR_REMOVE",
  "MODEL_CREATE",
  "MODEL_UPDATE",
  "MODEL_DELETE",
  "MODEL_TRAIN",
  "WORKFLOW_CREATE",
  "WORKFLOW_UPDATE",
  "WORKFLOW_DELETE",
  "INPUT_ADD",
  "INPUT_DELETE",
  "STAR_ADD",
  "STAR_REMOVE",
  "BILLING_ACCOUNT_UPDATE",
  "BILLING_METER_SET",
  "BILLING_PRICE_SET",
  "BILLING_BUDGET_SET",
  "BILLING_BUDGET_DELETE",
  "BILLING_BUDGET_ALERT",
  "BILLING_PERIOD_CLOSE",
] as const;

/** One of {@link AUDIT_ACTIONS}. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Appends an audit event for this call in the transaction `tx`. */
export async function recordAudit(
  tx: Stores,
  ctx: CallContext,
  event: {
    organizationId: string | null;
    /** The organization's internal key, when at hand (saves the store a lookup). */
    organizationKey?: string | null;
    action: AuditAction;
    targetType:
      | "user"
      | "organization"
      | "membership"
      | "invitation"
      | "session"
      | "token"
      | "identity_provider"
      | "team"
      | "policy"
      | "app"
      | "collaborator"
      | "model"
      | "workflow"
      | "input"
      | "star"
      | "billing_account"
      | "meter"
      | "price"
      | "budget"
      | "billing_period";
    targetId: string;
    before?: unknown;
    after?: unknown;
    /** Default `"success"`; a refused attempt worth keeping (a failed SSO login) is `"failure"`. */
    outcome?: "success" | "failure";
  },
): Promise<void> {
  const actor = ctx.actor;
  await tx.audit.append({
    organizationId: event.organizationId,
    organizationKey: event.organizationKey ?? null,
    actor: { type: actor.type, id: actor.type === "user" ? actor.userId : null },
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    before: event.before ?? null,
    after: event.after ?? null,
    ip: actor.ip,
    outcome: event.outcome ?? "success",
    at: ctx.rt.clock.now(),
  });
}
