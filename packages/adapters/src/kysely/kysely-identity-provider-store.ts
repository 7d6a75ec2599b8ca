import type {
  ExternalIdentityRecord,
  IdentityProviderPatch,
  IdentityProviderRecord,
  IdentityProviderStore,
  NewIdentityProvider,
  OrganizationRole,
  RequiredIdentityProvider,
} from "@orgkit/core";
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { Database, IdentityProvidersTable } from "./schema.js";
import { type StoreContext, toDate, translateUnique } from "./store-context.js";

/** {@link IdentityProviderStore} over Kysely. */
export class KyselyIdentityProviderStore implements IdentityProviderStore {
  constructor(private readonly ctx: StoreContext) {}

  async insert(provider: NewIdentityProvider): Promise<IdentityProviderRecord> {
    const at = provider.at.getTime();
    const row = {
      key: provider.key,
      organization_key: provider.organizationKey,
      id: provider.id,
      name: provider.name,
      enabled: provider.enabled ? 1 : 0,
      idp_entity_id: provider.idpEntityId,
      sso_url: provider.ssoUrl,
      certificates_json: JSON.stringify(provider.certificates),
      default_role: provider.defaultRole,
      required: provider.required ? 1 : 0,
      allow_idp_initiated: provider.allowIdpInitiated ? 1 : 0,
      clock_skew_seconds: provider.clockSkewSeconds,
      created_at: at,
      updated_at: at,
    } satisfies Insertable<IdentityProvidersTable>;
    await this.ctx.atomic((db) =>
      translateUnique(
        this.ctx.classifyError,
        (async () => {
          await db.insertInto("identity_providers").values(row).execute();
          await insertDomains(db, provider.organizationKey, provider.key, provider.domains);
        })(),
      ),
    );
    return toRecord(row, [...provider.domains].sort());
  }

  async get(organizationKey: string, id: string): Promise<IdentityProviderRecord | null> {
    const row = await this.ctx.db
      .selectFrom("identity_providers")
      .selectAll()
      .where("organization_key", "=", organizationKey)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) return null;
    return toRecord(row, (await domainsOf(this.ctx.db, [row.key])).get(row.key) ?? []);
  }

  async list(
    organizationKey: string,
    query: { readonly after?: string | undefined; readonly limit: number },
  ): Promise<IdentityProviderRecord[]> {
    let select = this.ctx.db
      .selectFrom("identity_providers")
      .selectAll()
      .where("organization_key", "=", organizationKey);
    if (query.after !== undefined) select = select.where("id", ">", query.after);
    const rows = await select.orderBy("id").limit(query.limit).execute();
    if (rows.length === 0) return [];
    const domains = await domainsOf(
      this.ctx.db,
      rows.map((row) => row.key),
    );
    return rows.map((row) => toRecord(row, domains.get(row.key) ?? []));
  }

  async update(key: string, patch: IdentityProviderPatch, at: Date): Promise<IdentityProviderRecord | null> {
    const set: Updateable<IdentityProvidersTable> = { updated_at: at.getTime() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    if (patch.idpEntityId !== undefined) set.idp_entity_id = patch.idpEntityId;
    if (patch.ssoUrl !== undefined) set.sso_url = patch.ssoUrl;
    if (patch.certificates !== undefined) set.certificates_json = JSON.stringify(patch.certificates);
    if (patch.defaultRole !== undefined) set.default_role = patch.defaultRole;
    if (patch.required !== undefined) set.required = patch.required ? 1 : 0;
    if (patch.allowIdpInitiated !== undefined) set.allow_idp_initiated = patch.allowIdpInitiated ? 1 : 0;
    if (patch.clockSkewSeconds !== undefined) set.clock_skew_seconds = patch.clockSkewSeconds;
    return this.ctx.atomic((db) =>
      translateUnique(
        this.ctx.classifyError,
        (async () => {
          const row = await db
            .updateTable("identity_providers")
            .set(set)
            .where("key", "=", key)
            .returningAll()
            .executeTakeFirst();
          if (!row) return null;
          if (patch.domains !== undefined) {
            await db.deleteFrom("identity_provider_domains").where("provider_key", "=", key).execute();
            await insertDomains(db, row.organization_key, key, patch.domains);
          }
          return toRecord(row, (await domainsOf(db, [key])).get(key) ?? []);
        })(),
      ),
    );
  }

  async delete(key: string): Promise<boolean> {
    // Domains, requests, the replay cache and identities go with it (ON DELETE CASCADE).
    const result = await this.ctx.db
      .deleteFrom("identity_providers")
      .where("key", "=", key)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async findRequiredForEmailDomain(domain: string): Promise<RequiredIdentityProvider | null> {
    const row = await this.ctx.db
      .selectFrom("identity_provider_domains as d")
      .innerJoin("identity_providers as p", "p.key", "d.provider_key")
      .innerJoin("organizations as o", "o.key", "d.organization_key")
      .select(["o.id as organization_id", "p.id as provider_id"])
      .where("d.domain", "=", domain)
      .where("p.enabled", "=", 1)
      .where("p.required", "=", 1)
      .orderBy("o.id")
      .orderBy("p.id")
      .limit(1)
      .executeTakeFirst();
    return row ? { organizationId: row.organization_id, identityProviderId: row.provider_id } : null;
  }

  async findRequiredForUser(userKey: string, domain: string): Promise<RequiredIdentityProvider | null> {
    const row = await this.ctx.db
      .selectFrom("memberships as m")
      .innerJoin("identity_provider_domains as d", (join) =>
        join.onRef("d.organization_key", "=", "m.organization_key").on("d.domain", "=", domain),
      )
      .innerJoin("identity_providers as p", "p.key", "d.provider_key")
      .innerJoin("organizations as o", "o.key", "d.organization_key")
      .select(["o.id as organization_id", "p.id as provider_id"])
      .where("m.user_key", "=", userKey)
      .where("p.enabled", "=", 1)
      .where("p.required", "=", 1)
      .orderBy("o.id")
      .orderBy("p.id")
      .limit(1)
      .executeTakeFirst();
    return row ? { organizationId: row.organization_id, identityProviderId: row.provider_id } : null;
  }

  async recordRequest(
    providerKey: string,
    request: {
      readonly id: string;
      readonly relayState: string | null;
      readonly expiresAt: Date;
      readonly now: Date;
    },
  ): Promise<void> {
    await this.ctx.atomic(async (db) => {
      // Requests never answered expire here, so the table stays as small as the traffic.
      await db
        .deleteFrom("saml_requests")
        .where("provider_key", "=", providerKey)
        .where("expires_at", "<=", request.now.getTime())
        .execute();
      await db
        .insertInto("saml_requests")
        .values({
          provider_key: providerKey,
          id: request.id,
          relay_state: request.relayState,
          expires_at: request.expiresAt.getTime(),
          created_at: request.now.getTime(),
        })
        .execute();
    });
  }

  async consumeRequest(
    providerKey: string,
    id: string,
    now: Date,
  ): Promise<{ readonly relayState: string | null } | null> {
    const row = await this.ctx.db
      .deleteFrom("saml_requests")
      .where("provider_key", "=", providerKey)
      .where("id", "=", id)
      .where("expires_at", ">", now.getTime())
      .returning("relay_state")
      .executeTakeFirst();
    return row ? { relayState: row.relay_state } : null;
  }

  async rememberAssertion(
    providerKey: string,
    assertionId: string,
    expiresAt: Date,
    now: Date,
  ): Promise<boolean> {
    return this.ctx.atomic(async (db) => {
      // An entry past its expiry guards nothing: the assertion fails its time checks anyway.
      await db
        .deleteFrom("saml_assertions")
        .where("provider_key", "=", providerKey)
        .where("expires_at", "<=", now.getTime())
        .execute();
      const result = await db
        .insertInto("saml_assertions")
        .values({ provider_key: providerKey, assertion_id: assertionId, expires_at: expiresAt.getTime() })
        .onConflict((conflict) => conflict.columns(["provider_key", "assertion_id"]).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    });
  }

  async getIdentity(providerKey: string, nameId: string): Promise<ExternalIdentityRecord | null> {
    const row = await this.ctx.db
      .selectFrom("external_identities")
      .selectAll()
      .where("provider_key", "=", providerKey)
      .where("name_id", "=", nameId)
      .executeTakeFirst();
    return row
      ? {
          providerKey: row.provider_key,
          organizationKey: row.organization_key,
          nameId: row.name_id,
          nameIdFormat: row.name_id_format,
          userKey: row.user_key,
          createdAt: toDate(row.created_at),
        }
      : null;
  }

  async insertIdentity(identity: ExternalIdentityRecord): Promise<void> {
    await translateUnique(
      this.ctx.classifyError,
      this.ctx.db
        .insertInto("external_identities")
        .values({
          provider_key: identity.providerKey,
          organization_key: identity.organizationKey,
          name_id: identity.nameId,
          name_id_format: identity.nameIdFormat,
          user_key: identity.userKey,
          created_at: identity.createdAt.getTime(),
        })
        .execute(),
    );
  }
}

async function insertDomains(
  db: Kysely<Database>,
  organizationKey: string,
  providerKey: string,
  domains: readonly string[],
): Promise<void> {
  if (domains.length === 0) return;
  await db
    .insertInto("identity_provider_domains")
    .values(
      domains.map((domain) => ({ organization_key: organizationKey, domain, provider_key: providerKey })),
    )
    .execute();
}

async function domainsOf(
  db: Kysely<Database>,
  providerKeys: readonly string[],
): Promise<Map<string, string[]>> {
  const rows = await db
    .selectFrom("identity_provider_domains")
    .select(["provider_key", "domain"])
    .where("provider_key", "in", providerKeys)
    .execute();
  const out = new Map<string, string[]>();
  for (const row of rows) {
    const list = out.get(row.provider_key) ?? [];
    list.push(row.domain);
    out.set(row.provider_key, list);
  }
  // Code-point order on every engine (a Postgres collation may order "-" and "." otherwise).
  for (const list of out.values()) list.sort();
  return out;
}

function toRecord(row: Selectable<IdentityProvidersTable>, domains: string[]): IdentityProviderRecord {
  return {
    key: row.key,
    organizationKey: row.organization_key,
    id: row.id,
    name: row.name,
    enabled: Number(row.enabled) === 1,
    idpEntityId: row.idp_entity_id,
    ssoUrl: row.sso_url,
    certificates: JSON.parse(row.certificates_json) as string[],
    domains,
    defaultRole: row.default_role as OrganizationRole,
    required: Number(row.required) === 1,
    allowIdpInitiated: Number(row.allow_idp_initiated) === 1,
    clockSkewSeconds: Number(row.clock_skew_seconds),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
