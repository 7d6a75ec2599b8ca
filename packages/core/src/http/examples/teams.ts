/** Examples of the teams endpoints for the generic HTTP tests (being written). */
import type { ExampleSet } from "../http-fixture.js";

/** Examples of the teams endpoints. */
export const teamExamples: ExampleSet = {};
