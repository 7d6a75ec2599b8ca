/** Implementations of the invitations endpoints. */
import { OrgKitError } from "../../errors.js";
import { InvitationTokenSchema } from "../../schemas/invitation.js";
import type { invitationContracts } from "../contracts/invitations.js";
import type { ImplementationsOf } from "./types.js";

/**
 * The token of a public invitation endpoint, or the NOT_FOUND an unknown token gets: over HTTP a
 * malformed token must not answer differently (the service says VALIDATION_FAILED).
 */
function token(value: string): string {
  if (!InvitationTokenSchema.safeParse(value).success) throw new OrgKitError("NOT_FOUND", { param: "token" });
  return value;
}

/** Implementations of the invitations endpoints. */
export const invitationHandlers: ImplementationsOf<typeof invitationContracts> = {
  invitations: {
    create: async ({ services, params, body }) => services.invitations.create(params.orgId, body),
    list: async ({ services, params, query }) => services.invitations.listPending(params.orgId, query),
    rescind: async ({ services, params }) => {
      await services.invitations.rescind(params.orgId, params.invitationId);
      return undefined;
    },
    resend: async ({ services, params }) => services.invitations.resend(params.orgId, params.invitationId),
  },
  invitationTokens: {
    lookup: async ({ orgkit, params }) => orgkit.invitations.lookup(token(params.token)),
    accept: async ({ services, params }) => services.invitations.accept(token(params.token)),
    decline: async ({ orgkit, params }) => {
      await orgkit.invitations.decline(token(params.token));
      return undefined;
    },
  },
};
