/** Examples of the billing endpoints for the generic HTTP tests (being written). */
import type { ExampleSet } from "../http-fixture.js";

/** Examples of the billing endpoints. */
export const billingExamples: ExampleSet = {};
