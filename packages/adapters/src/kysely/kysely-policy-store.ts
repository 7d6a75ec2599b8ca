import type {
  AppRole,
  KnownSnapshot,
  OrganizationRole,
  PermissionStore,
  PolicyEffect,
  PolicyRecord,
  PolicyStore,
  SnapshotRow,
} from "@orgkit/core";
import { type Selectable, sql } from "kysely";
import type { AccessPoliciesTable } from "./schema.js";
import { type StoreContext, toDate } from "./store-context.js";

/** {@link PolicyStore} over Kysely; a policy's subjects, actions and resources are one JSON document. */
export class KyselyPolicyStore implements PolicyStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(policy: PolicyRecord): Promise<PolicyRecord> {
    await this.ctx.db.insertInto("access_policies").values(policyRow(policy)).execute();
    return policy;
  }

  async get(organizationKey: string, key: string): Promise<PolicyRecord | null> {
    const row = await this.ctx.db
      .selectFrom("access_policies")
      .selectAll()
      .where("organization_key", "=", organizationKey)
      .where("key", "=", key)
      .executeTakeFirst();
    return row ? toPolicyRecord(row) : null;
  }

  async list(organizationKey: string): Promise<PolicyRecord[]> {
    const rows = await this.ctx.db
      .selectFrom("access_policies")
      .selectAll()
      .where("organization_key", "=", organizationKey)
      .orderBy("created_at")
      .orderBy("key")
      .execute();
    return rows.map(toPolicyRecord);
  }

  async replace(policy: PolicyRecord): Promise<PolicyRecord | null> {
    const { key, organization_key: _o, created_at: _c, ...set } = policyRow(policy);
    const result = await this.ctx.db
      .updateTable("access_policies")
      .set(set)
      .where("key", "=", key)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? policy : null;
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom("access_policies").where("key", "=", key).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}

function policyRow(policy: PolicyRecord) {
  return {
    key: policy.key,
    organization_key: policy.organizationKey,
    name: policy.name,
    effect: policy.effect,
    document_json: JSON.stringify({
      subjects: policy.subjects,
      actions: policy.actions,
      resources: policy.resources,
    }),
    created_at: policy.createdAt.getTime(),
    updated_at: policy.updatedAt.getTime(),
  };
}

function toPolicyRecord(row: Selectable<AccessPoliciesTable>): PolicyRecord {
  const document = JSON.parse(row.document_json) as Pick<PolicyRecord, "subjects" | "actions" | "resources">;
  return {
    key: row.key,
    organizationKey: row.organization_key,
    name: row.name,
    effect: row.effect as PolicyEffect,
    subjects: document.subjects,
    actions: document.actions,
    resources: document.resources,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

interface SnapshotLine {
  kind: string;
  a: string | null;
  b: string | null;
  c: string | null;
  d: string | null;
  n: number | string | null;
  t: number | string | null;
}

/**
 * {@link PermissionStore} over Kysely: one `UNION ALL` statement whose branches are each an
 * index lookup — the organization by id with the user's membership; the user's teams
 * (`team_members_by_user`); their team apps (`team_apps_pkey` prefix); the organization's
 * policies (`access_policies_by_organization`). The last three are skipped by the engine when
 * the caller's snapshot is still current (a constant false filter), so a warm call reads one row.
 */
export class KyselyPermissionStore implements PermissionStore {
  constructor(private readonly ctx: StoreContext) {}

  async load(
    organizationId: string,
    userId: string,
    known: KnownSnapshot | null,
  ): Promise<SnapshotRow | null> {
    const knownOrg = known?.organizationKey ?? "";
    const knownUser = known?.userKey ?? "";
    const knownVersion = known?.version ?? -1;
    const stale = sql`not (o.key = ${knownOrg} and u.key = ${knownUser} and o.version = ${knownVersion})`;
    const { rows } = await sql<SnapshotLine>`
      select 'org' as kind, o.key as a, o.id as b, u.key as c, m.role as d, o.version as n, o.created_at as t
        from organizations o
        left join users u on u.id = ${userId}
        left join memberships m on m.organization_key = o.key and m.user_key = u.key
        where o.id = ${organizationId}
      union all
      select 'team', t.key, t.id, null, null, null, null
        from organizations o
        join users u on u.id = ${userId}
        join team_members tm on tm.organization_key = o.key and tm.user_key = u.key
        join teams t on t.key = tm.team_key
        where o.id = ${organizationId} and ${stale}
      union all
      select 'team_app', ta.app_key, ta.team_key, ta.role, null, null, null
        from organizations o
        join users u on u.id = ${userId}
        join team_members tm on tm.organization_key = o.key and tm.user_key = u.key
        join team_apps ta on ta.team_key = tm.team_key
        where o.id = ${organizationId} and ${stale}
      union all
      select 'policy', p.key, p.name, p.effect, p.document_json, p.created_at, p.updated_at
        from organizations o
        join users u on u.id = ${userId}
        join access_policies p on p.organization_key = o.key
        where o.id = ${organizationId} and ${stale}
    `.execute(this.ctx.db);
    const head = rows.find((r) => r.kind === "org");
    if (!head || head.a === null || head.b === null) return null;
    const organization = { key: head.a, id: head.b, version: Number(head.n) };
    // Team app rows carry the team's key; the team rows map it to the id.
    const teamIds = new Map(rows.filter((r) => r.kind === "team").map((r) => [r.a ?? "", r.b ?? ""]));
    const current =
      known !== null &&
      known.organizationKey === organization.key &&
      known.userKey === head.c &&
      known.version === organization.version;
    return {
      organization,
      userKey: head.c,
      role: head.d as OrganizationRole | null,
      grants: current
        ? null
        : {
            teams: rows.filter((r) => r.kind === "team").map((r) => ({ key: r.a ?? "", id: r.b ?? "" })),
            teamApps: rows
              .filter((r) => r.kind === "team_app")
              .map((r) => ({
                appKey: r.a ?? "",
                teamId: teamIds.get(r.b ?? "") ?? "",
                role: r.c as AppRole,
              })),
            policies: rows
              .filter((r) => r.kind === "policy")
              .map((r) =>
                toPolicyRecord({
                  key: r.a ?? "",
                  organization_key: organization.key,
                  name: r.b ?? "",
                  effect: r.c ?? "deny",
                  document_json: r.d ?? "{}",
                  created_at: r.n ?? 0,
                  updated_at: r.t ?? 0,
                }),
              )
              .sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.key < y.key ? -1 : 1)),
          },
    };
  }
}
