/** Implementations of the invitations endpoints (being written). */
import type { invitationContracts } from "../contracts/invitations.js";
import type { ImplementationsOf } from "./types.js";

/** Implementations of the invitations endpoints. */
export const invitationHandlers: ImplementationsOf<typeof invitationContracts> = {};
