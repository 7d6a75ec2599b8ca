/** Examples of the security endpoints for the generic HTTP tests (being written). */
import type { ExampleSet } from "../http-fixture.js";

/** Examples of the security endpoints. */
export const securityExamples: ExampleSet = {};
