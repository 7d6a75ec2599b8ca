import { createHash } from "node:crypto";
import type { AuditEventInput, AuditEventRecord } from "./records.js";

/** The chain of events without an organization (sign-ins, tokens, registrations). */
export const GLOBAL_AUDIT_CHAIN = "global";

/** The chain of an organization's events, by its internal key (ids can be reused after deletion). */
export function organizationAuditChain(organizationKey: string): string {
  return `org:${organizationKey}`;
}

/** The `previousHash` of a chain's first event. */
export const GENESIS_HASH = "0".repeat(64);

/** The fields an audit event's hash covers, as stored (before/after as their stored JSON text). */
export interface AuditHashFields {
  readonly chain: string;
  readonly sequence: number;
  readonly previousHash: string;
  readonly id: string;
  readonly organizationId: string | null;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly beforeJson: string | null;
  readonly afterJson: string | null;
  readonly ip: string | null;
  readonly outcome: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

/**
 * SHA-256 (hex) of an audit event: a JSON array of its fields in a fixed order, the previous
 * event's hash included, so that altering, removing or reordering an event breaks every hash
 * after it. Adapters compute it when appending; `audit.verify` recomputes it.
 */
export function hashAuditEvent(fields: AuditHashFields): string {
  const canonical = JSON.stringify([
    fields.chain,
    fields.sequence,
    fields.previousHash,
    fields.id,
    fields.organizationId,
    fields.actorType,
    fields.actorId,
    fields.action,
    fields.targetType,
    fields.targetId,
    fields.beforeJson,
    fields.afterJson,
    fields.ip,
    fields.outcome,
    fields.at,
  ]);
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}

/** The head of a chain: its last event, and where retention cut it. */
export interface AuditChainHead {
  readonly chain: string;
  /** The sequence of the last event appended (0 when none yet). */
  readonly sequence: number;
  /** The hash of the last event appended. */
  readonly hash: string;
  /** Events up to this sequence were deleted by retention (0 when none). */
  readonly prunedThrough: number;
  /** The hash of the last deleted event: where verification starts. */
  readonly prunedHash: string;
}

/** A query of one chain, newest first, strictly before the `before` sequence. */
export interface AuditQuery {
  readonly chain: string;
  readonly actorId?: string | undefined;
  readonly action?: string | undefined;
  readonly targetType?: string | undefined;
  readonly targetId?: string | undefined;
  /** Inclusive. */
  readonly from?: Date | undefined;
  /** Exclusive. */
  readonly to?: Date | undefined;
  readonly before?: number | undefined;
  readonly limit: number;
}

/** A stored event with its raw JSON columns, for verification. */
export interface StoredAuditEvent {
  readonly record: AuditEventRecord;
  readonly beforeJson: string | null;
  readonly afterJson: string | null;
}

/**
 * The audit trail: append-only hash chains, one per organization and one global. The port has
 * no update; deletion only through retention (`prune`), which keeps the chain verifiable.
 */
export interface AuditStore {
  /**
   * Appends one event in the caller's transaction, so it commits or rolls back with the change.
   * The chain is `org:<key>` of the organization named by `organizationId` (resolved by the
   * store when the event has no `organizationKey`), else `global`. MUST take the chain's head
   * with one atomic write that locks it until the transaction ends (an upsert), so that
   * concurrent appends to one chain serialize and the chain never forks: sequence = head + 1,
   * previousHash = the head's hash, hash = {@link hashAuditEvent}.
   */
  append(event: AuditEventInput): Promise<AuditEventRecord>;
  /** Events of a chain matching the query, newest first. MUST walk an index on (chain, …, sequence). */
  query(query: AuditQuery): Promise<AuditEventRecord[]>;
  /** Events of a chain with their stored JSON, in sequence order, strictly after `afterSequence`. */
  scan(chain: string, afterSequence: number, limit: number): Promise<StoredAuditEvent[]>;
  /** The chain's head, or null when it has no event yet. */
  head(chain: string): Promise<AuditChainHead | null>;
  /**
   * Deletes the chain's events older than `before`, from its start only, and records the last
   * deleted event's sequence and hash on the head so that verification starts there. Returns how
   * many were deleted.
   */
  prune(chain: string, before: Date): Promise<number>;
  /** Every chain that has events, for retention. */
  chains(): Promise<string[]>;
  /**
   * Events recorded under an organization's public id (or, for null, without one), oldest first.
   * A minimal read for tests and examples; hosts use the audit service's `query`.
   */
  listForOrganization(organizationId: string | null, limit: number): Promise<AuditEventRecord[]>;
}
