import type { ApiContract } from "../contract.js";
import type { Implementations } from "../server.js";

/** The implementations of every group of a contract. */
export type ImplementationsOf<C extends ApiContract> = { readonly [G in keyof C]: Implementations<C[G]> };
