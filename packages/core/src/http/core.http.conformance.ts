/** HTTP behaviour of the core endpoints beyond the generic per-endpoint tests (being written). */
import { describe, it } from "vitest";
import type { ConformanceHarness } from "../testing/harness.js";

/** Registers the core HTTP tests on one engine. */
export function coreHttpConformance(_harness: ConformanceHarness): void {
  describe("core over HTTP", () => {
    it.todo("is being written");
  });
}
