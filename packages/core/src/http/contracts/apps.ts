/** Endpoints of apps (being written). */

/** The apps groups of the contract. */
export const appContracts = {};
