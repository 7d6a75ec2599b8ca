import { type UniqueConstraint, UniqueViolationError } from "@orgkit/core";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Maps an engine error to the logical unique constraint it violated, or null for any other error. */
export type ClassifyError = (error: unknown) => UniqueConstraint | null;

/** What every Kysely store is built with. */
export interface StoreContext {
  /** The connection or transaction the store reads and writes through. */
  readonly db: Kysely<Database>;
  readonly classifyError: ClassifyError;
  /**
   * Runs a multi-statement write atomically: in a new transaction when the store is not bound to
   * one, or directly in the transaction it is bound to.
   */
  atomic<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Whether writers run concurrently (Postgres), so that a read which must be ordered against
   * another transaction's write takes a row lock (`for share`). False where writers are
   * serialized (SQLite: `BEGIN IMMEDIATE`), which needs no such lock and has no such syntax.
   */
  readonly concurrentWriters: boolean;
}

/** Awaits `work`, rethrowing an engine unique violation as the port's {@link UniqueViolationError}. */
export async function translateUnique<T>(classifyError: ClassifyError, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const constraint = classifyError(error);
    if (constraint) throw new UniqueViolationError(constraint, { cause: error });
    throw error;
  }
}

/** A stored epoch-milliseconds value as a Date. */
export function toDate(value: number | string): Date {
  return new Date(Number(value));
}

/** A nullable stored epoch-milliseconds value as a Date or null. */
export function toDateOrNull(value: number | string | null): Date | null {
  return value === null ? null : new Date(Number(value));
}

let lastSequence = 0;

/**
 * An increasing number for ordering rows written in the same millisecond: microseconds since
 * the epoch, bumped past the previous value. Monotonic within a process; across processes the
 * order of rows written in the same millisecond is arbitrary but stable.
 */
export function nextSequence(): number {
  lastSequence = Math.max(lastSequence + 1, Date.now() * 1000);
  return lastSequence;
}
