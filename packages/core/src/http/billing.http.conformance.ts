/** HTTP behaviour of the billing endpoints beyond the generic per-endpoint tests (being written). */
import { describe, it } from "vitest";
import type { ConformanceHarness } from "../testing/harness.js";

/** Registers the billing HTTP tests on one engine. */
export function billingHttpConformance(_harness: ConformanceHarness): void {
  describe("billing over HTTP", () => {
    it.todo("is being written");
  });
}
