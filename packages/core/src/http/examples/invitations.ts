/** Examples of the invitations endpoints for the generic HTTP tests. */
import type { ExampleSet, HttpFixture, HttpSide } from "../http-fixture.js";

/** A fresh pending invitation of `side`'s organization, made by its admin. */
export async function pendingInvitation(
  fx: HttpFixture,
  side: HttpSide,
  email = `${fx.unique("invitee")}@example.test`,
) {
  return side.adminServices.invitations.create(side.org.id, { email, role: "org_user" });
}

/** Examples of `invitations` and `invitationTokens`. */
export const invitationExamples: ExampleSet = {
  "invitations.create": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id },
      body: { email: `${fx.unique("invitee")}@example.test`, role: "org_contributor" },
    }),
  },
  "invitations.list": {
    build: async (fx, side) => {
      await pendingInvitation(fx, side);
      return { params: { orgId: side.org.id }, query: { limit: "1" } };
    },
  },
  "invitations.rescind": {
    build: async (fx, side) => {
      const { invitation } = await pendingInvitation(fx, side);
      return { params: { orgId: side.org.id, invitationId: invitation.id } };
    },
  },
  "invitations.resend": {
    build: async (fx, side) => {
      const { invitation } = await pendingInvitation(fx, side);
      return { params: { orgId: side.org.id, invitationId: invitation.id } };
    },
  },
  "invitationTokens.lookup": {
    build: async (fx, side) => ({ params: { token: (await pendingInvitation(fx, side)).token } }),
    as: async () => null,
    foreign: false,
  },
  "invitationTokens.accept": {
    // The invitee, signed in with the invited address and in no organization yet.
    build: async (fx, side) => {
      const invitee = await fx.user("Invitee");
      const { token } = await pendingInvitation(fx, side, invitee.email);
      return { params: { token }, as: await fx.signIn(invitee) };
    },
    foreign: false,
  },
  "invitationTokens.decline": {
    build: async (fx, side) => ({ params: { token: (await pendingInvitation(fx, side)).token } }),
    as: async () => null,
    foreign: false,
  },
};
