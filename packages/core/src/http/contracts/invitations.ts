/** Endpoints of invitations: an organization's admins invite, the invitee's accept page answers. */
import { z } from "zod";
import {
  CreateInvitationInputSchema,
  InvitationPreviewSchema,
  InvitationSchema,
} from "../../schemas/invitation.js";
import { MemberSchema } from "../../schemas/member.js";
import { OrganizationSchema } from "../../schemas/organization.js";
import { endpoint, pageQuery, pathParam } from "../contract.js";
import { OrgParams } from "./shared.js";

/** `{orgId}/invitations/{invitationId}`. */
const InvitationParams = z.object({ orgId: pathParam(), invitationId: pathParam() });

/**
 * `{token}`: any string. A token that cannot be one answers 404 like a well-formed unknown one,
 * so the accept page cannot tell a typo from a guess (the implementation checks its form).
 */
const TokenParams = z.object({ token: z.string() });

/** An invitation just issued: the token and link are in this response only. */
const IssuedInvitationSchema = z
  .object({
    invitation: InvitationSchema,
    /** The secret token (only its SHA-256 is stored); the invitee receives it by mail. */
    token: z.string(),
    /** The accept link mailed to the invitee, for an admin who shares it another way. */
    acceptUrl: z.string(),
    /** The outgoing message and what happened to it after commit. */
    mail: z.object({ id: z.string(), status: z.enum(["sent", "pending", "failed"]) }),
  })
  .meta({ description: "An invitation just issued, with its token and accept link (shown once)." });

/** `/orgs/{orgId}/invitations`: what the organization's admins do. */
export const invitationsContract = {
  create: endpoint({
    method: "POST",
    path: "/orgs/{orgId}/invitations",
    tag: "invitations",
    summary: "Invite an email address with a role (and teams to join); the accept link is mailed.",
    description:
      "ALREADY_MEMBER (409) when the address belongs to a member, INVITATION_ALREADY_PENDING (409) " +
      "when an invitation to it is pending. The token and accept link are in this response only.",
    scope: "members:invite",
    params: OrgParams,
    body: CreateInvitationInputSchema,
    response: IssuedInvitationSchema,
    status: 201,
    rateLimited: true,
  }),
  list: endpoint({
    method: "GET",
    path: "/orgs/{orgId}/invitations",
    tag: "invitations",
    summary: "Pending, unexpired invitations, newest first.",
    scope: "members:invite",
    params: OrgParams,
    query: pageQuery(),
    response: z.object({ items: z.array(InvitationSchema), nextCursor: z.string().nullable() }),
    paginated: true,
  }),
  rescind: endpoint({
    method: "DELETE",
    path: "/orgs/{orgId}/invitations/{invitationId}",
    tag: "invitations",
    summary: "Rescind a pending invitation; its link stops working at once.",
    description:
      "INVITATION_ALREADY_USED (409) or INVITATION_DECLINED/REVOKED/EXPIRED (410) when not pending.",
    scope: "members:invite",
    params: InvitationParams,
    response: null,
  }),
  resend: endpoint({
    method: "POST",
    path: "/orgs/{orgId}/invitations/{invitationId}/resend",
    tag: "invitations",
    summary: "Mail a pending invitation again with a new token and expiry; the old link stops working.",
    scope: "members:invite",
    params: InvitationParams,
    response: IssuedInvitationSchema,
    rateLimited: true,
  }),
};

/** `/invitations/{token}`: the public endpoints of an accept page. */
export const invitationTokensContract = {
  lookup: endpoint({
    method: "GET",
    path: "/invitations/{token}",
    tag: "invitations",
    auth: "public",
    summary: "What the accept page shows: organization, inviter, email, role and status.",
    description: "An unknown token and a malformed one both answer 404 NOT_FOUND, identically.",
    params: TokenParams,
    response: InvitationPreviewSchema,
  }),
  accept: endpoint({
    method: "POST",
    path: "/invitations/{token}/accept",
    tag: "invitations",
    summary: "The signed-in invitee accepts and joins the organization (and the invitation's teams).",
    description:
      "INVITATION_EMAIL_MISMATCH (403) when signed in with another email address, " +
      "INVITATION_ALREADY_USED (409), INVITATION_DECLINED/REVOKED/EXPIRED (410), " +
      "ALREADY_IN_ORGANIZATION (409) when one already belongs to an organization.",
    params: TokenParams,
    response: z.object({ organization: OrganizationSchema, member: MemberSchema }),
  }),
  decline: endpoint({
    method: "POST",
    path: "/invitations/{token}/decline",
    tag: "invitations",
    auth: "public",
    summary: "Decline an invitation; anyone holding the token may.",
    params: TokenParams,
    response: null,
  }),
};

/** The invitations groups of the contract: `invitations`, `invitationTokens`. */
export const invitationContracts = {
  invitations: invitationsContract,
  invitationTokens: invitationTokensContract,
};
