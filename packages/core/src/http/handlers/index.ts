/** Every implementation of the HTTP contract. */
import type { OrgKitApiContract } from "../contracts/index.js";
import { appHandlers } from "./apps.js";
import { billingHandlers } from "./billing.js";
import { identityHandlers } from "./identity.js";
import { invitationHandlers } from "./invitations.js";
import { organizationHandlers } from "./organizations.js";
import { securityHandlers } from "./security.js";
import { teamHandlers } from "./teams.js";
import type { ImplementationsOf } from "./types.js";

/** One implementation per endpoint of the contract (the type checks that none is missing). */
export const apiImplementations: ImplementationsOf<OrgKitApiContract> = {
  ...identityHandlers,
  ...organizationHandlers,
  ...invitationHandlers,
  ...securityHandlers,
  ...teamHandlers,
  ...appHandlers,
  ...billingHandlers,
};
