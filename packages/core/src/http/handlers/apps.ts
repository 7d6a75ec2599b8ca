/** Implementations of the apps endpoints (being written). */
import type { appContracts } from "../contracts/apps.js";
import type { ImplementationsOf } from "./types.js";

/** Implementations of the apps endpoints. */
export const appHandlers: ImplementationsOf<typeof appContracts> = {};
