import { OrgKitError } from "../errors.js";

/**
 * Opaque list cursors. A cursor names the list it belongs to (organization and query) so that
 * one from another organization or another query is refused with INVALID_CURSOR rather than
 * silently giving a wrong page.
 */
export function encodeCursor(scope: string, position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([scope, ...position]), "utf8").toString("base64url");
}

/** Decodes a cursor made by {@link encodeCursor} for the same `scope`, checking its shape. */
export function decodeCursor(
  cursor: string,
  scope: string,
  shape: readonly ("string" | "number")[],
): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new OrgKitError("INVALID_CURSOR", { param: "cursor" });
  }
  // Base64 decoding forgives trailing junk; a cursor must be exactly what encodeCursor made.
  const canonical = Array.isArray(parsed) && encodeCursor(String(parsed[0]), parsed.slice(1)) === cursor;
  if (!canonical || !Array.isArray(parsed) || parsed.length !== shape.length + 1 || parsed[0] !== scope) {
    throw new OrgKitError("INVALID_CURSOR", { param: "cursor" });
  }
  const position = parsed.slice(1) as unknown[];
  position.forEach((value, index) => {
    const ok = shape[index] === "number" ? Number.isSafeInteger(value) : typeof value === "string";
    if (!ok) throw new OrgKitError("INVALID_CURSOR", { param: "cursor" });
  });
  return position as (string | number)[];
}

/**
 * The cursor of the page after `rows` (fetched with `limit + 1` to know whether there is one),
 * positioned at the last row the page shows; null on the last page.
 */
export function nextCursorOf<T>(
  rows: readonly T[],
  limit: number,
  scope: string,
  position: (row: T) => readonly (string | number)[],
): string | null {
  const last = rows.slice(0, limit).at(-1);
  return rows.length > limit && last !== undefined ? encodeCursor(scope, position(last)) : null;
}
