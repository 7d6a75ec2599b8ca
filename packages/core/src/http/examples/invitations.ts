/** Examples of the invitations endpoints for the generic HTTP tests (being written). */
import type { ExampleSet } from "../http-fixture.js";

/** Examples of the invitations endpoints. */
export const invitationExamples: ExampleSet = {};
