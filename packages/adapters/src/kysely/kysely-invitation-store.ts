import type {
  InvitationListQuery,
  InvitationRecord,
  InvitationStatus,
  InvitationStore,
  InvitationTransition,
  NewInvitation,
  OrganizationRole,
} from "@orgkit/core";
import type { Insertable, Selectable, Updateable } from "kysely";
import type { InvitationsTable } from "./schema.js";
import { type StoreContext, toDate, toDateOrNull, translateUnique } from "./store-context.js";

/** {@link InvitationStore} over Kysely. */
export class KyselyInvitationStore implements InvitationStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(invitation: NewInvitation): Promise<InvitationRecord> {
    const at = invitation.at.getTime();
    const row = {
      key: invitation.key,
      organization_key: invitation.organizationKey,
      email: invitation.email,
      role: invitation.role,
      team_ids: JSON.stringify(invitation.teamIds),
      token_hash: invitation.tokenHash,
      status: "pending",
      inviter_user_key: invitation.inviterUserKey,
      expires_at: invitation.expiresAt.getTime(),
      responded_at: null,
      accepted_user_key: null,
      created_at: at,
      updated_at: at,
    } satisfies Insertable<InvitationsTable>;
    await translateUnique(
      this.ctx.classifyError,
      this.ctx.db.insertInto("invitations").values(row).execute(),
    );
    return toInvitationRecord(row);
  }

  async get(organizationKey: string, key: string): Promise<InvitationRecord | null> {
    const row = await this.ctx.db
      .selectFrom("invitations")
      .selectAll()
      .where("key", "=", key)
      .where("organization_key", "=", organizationKey)
      .executeTakeFirst();
    return row ? toInvitationRecord(row) : null;
  }

  async getByTokenHash(tokenHash: string): Promise<InvitationRecord | null> {
    const row = await this.ctx.db
      .selectFrom("invitations")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return row ? toInvitationRecord(row) : null;
  }

  async expireStale(organizationKey: string, email: string, now: Date): Promise<void> {
    await this.ctx.db
      .updateTable("invitations")
      .set({ status: "expired", updated_at: now.getTime() })
      .where("organization_key", "=", organizationKey)
      .where("email", "=", email)
      .where("status", "=", "pending")
      .where("expires_at", "<=", now.getTime())
      .execute();
  }

  async listPending(organizationKey: string, query: InvitationListQuery): Promise<InvitationRecord[]> {
    let select = this.ctx.db
      .selectFrom("invitations")
      .selectAll()
      .where("organization_key", "=", organizationKey)
      .where("status", "=", "pending")
      .where("expires_at", ">", query.now.getTime());
    const after = query.after;
    if (after) {
      select = select.where((eb) =>
        eb(eb.refTuple("created_at", "key"), "<", eb.tuple(Number(after.createdAt), after.key)),
      );
    }
    const rows = await select
      .orderBy("created_at", "desc")
      .orderBy("key", "desc")
      .limit(query.limit)
      .execute();
    return rows.map(toInvitationRecord);
  }

  async transition(key: string, transition: InvitationTransition): Promise<boolean> {
    const at = transition.at.getTime();
    const set: Updateable<InvitationsTable> = { status: transition.to, responded_at: at, updated_at: at };
    if (transition.to === "expired") set.responded_at = null;
    if (transition.acceptedUserKey != null) set.accepted_user_key = transition.acceptedUserKey;
    let update = this.ctx.db
      .updateTable("invitations")
      .set(set)
      .where("key", "=", key)
      .where("status", "=", "pending");
    // Expiring is the one move allowed once the expiry has passed; every other one needs a live invitation.
    if (transition.to !== "expired") update = update.where("expires_at", ">", at);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async rotateToken(key: string, tokenHash: string, expiresAt: Date, at: Date): Promise<boolean> {
    const result = await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .updateTable("invitations")
        .set({ token_hash: tokenHash, expires_at: expiresAt.getTime(), updated_at: at.getTime() })
        .where("key", "=", key)
        .where("status", "=", "pending")
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }
}

function toInvitationRecord(row: Selectable<InvitationsTable>): InvitationRecord {
  return {
    key: row.key,
    organizationKey: row.organization_key,
    email: row.email,
    role: row.role as OrganizationRole,
    teamIds: JSON.parse(row.team_ids) as string[],
    tokenHash: row.token_hash,
    status: row.status as InvitationStatus,
    inviterUserKey: row.inviter_user_key,
    expiresAt: toDate(row.expires_at),
    respondedAt: toDateOrNull(row.responded_at),
    acceptedUserKey: row.accepted_user_key,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
