/** Implementations of the teams endpoints (being written). */
import type { teamContracts } from "../contracts/teams.js";
import type { ImplementationsOf } from "./types.js";

/** Implementations of the teams endpoints. */
export const teamHandlers: ImplementationsOf<typeof teamContracts> = {};
