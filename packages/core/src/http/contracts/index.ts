/**
 * The whole HTTP contract: every group of endpoints, each declared once. Browser-safe.
 */
import { appContracts } from "./apps.js";
import { billingContracts } from "./billing.js";
import { identityContracts } from "./identity.js";
import { invitationContracts } from "./invitations.js";
import { organizationContracts } from "./organizations.js";
import { securityContracts } from "./security.js";
import { teamContracts } from "./teams.js";

/** Every endpoint of the orgkit HTTP API, by group and operation name. */
export const apiContract = {
  ...identityContracts,
  ...organizationContracts,
  ...invitationContracts,
  ...securityContracts,
  ...teamContracts,
  ...appContracts,
  ...billingContracts,
};

/** The type of {@link apiContract}. */
export type OrgKitApiContract = typeof apiContract;
