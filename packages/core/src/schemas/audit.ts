import { z } from "zod";
import { PageQuerySchema } from "./common.js";

/** An audit event as the API shows it. */
export const AuditEventSchema = z
  .object({
    id: z.string(),
    /** Position in the organization's chain: 1, 2, 3, … */
    sequence: z.number().int(),
    organizationId: z.string().nullable(),
    actor: z.object({ type: z.enum(["user", "system", "anonymous"]), id: z.string().nullable() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    before: z.unknown(),
    after: z.unknown(),
    ip: z.string().nullable(),
    outcome: z.enum(["success", "failure"]),
    at: z.date(),
    /** SHA-256 over the event and the previous event's hash. */
    hash: z.string(),
  })
  .meta({ id: "AuditEvent", description: "One entry of an organization's hash-chained audit log." });

/** An audit event as the API shows it. */
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** Query of `audit.query`: filters, newest first, cursor-paginated. */
export const AuditQuerySchema = PageQuerySchema.extend({
  actorId: z.string().min(1).max(64).optional(),
  action: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{1,63}$/, "An action is an UPPER_SNAKE code such as ORGANIZATION_MEMBER_ADD.")
    .optional(),
  targetType: z.string().min(1).max(64).optional(),
  targetId: z.string().min(1).max(128).optional(),
  /** Inclusive. */
  from: z.date().optional(),
  /** Exclusive. */
  to: z.date().optional(),
})
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, {
    message: "`from` must be before `to`.",
    path: ["from"],
  });

/** Query of `audit.query`. */
export type AuditQueryInput = z.input<typeof AuditQuerySchema>;

/** The outcome of `audit.verify`. */
export const AuditVerificationSchema = z
  .object({
    /** True when every event is intact and none is missing. */
    valid: z.boolean(),
    /** How many events were checked. */
    checked: z.number().int(),
    /** The chain's last sequence. */
    lastSequence: z.number().int(),
    /** The first problem found, or null. */
    problem: z
      .object({
        kind: z.enum(["altered", "missing"]),
        /** The sequence at which the chain breaks. */
        sequence: z.number().int(),
        /** The event found there (null when missing). */
        eventId: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: "AuditVerification", description: "The result of recomputing an audit chain." });

/** The outcome of `audit.verify`. */
export type AuditVerification = z.infer<typeof AuditVerificationSchema>;
