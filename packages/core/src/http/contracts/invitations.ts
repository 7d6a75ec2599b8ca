/** Endpoints of invitations (being written). */

/** The invitations groups of the contract. */
export const invitationContracts = {};
