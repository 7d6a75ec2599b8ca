/** Every endpoint's example for the generic HTTP tests. */
import type { ExampleSet } from "../http-fixture.js";
import { appExamples } from "./apps.js";
import { billingExamples } from "./billing.js";
import { identityExamples } from "./identity.js";
import { invitationExamples } from "./invitations.js";
import { organizationExamples } from "./organizations.js";
import { securityExamples } from "./security.js";
import { teamExamples } from "./teams.js";

/** One example per operation id. */
export const endpointExamples: ExampleSet = {
  ...identityExamples,
  ...organizationExamples,
  ...invitationExamples,
  ...securityExamples,
  ...teamExamples,
  ...appExamples,
  ...billingExamples,
};
