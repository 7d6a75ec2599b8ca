/** Implementations of the billing endpoints (being written). */
import type { billingContracts } from "../contracts/billing.js";
import type { ImplementationsOf } from "./types.js";

/** Implementations of the billing endpoints. */
export const billingHandlers: ImplementationsOf<typeof billingContracts> = {};
