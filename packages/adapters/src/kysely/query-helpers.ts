/** Small query pieces the team, app and content stores share. */
import { type RawBuilder, sql } from "kysely";

/** `term` with LIKE's wildcards (`%`, `_`) and the escape character itself escaped by a backslash. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `column like '%term%'` with an explicit escape character (SQLite has no default one). */
export function containsText(column: string, term: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${`%${escapeLike(term)}%`} escape '\\'`;
}

/** A JSON array column as a string array (an empty array for anything else). */
export function parseStringArray(json: string | null): string[] {
  if (json === null) return [];
  const value = JSON.parse(json) as unknown;
  return Array.isArray(value) ? value.map(String) : [];
}

/** A nullable JSON column as a value. */
export function parseJson(json: string | null): unknown {
  return json === null ? null : (JSON.parse(json) as unknown);
}
