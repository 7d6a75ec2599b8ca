import { authorize, type Decision } from "../authz/authorize.js";
import { notFound } from "../errors.js";
import { newKey } from "../internal/ids.js";
import { parseInput } from "../schemas/common.js";
import {
  type ExplainInput,
  ExplainInputSchema,
  type Policy,
  type PolicyInput,
  PolicyInputSchema,
} from "../schemas/policy.js";
import type { KeyedRef, PolicyRecord } from "../storage/policy-store.js";
import type { Stores } from "../storage/storage.js";
import { authorizeOrganization, lockAndRecheck, readAccess, subjectFor } from "./access-control.js";
import { appResource, appSubject } from "./app-access.js";
import { recordAudit } from "./audit-trail.js";
import type { CallContext } from "./runtime.js";

/**
 * Access policies of an organization (read: `security:get`; write: `security:manage`). A policy
 * allows or denies app actions to teams, roles or users, on apps chosen by labels or ids; deny
 * overrides every allow. Changes take effect on the very next call of every member.
 */
export interface PoliciesService {
  /**
   * Creates a policy. Teams, users and apps must belong to the organization (NOT_FOUND naming
   * the entry, e.g. `subjects.teams.0`); unknown scopes and roles are VALIDATION_FAILED.
   *
   * @example
   * ```ts
   * // The seed's example: the "regulated" team may only touch apps labelled hipaa.
   * await asAlice.policies.create("acme", { name: "HIPAA only", effect: "deny",
   *   subjects: { teams: ["regulated"] }, actions: ["*"], resources: { labelsNone: ["hipaa"] } });
   * ```
   */
  create(organizationId: string, input: PolicyInput): Promise<Policy>;
  /** Every policy of the organization, oldest first. */
  list(organizationId: string): Promise<Policy[]>;
  /** One policy. */
  get(organizationId: string, policyId: string): Promise<Policy>;
  /** Replaces a policy's name, effect, subjects, actions and resources. */
  update(organizationId: string, policyId: string, input: PolicyInput): Promise<Policy>;
  /** Deletes a policy. */
  delete(organizationId: string, policyId: string): Promise<void>;
  /**
   * Why a member may or may not perform `action`, in the organization or (with `appId`) on one of
   * its apps: the decision with every role, team grant and policy behind it, as the member's own
   * next call would see it (needs `security:get`). An app the member cannot see is explained, not
   * hidden. A user who is not a member answers NOT_FOUND `userId`; an app the organization does
   * not own, NOT_FOUND `appId`.
   *
   * @example
   * ```ts
   * const d = await asAlice.policies.explain("acme", { userId: bob.id, action: "models:train", appId: "medical" });
   * // { allowed: false, reasons: [..., { type: "policy", name: "HIPAA only", effect: "deny", ... }] }
   * ```
   */
  explain(organizationId: string, input: ExplainInput): Promise<Decision>;
}

/** A policy record as the API shows it. */
export function toPolicy(policy: PolicyRecord, organizationId: string): Policy {
  const ids = (refs: readonly KeyedRef[] | undefined) => refs?.map((r) => r.id);
  const { labelsAll, labelsAny, labelsNone, apps } = policy.resources;
  return {
    id: policy.key,
    organizationId,
    name: policy.name,
    effect: policy.effect,
    subjects: {
      teams: ids(policy.subjects.teams) ?? [],
      roles: [...policy.subjects.roles],
      users: ids(policy.subjects.users) ?? [],
    },
    actions: [...policy.actions],
    resources: {
      ...(labelsAll === undefined ? {} : { labelsAll: [...labelsAll] }),
      ...(labelsAny === undefined ? {} : { labelsAny: [...labelsAny] }),
      ...(labelsNone === undefined ? {} : { labelsNone: [...labelsNone] }),
      ...(apps === undefined ? {} : { apps: ids(apps) }),
    },
    createdAt: policy.createdAt,
    updatedAt: policy.updatedAt,
  };
}

/** Builds the policies service for one actor. */
export function policiesService(ctx: CallContext): PoliciesService {
  const { rt } = ctx;

  /** Resolves the ids of a policy input to keys, each NOT_FOUND when outside the organization. */
  async function resolve(tx: Stores, organizationKey: string, data: ReturnType<typeof parse>) {
    const teams: KeyedRef[] = [];
    for (const [i, id] of data.subjects.teams.entries()) {
      const team = await tx.teams.get(organizationKey, id);
      if (team === null) throw notFound(`subjects.teams.${i}`);
      teams.push({ key: team.key, id });
    }
    const users: KeyedRef[] = [];
    for (const [i, id] of data.subjects.users.entries()) {
      const user = await tx.users.getById(id);
      if (user === null || (await tx.members.get(organizationKey, user.key)) === null) {
        throw notFound(`subjects.users.${i}`);
      }
      users.push({ key: user.key, id });
    }
    let apps: KeyedRef[] | undefined;
    if (data.resources.apps !== undefined) {
      const found = new Map(
        (await tx.apps.getByIds(organizationKey, data.resources.apps)).map((a) => [a.id, a.key]),
      );
      apps = data.resources.apps.map((id, i) => {
        const key = found.get(id);
        if (key === undefined) throw notFound(`resources.apps.${i}`);
        return { key, id };
      });
    }
    return {
      name: data.name,
      effect: data.effect,
      subjects: { teams, roles: data.subjects.roles, users },
      actions: data.actions,
      resources: {
        labelsAll: data.resources.labelsAll,
        labelsAny: data.resources.labelsAny,
        labelsNone: data.resources.labelsNone,
        apps,
      },
    };
  }

  function parse(input: unknown) {
    return parseInput(PolicyInputSchema, input);
  }

  async function policyOf(stores: Stores, organizationKey: string, policyId: string): Promise<PolicyRecord> {
    const policy =
      // No policy id holds a NUL, and Postgres refuses one in text (the query would fail).
      typeof policyId === "string" && policyId.length <= 64 && !policyId.includes("\u0000")
        ? await stores.policies.get(organizationKey, policyId)
        : null;
    if (policy === null) throw notFound("policyId");
    return policy;
  }

  return {
    async create(organizationId, input) {
      const data = parse(input);
      const granted = await authorizeOrganization(ctx, organizationId, "security:manage");
      return rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "security:manage");
        const at = rt.clock.now();
        const policy = await tx.policies.insert({
          key: newKey(),
          organizationKey: locked.organization.key,
          ...(await resolve(tx, locked.organization.key, data)),
          createdAt: at,
          updatedAt: at,
        });
        const shown = toPolicy(policy, locked.organization.id);
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_POLICY_CREATE",
          targetType: "policy",
          targetId: policy.key,
          after: shown,
        });
        return shown;
      });
    },

    async list(organizationId) {
      const granted = await authorizeOrganization(ctx, organizationId, "security:get");
      return (await rt.storage.policies.list(granted.organization.key)).map((p) =>
        toPolicy(p, granted.organization.id),
      );
    },

    async get(organizationId, policyId) {
      const granted = await authorizeOrganization(ctx, organizationId, "security:get");
      return toPolicy(
        await policyOf(rt.storage, granted.organization.key, policyId),
        granted.organization.id,
      );
    },

    async update(organizationId, policyId, input) {
      const data = parse(input);
      const granted = await authorizeOrganization(ctx, organizationId, "security:manage");
      return rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "security:manage");
        const before = await policyOf(tx, locked.organization.key, policyId);
        const after: PolicyRecord = {
          ...before,
          ...(await resolve(tx, locked.organization.key, data)),
          updatedAt: rt.clock.now(),
        };
        await tx.policies.replace(after);
        const shown = toPolicy(after, locked.organization.id);
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_POLICY_UPDATE",
          targetType: "policy",
          targetId: before.key,
          before: toPolicy(before, locked.organization.id),
          after: shown,
        });
        return shown;
      });
    },

    async explain(organizationId, input) {
      const data = parseInput(ExplainInputSchema, input);
      const granted = await authorizeOrganization(ctx, organizationId, "security:get");
      // The member's own view: no token narrows it, no session context changes it.
      const as: CallContext = {
        rt,
        actor: { type: "user", userId: data.userId, ip: null, tokenScopes: undefined },
      };
      if (data.appId === undefined) {
        const row = await readAccess(rt.storage, as, granted.organization.id);
        // Someone outside the organization answers like someone who does not exist.
        if (row === null || row.role === null) throw notFound("userId");
        return authorize(subjectFor(as, row), data.action, {
          type: "organization",
          organizationId: granted.organization.id,
        });
      }
      const member = await rt.storage.users.getById(data.userId);
      if (member === null || (await rt.storage.members.get(granted.organization.key, member.key)) === null) {
        throw notFound("userId");
      }
      const row = await rt.storage.apps.getForAccess(granted.organization.id, data.appId, member.id);
      if (row === null || row.organization?.key !== granted.organization.key) throw notFound("appId");
      return authorize(
        await appSubject(as, rt.storage, row),
        data.action,
        appResource(row.app, granted.organization.id, row.collaboratorRole),
      );
    },

    async delete(organizationId, policyId) {
      const granted = await authorizeOrganization(ctx, organizationId, "security:manage");
      await rt.storage.transaction(async (tx) => {
        const locked = await lockAndRecheck(tx, ctx, granted, "security:manage");
        const before = await policyOf(tx, locked.organization.key, policyId);
        await tx.policies.delete(before.key);
        await recordAudit(tx, ctx, {
          organizationId: locked.organization.id,
          organizationKey: locked.organization.key,
          action: "ORGANIZATION_POLICY_DELETE",
          targetType: "policy",
          targetId: before.key,
          before: toPolicy(before, locked.organization.id),
        });
      });
    },
  };
}
