/** HTTP behaviour of the teams endpoints beyond the generic per-endpoint tests (being written). */
import { describe, it } from "vitest";
import type { ConformanceHarness } from "../testing/harness.js";

/** Registers the teams HTTP tests on one engine. */
export function teamsHttpConformance(_harness: ConformanceHarness): void {
  describe("teams over HTTP", () => {
    it.todo("is being written");
  });
}
