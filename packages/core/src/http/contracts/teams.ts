/** Endpoints of teams (being written). */

/** The teams groups of the contract. */
export const teamContracts = {};
