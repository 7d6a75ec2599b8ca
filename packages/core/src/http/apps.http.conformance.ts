/** HTTP behaviour of the apps endpoints beyond the generic per-endpoint tests (being written). */
import { describe, it } from "vitest";
import type { ConformanceHarness } from "../testing/harness.js";

/** Registers the apps HTTP tests on one engine. */
export function appsHttpConformance(_harness: ConformanceHarness): void {
  describe("apps over HTTP", () => {
    it.todo("is being written");
  });
}
