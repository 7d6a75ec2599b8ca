/** HTTP behaviour of the security endpoints beyond the generic per-endpoint tests (being written). */
import { describe, it } from "vitest";
import type { ConformanceHarness } from "../testing/harness.js";

/** Registers the security HTTP tests on one engine. */
export function securityHttpConformance(_harness: ConformanceHarness): void {
  describe("security over HTTP", () => {
    it.todo("is being written");
  });
}
