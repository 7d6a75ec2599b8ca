import { OrgKitError } from "../errors.js";
import {
  type AuditEvent,
  type AuditQueryInput,
  AuditQuerySchema,
  type AuditVerification,
} from "../schemas/audit.js";
import { type Page, parseInput } from "../schemas/common.js";
import {
  GENESIS_HASH,
  GLOBAL_AUDIT_CHAIN,
  hashAuditEvent,
  organizationAuditChain,
  type StoredAuditEvent,
} from "../storage/audit-store.js";
import type { AuditEventRecord } from "../storage/records.js";
import { authorizeOrganization } from "./access-control.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { CallContext, Runtime } from "./runtime.js";

/** An organization's audit log as its admins and financial managers see it (`audit:get`). */
export interface AuditService {
  /**
   * Events newest first, filtered by actor, action, target and time range, with a cursor.
   *
   * @example
   * ```ts
   * const page = await asAdmin.audit.query("acme", { action: "ORGANIZATION_MEMBER_REMOVE", from: lastWeek });
   * ```
   */
  query(organizationId: string, query?: AuditQueryInput): Promise<Page<AuditEvent>>;
  /** Recomputes the organization's chain and reports the first altered or missing event. */
  verify(organizationId: string): Promise<AuditVerification>;
  /** The log (optionally a time range) as JSON lines or CSV, oldest first. */
  export(organizationId: string, options: ExportOptions): Promise<string>;
}

/** Options of `audit.export`. */
export interface ExportOptions {
  readonly format: "jsonl" | "csv";
  /** Inclusive. */
  readonly from?: Date;
  /** Exclusive. */
  readonly to?: Date;
}

/** What trusted host code does with audit chains: verify any chain, apply retention. */
export interface AuditAdministration {
  /** Verifies one chain: `organizationAuditChain(key)` or `GLOBAL_AUDIT_CHAIN` (the default). */
  verifyChain(chain?: string): Promise<AuditVerification>;
  /**
   * Deletes events older than the retention (`createOrgKit({ audit: { retentionDays } })`, or
   * the given days) from the start of every chain, keeping each chain verifiable. Returns how
   * many were deleted. Call it on a schedule.
   */
  prune(retentionDays?: number): Promise<number>;
}

/** An audit record as the API shows it. */
export function toAuditEvent(record: AuditEventRecord): AuditEvent {
  return {
    id: record.id,
    sequence: record.sequence,
    organizationId: record.organizationId,
    actor: record.actor,
    action: record.action,
    target: { type: record.targetType, id: record.targetId },
    before: record.before,
    after: record.after,
    ip: record.ip,
    outcome: record.outcome,
    at: record.at,
    hash: record.hash,
  };
}

const SCAN_BATCH = 2000;

/** Recomputes a chain from its retention checkpoint to its head. */
export async function verifyAuditChain(rt: Runtime, chain: string): Promise<AuditVerification> {
  const head = await rt.storage.audit.head(chain);
  if (head === null) return { valid: true, checked: 0, lastSequence: 0, problem: null };
  let expected = head.prunedThrough + 1;
  let previousHash = head.prunedThrough === 0 ? GENESIS_HASH : head.prunedHash;
  let checked = 0;
  for (;;) {
    const batch: StoredAuditEvent[] = await rt.storage.audit.scan(chain, expected - 1, SCAN_BATCH);
    for (const { record, beforeJson, afterJson } of batch) {
      if (record.sequence !== expected) {
        return {
          valid: false,
          checked,
          lastSequence: head.sequence,
          problem: { kind: "missing", sequence: expected, eventId: null },
        };
      }
      const hash = hashAuditEvent({
        chain,
        sequence: record.sequence,
        previousHash,
        id: record.id,
        organizationId: record.organizationId,
        actorType: record.actor.type,
        actorId: record.actor.id,
        action: record.action,
        targetType: record.targetType,
        targetId: record.targetId,
        beforeJson,
        afterJson,
        ip: record.ip,
        outcome: record.outcome,
        at: record.at.getTime(),
      });
      if (record.previousHash !== previousHash || record.hash !== hash) {
        return {
          valid: false,
          checked,
          lastSequence: head.sequence,
          problem: { kind: "altered", sequence: record.sequence, eventId: record.id },
        };
      }
      previousHash = hash;
      expected += 1;
      checked += 1;
    }
    if (batch.length < SCAN_BATCH) break;
  }
  // Events cut from the end leave the head pointing past the last one found.
  if (expected - 1 !== head.sequence || previousHash !== head.hash) {
    return {
      valid: false,
      checked,
      lastSequence: head.sequence,
      problem: { kind: "missing", sequence: expected, eventId: null },
    };
  }
  return { valid: true, checked, lastSequence: head.sequence, problem: null };
}

const CSV_COLUMNS = [
  "sequence",
  "at",
  "organizationId",
  "actorType",
  "actorId",
  "action",
  "targetType",
  "targetId",
  "outcome",
  "ip",
  "before",
  "after",
  "hash",
] as const;

/** One CSV field: quoted when needed, and defused when a spreadsheet would read it as a formula. */
function csvField(value: unknown): string {
  let text =
    value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Builds the audit service for one actor. */
export function auditService(ctx: CallContext): AuditService {
  const { rt } = ctx;

  async function chainOf(organizationId: string): Promise<{ chain: string; id: string }> {
    const granted = await authorizeOrganization(ctx, organizationId, "audit:get");
    return { chain: organizationAuditChain(granted.organization.key), id: granted.organization.id };
  }

  return {
    async query(organizationId, query = {}) {
      const q = parseInput(AuditQuerySchema, query);
      const { chain, id } = await chainOf(organizationId);
      const scope = JSON.stringify([
        "audit",
        id,
        q.actorId,
        q.action,
        q.targetType,
        q.targetId,
        q.from?.getTime(),
        q.to?.getTime(),
      ]);
      const before =
        q.cursor === undefined ? undefined : (decodeCursor(q.cursor, scope, ["number"])[0] as number);
      const rows = await rt.storage.audit.query({
        chain,
        actorId: q.actorId,
        action: q.action,
        targetType: q.targetType,
        targetId: q.targetId,
        from: q.from,
        to: q.to,
        before,
        limit: q.limit + 1,
      });
      const items = rows.slice(0, q.limit);
      const last = items.at(-1);
      return {
        items: items.map(toAuditEvent),
        nextCursor: rows.length > q.limit && last !== undefined ? encodeCursor(scope, [last.sequence]) : null,
      };
    },

    async verify(organizationId) {
      const { chain } = await chainOf(organizationId);
      return verifyAuditChain(rt, chain);
    },

    async export(organizationId, options) {
      if (options === null || typeof options !== "object" || !["jsonl", "csv"].includes(options.format)) {
        throw new OrgKitError("VALIDATION_FAILED", { param: "format", message: "Choose jsonl or csv." });
      }
      const { chain } = await chainOf(organizationId);
      const lines: string[] = options.format === "csv" ? [CSV_COLUMNS.join(",")] : [];
      let after = 0;
      for (;;) {
        const batch = await rt.storage.audit.scan(chain, after, SCAN_BATCH);
        for (const { record } of batch) {
          if (options.from !== undefined && record.at < options.from) continue;
          if (options.to !== undefined && record.at >= options.to) continue;
          const event = toAuditEvent(record);
          if (options.format === "jsonl") {
            lines.push(JSON.stringify(event));
          } else {
            lines.push(
              [
                event.sequence,
                event.at.toISOString(),
                event.organizationId,
                event.actor.type,
                event.actor.id,
                event.action,
                event.target.type,
                event.target.id,
                event.outcome,
                event.ip,
                event.before,
                event.after,
                event.hash,
              ]
                .map(csvField)
                .join(","),
            );
          }
        }
        if (batch.length < SCAN_BATCH) break;
        after = batch.at(-1)?.record.sequence ?? after;
      }
      return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
    },
  };
}

/** Builds the audit administration for trusted host code. */
export function auditAdministration(rt: Runtime): AuditAdministration {
  return {
    verifyChain: (chain = GLOBAL_AUDIT_CHAIN) => verifyAuditChain(rt, chain),
    async prune(retentionDays = rt.auditRetentionDays ?? undefined) {
      if (retentionDays === undefined) return 0;
      if (!Number.isSafeInteger(retentionDays) || retentionDays < 1) {
        throw new OrgKitError("VALIDATION_FAILED", {
          param: "retentionDays",
          message: "Retention is a positive number of days.",
        });
      }
      const before = new Date(rt.clock.now().getTime() - retentionDays * 86_400_000);
      let deleted = 0;
      for (const chain of await rt.storage.audit.chains())
        deleted += await rt.storage.audit.prune(chain, before);
      return deleted;
    },
  };
}
