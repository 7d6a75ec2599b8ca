import type { AuditEventInput, AuditEventRecord } from "./records.js";

/**
 * The audit trail. Append-only: the port has no update and no delete.
 */
export interface AuditStore {
  /** Appends one event in the caller's transaction, so it commits or rolls back with the change. */
  append(event: AuditEventInput): Promise<void>;
  /**
   * Events of one organization (or, for null, of no organization), oldest first. A minimal read
   * for tests and hosts; the query API with filters and cursors builds on it.
   */
  listForOrganization(organizationId: string | null, limit: number): Promise<AuditEventRecord[]>;
}
