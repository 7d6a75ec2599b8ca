/** Endpoints of security (being written). */

/** The security groups of the contract. */
export const securityContracts = {};
