/** Implementations of the security endpoints (being written). */
import type { securityContracts } from "../contracts/security.js";
import type { ImplementationsOf } from "./types.js";

/** Implementations of the security endpoints. */
export const securityHandlers: ImplementationsOf<typeof securityContracts> = {};
