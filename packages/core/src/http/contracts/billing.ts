/** Endpoints of billing (being written). */

/** The billing groups of the contract. */
export const billingContracts = {};
