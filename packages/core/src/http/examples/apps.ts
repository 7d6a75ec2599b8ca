/** Examples of the apps endpoints for the generic HTTP tests (being written). */
import type { ExampleSet } from "../http-fixture.js";

/** Examples of the apps endpoints. */
export const appExamples: ExampleSet = {};
