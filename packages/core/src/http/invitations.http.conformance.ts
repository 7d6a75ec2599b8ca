/** HTTP behaviour of the invitations endpoints beyond the generic per-endpoint tests (being written). */
import { describe, it } from "vitest";
import type { ConformanceHarness } from "../testing/harness.js";

/** Registers the invitations HTTP tests on one engine. */
export function invitationsHttpConformance(_harness: ConformanceHarness): void {
  describe("invitations over HTTP", () => {
    it.todo("is being written");
  });
}
