import type { AppRole } from "../authz/app-roles.js";
import { type AuthorizationSubject, authorize } from "../authz/authorize.js";
import { notFound, OrgKitError } from "../errors.js";
import { newKey } from "../internal/ids.js";
import {
  type AddCollaboratorInput,
  AddCollaboratorInputSchema,
  type App,
  type Collaboration,
  type Collaborator,
  type CreateAppInput,
  CreateAppInputSchema,
  type DuplicateAppInput,
  DuplicateAppInputSchema,
  type ListAppsQuery,
  ListAppsQuerySchema,
  type TransferAppInput,
  TransferAppInputSchema,
  type UpdateAppInput,
  UpdateAppInputSchema,
} from "../schemas/app.js";
import { type Page, PageQuerySchema, parseInput } from "../schemas/common.js";
import { AppRoleSchema } from "../schemas/team.js";
import type {
  AppKeyset,
  AppListFilter,
  AppRecord,
  CollaborationKeyset,
  CollaboratorRow,
  OwnerAccount,
} from "../storage/app-store.js";
import { isUniqueViolation } from "../storage/errors.js";
import type { Stores } from "../storage/storage.js";
import type { TextKeyset } from "../storage/team-store.js";
import { readAccess, subjectFor } from "./access-control.js";
import { appAuditScope, appResource, authorizeApp, idParam, toApp } from "./app-access.js";
import { recordAudit } from "./audit-trail.js";
import { decodeCursor, encodeCursor, nextCursorOf } from "./cursor.js";
import type { CallContext } from "./runtime.js";
import { assertTokenAllowed } from "./security.js";

/** Apps, their pins, collaborators and transfer, as seen by an actor. */
export interface AppsService {
  /**
   * Creates an app. The owner is `input.ownerId` when given, else the organization the actor acts
   * as (`actor.organizationId`), else the actor's own account. In an organization it needs
   * `apps:add` (admins and organization contributors). CONFLICT on `id` when the owner has one.
   *
   * @example
   * ```ts
   * const app = await orgkit.as({ userId: alice.id, organizationId: "acme" }).apps.create({
   *   id: "medical", name: "Medical", labels: ["hipaa"], visibility: "org" });
   * ```
   */
  create(input: CreateAppInput): Promise<App>;
  /**
   * A page of an account's apps the actor can see (default: the account they act as): pinned
   * first, then by last update (newest first) or name; `search` on name or id; keyset cursor.
   */
  list(ownerId?: string | null, query?: ListAppsQuery): Promise<Page<App>>;
  /** One app; NOT_FOUND when missing or not visible to the actor (the two look the same). */
  get(ownerId: string, appId: string): Promise<App>;
  /** Edits name, description, labels or visibility (needs `apps:update`). */
  update(ownerId: string, appId: string, input: UpdateAppInput): Promise<App>;
  /** Deletes the app with all its content (needs `apps:delete`). */
  delete(ownerId: string, appId: string): Promise<void>;
  /**
   * Copies an app's models, workflows and concepts (and inputs when `includeInputs`) into a new
   * app of the same owner under `input.id` (needs `apps:get` on it and `apps:add` at the owner).
   */
  duplicate(ownerId: string, appId: string, input: DuplicateAppInput): Promise<App>;
  /** Pins an app for the acting user: pinned apps list first. */
  pin(ownerId: string, appId: string): Promise<void>;
  /** Unpins an app. */
  unpin(ownerId: string, appId: string): Promise<void>;
  /**
   * Moves an app of the actor's personal account to an organization they belong to and may
   * create apps in, optionally under a new id and name (CONFLICT on `id` when the organization
   * has one). Content, stars, pins and collaborators move with it, in one transaction; of two
   * concurrent transfers of one app exactly one succeeds (the other answers NOT_FOUND).
   *
   * @example
   * ```ts
   * await asAlice.apps.transfer(alice.id, "prototype", { organizationId: "acme", name: "Prototype (Acme)" });
   * ```
   */
  transfer(ownerId: string, appId: string, input: TransferAppInput): Promise<App>;
  /**
   * Gives a user outside the owning account a role on the app (needs `collaborators:add`).
   * VALIDATION_FAILED on `userId` for the owner or a member of the owning organization.
   */
  addCollaborator(ownerId: string, appId: string, input: AddCollaboratorInput): Promise<Collaborator>;
  /** The app's collaborators by name (needs `collaborators:get`). */
  listCollaborators(
    ownerId: string,
    appId: string,
    query?: { limit?: number; cursor?: string },
  ): Promise<Page<Collaborator>>;
  /** Changes a collaborator's role (needs `collaborators:add`). */
  updateCollaborator(ownerId: string, appId: string, userId: string, role: AppRole): Promise<Collaborator>;
  /** Removes a collaborator (needs `collaborators:delete`). */
  removeCollaborator(ownerId: string, appId: string, userId: string): Promise<void>;
  /**
   * A page of the apps of other accounts the calling user collaborates on, most recently added
   * first (Clarifai's "collaborations" view).
   *
   * @example
   * ```ts
   * const { items } = await orgkit.as({ userId: "dave" }).apps.collaborations({ limit: 20 });
   * ```
   */
  collaborations(query?: { limit?: number; cursor?: string }): Promise<Page<Collaboration>>;
  /**
   * A page of the collaborators on every app of an account (default: the one the actor acts
   * as), most recently added first. A user sees their own; an organization's needs
   * `collaborators:get` on all of its apps.
   */
  accountCollaborators(
    accountId?: string | null,
    query?: { limit?: number; cursor?: string },
  ): Promise<Page<Collaborator>>;
}

const MAX_DUPLICATED_INPUTS = 10_000;

/** A list query of a page only (`limit`, `cursor`), nothing else accepted. */
const PageOnlySchema = PageQuerySchema.strict();

/** The position a collaborations cursor names (INVALID_CURSOR when it is not one of `scope`'s). */
function collaborationAfter(cursor: string | undefined, scope: string): CollaborationKeyset | undefined {
  if (cursor === undefined) return undefined;
  const [at, appKey, userKey] = decodeCursor(cursor, scope, ["number", "string", "string"]);
  return { at: new Date(at as number), appKey: appKey as string, userKey: userKey as string };
}

function conflictOnId(error: unknown): never {
  if (isUniqueViolation(error, "app_id")) {
    throw new OrgKitError("CONFLICT", { param: "id", message: "This account has an app with this id." });
  }
  throw error;
}

/** Who may see which of an owner's apps, and as whom the engine sees the actor there. */
interface ListView {
  readonly subject: AuthorizationSubject;
  readonly organizationId: string | null;
  readonly filter: AppListFilter;
  readonly actorKey: string | null;
}

/** Builds the apps service for one actor. */
export function appsService(ctx: CallContext): AppsService {
  const { rt } = ctx;

  function defaultAccount(explicit: string | null | undefined, param: string): string {
    if (explicit !== undefined && explicit !== null) return idParam(explicit, param);
    const actor = ctx.actor;
    if (actor.type === "user") return actor.organizationId ?? actor.userId;
    throw new OrgKitError("VALIDATION_FAILED", { param, message: "Name the account." });
  }

  async function resolveOwner(stores: Stores, ownerId: string, param: string): Promise<OwnerAccount> {
    const owner = await stores.apps.resolveOwner(idParam(ownerId, param));
    if (owner === null) throw notFound(param);
    return owner;
  }

  /**
   * Throws unless the actor may create apps in `owner`: their own account, or an organization
   * where their role holds `apps:add`. NOT_FOUND for an account they cannot see.
   */
  async function assertCanCreateIn(stores: Stores, owner: OwnerAccount, param: string): Promise<void> {
    const actor = ctx.actor;
    if (actor.type === "system") return;
    if (actor.type !== "user") throw new OrgKitError("UNAUTHENTICATED");
    if (owner.type === "user") {
      if (owner.id !== actor.userId) throw notFound(param);
      return;
    }
    const access = await readAccess(stores, ctx, owner.id);
    if (access === null || access.role === null) throw notFound(param);
    const decision = authorize(subjectFor(ctx, access), "apps:add", {
      type: "app",
      organizationId: owner.id,
      appId: "*",
    });
    if (!decision.allowed) {
      throw new OrgKitError("FORBIDDEN", {
        param,
        message: "You need the apps:add permission to create apps in this organization.",
      });
    }
    if (actor.token !== undefined) await assertTokenAllowed(stores, owner.key, actor.token);
  }

  async function listView(owner: OwnerAccount): Promise<ListView> {
    const actor = ctx.actor;
    if (actor.type === "system") {
      return { subject: { type: "system" }, organizationId: null, filter: { type: "all" }, actorKey: null };
    }
    if (actor.type !== "user") throw new OrgKitError("UNAUTHENTICATED");
    if (owner.type === "user") {
      const me = await rt.storage.users.getById(actor.userId);
      const subject: AuthorizationSubject = {
        type: "user",
        userId: actor.userId,
        snapshot: null,
        tokenScopes: actor.tokenScopes,
      };
      if (me !== null && me.key === owner.key)
        return { subject, organizationId: null, filter: { type: "all" }, actorKey: me.key };
      return {
        subject,
        organizationId: null,
        filter: { type: "some", visibilities: ["public"], teamsOf: null, collaboratorKey: me?.key ?? null },
        actorKey: me?.key ?? null,
      };
    }
    const access = await readAccess(rt.storage, ctx, owner.id);
    const subject =
      access === null
        ? { type: "user" as const, userId: actor.userId, snapshot: null }
        : subjectFor(ctx, access);
    const snapshot = subject.type === "user" ? subject.snapshot : null;
    const actorKey = access?.userKey ?? (await rt.storage.users.getById(actor.userId))?.key ?? null;
    // An allow policy may show any app: then every app is read and the engine decides.
    const policyMayShow = snapshot?.policies.some(
      (p) => p.effect === "allow" && (p.actions === null || p.actions.has("apps:get")),
    );
    if (snapshot !== null && (snapshot.appScopes.has("apps:get") || policyMayShow)) {
      return { subject, organizationId: owner.id, filter: { type: "all" }, actorKey };
    }
    const member = snapshot !== null && actorKey !== null;
    return {
      subject,
      organizationId: owner.id,
      filter: {
        type: "some",
        visibilities: member && snapshot.role !== "financial_manager" ? ["org", "public"] : ["public"],
        teamsOf: member ? { organizationKey: owner.key, userKey: actorKey } : null,
        collaboratorKey: actorKey,
      },
      actorKey,
    };
  }

  async function collaboratorOf(
    stores: Stores,
    app: AppRecord,
    userId: string,
  ): Promise<{ key: string; id: string; name: string }> {
    const user = await stores.users.getById(idParam(userId, "userId"));
    if (user === null || (await stores.apps.getCollaborator(app.key, user.key)) === null)
      throw notFound("userId");
    return user;
  }

  const toCollaborator = (
    app: AppRecord,
    row: Pick<CollaboratorRow, "userId" | "name" | "role" | "addedAt">,
  ): Collaborator => ({
    appId: app.id,
    ownerId: app.ownerId,
    userId: row.userId,
    name: row.name,
    role: row.role,
    addedAt: row.addedAt,
  });

  return {
    async create(input) {
      const data = parseInput(CreateAppInputSchema, input);
      const ownerId = defaultAccount(data.ownerId, "ownerId");
      return rt.storage
        .transaction(async (tx) => {
          const owner = await resolveOwner(tx, ownerId, "ownerId");
          await assertCanCreateIn(tx, owner, "ownerId");
          const app = await tx.apps.insert({
            key: newKey(),
            owner,
            id: data.id,
            name: data.name,
            description: data.description ?? null,
            labels: data.labels,
            visibility: data.visibility,
            at: rt.clock.now(),
          });
          await recordAudit(tx, ctx, {
            organizationId: owner.type === "organization" ? owner.id : null,
            organizationKey: owner.type === "organization" ? owner.key : null,
            action: "APP_CREATE",
            targetType: "app",
            targetId: `${owner.id}/${app.id}`,
            after: toApp(app, false),
          });
          return toApp(app, false);
        })
        .catch(conflictOnId);
    },

    async list(ownerId, query = {}) {
      const q = parseInput(ListAppsQuerySchema, query);
      const direction = q.direction ?? (q.sort === "name" ? "asc" : "desc");
      const owner = await resolveOwner(rt.storage, defaultAccount(ownerId, "ownerId"), "ownerId");
      // A token without apps:get would see an empty list: say why instead, as `get` does.
      const actor = ctx.actor;
      if (actor.type === "user" && actor.tokenScopes !== undefined && !actor.tokenScopes.has("apps:get")) {
        throw new OrgKitError("FORBIDDEN", { message: "You need the apps:get permission to list apps." });
      }
      const view = await listView(owner);
      const scope = JSON.stringify(["apps", owner.id, q.sort, direction, q.search ?? ""]);
      let after: AppKeyset | undefined;
      if (q.cursor !== undefined) {
        const [pinned, value, key] = decodeCursor(q.cursor, scope, [
          "number",
          q.sort === "name" ? "string" : "number",
          "string",
        ]);
        after = { pinned: pinned === 1, value: value as string | number, key: key as string };
      }
      const items: { app: AppRecord; pinned: boolean; sortValue: string | number }[] = [];
      let exhausted = false;
      // Policies are applied by the engine, so a page may take more than one read; each read
      // continues the same index walk.
      let batch = Math.max(q.limit + 1, 50);
      while (items.length <= q.limit && !exhausted) {
        const rows = await rt.storage.apps.list(owner.key, {
          search: q.search || undefined,
          sort: q.sort,
          direction,
          pinnedBy: view.actorKey,
          filter: view.filter,
          after,
          limit: batch,
        });
        exhausted = rows.length < batch;
        // Policies refused some rows: read more at a time.
        batch = Math.min(batch * 4, 2000);
        for (const row of rows) {
          after = { pinned: row.pinned, value: row.sortValue, key: row.app.key };
          const resource = appResource(row.app, view.organizationId, row.collaboratorRole);
          if (authorize(view.subject, "apps:get", resource).allowed) {
            items.push(row);
            if (items.length > q.limit) break;
          }
        }
      }
      const page = items.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => toApp(r.app, r.pinned)),
        nextCursor:
          items.length > q.limit && last !== undefined
            ? encodeCursor(scope, [last.pinned ? 1 : 0, last.sortValue, last.app.key])
            : null,
      };
    },

    async get(ownerId, appId) {
      const grant = await authorizeApp(ctx, ownerId, appId, "apps:get");
      return toApp(grant.app, grant.row.pinned);
    },

    async update(ownerId, appId, input) {
      const data = parseInput(UpdateAppInputSchema, input);
      return rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "apps:update", tx);
        const after = await tx.apps.update(grant.app.key, data, rt.clock.now());
        if (after === null) throw notFound("appId");
        const changed = Object.keys(data) as (keyof typeof data)[];
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "APP_UPDATE",
          targetType: "app",
          targetId: `${after.ownerId}/${after.id}`,
          before: Object.fromEntries(changed.map((f) => [f, grant.app[f]])),
          after: Object.fromEntries(changed.map((f) => [f, after[f]])),
        });
        return toApp(after, grant.row.pinned);
      });
    },

    async delete(ownerId, appId) {
      await rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "apps:delete", tx);
        await tx.apps.delete(grant.app.key);
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "APP_DELETE",
          targetType: "app",
          targetId: `${grant.app.ownerId}/${grant.app.id}`,
          before: toApp(grant.app, false),
        });
      });
    },

    async duplicate(ownerId, appId, input) {
      const data = parseInput(DuplicateAppInputSchema, input);
      return rt.storage
        .transaction(async (tx) => {
          const grant = await authorizeApp(ctx, ownerId, appId, "apps:get", tx);
          const owner = await resolveOwner(tx, grant.app.ownerId, "ownerId");
          await assertCanCreateIn(tx, owner, "ownerId");
          const at = rt.clock.now();
          const copy = await tx.apps.insert({
            key: newKey(),
            owner,
            id: data.id,
            name: data.name ?? grant.app.name,
            description: grant.app.description,
            labels: grant.app.labels,
            visibility: grant.app.visibility,
            at,
          });
          await tx.models.ensureConcepts(
            copy.key,
            (await tx.models.listConcepts(grant.app.key)).map((c) => c.id),
            at,
          );
          for (const model of await tx.models.listAll(grant.app.key)) {
            await tx.models.insert({ ...model, key: newKey(), appKey: copy.key, at });
          }
          for (const workflow of await tx.workflows.listAll(grant.app.key)) {
            await tx.workflows.insert({ ...workflow, key: newKey(), appKey: copy.key, at });
          }
          let copied = 0;
          if (data.includeInputs) {
            let cursor: { value: number; key: string } | undefined;
            while (copied < MAX_DUPLICATED_INPUTS) {
              const inputs = await tx.inputs.list(grant.app.key, { after: cursor, limit: 500 });
              if (inputs.length === 0) break;
              await tx.inputs.insertMany(
                inputs.map((i) => ({ ...i, key: newKey(), appKey: copy.key, at: i.createdAt })),
              );
              copied += inputs.length;
              const last = inputs.at(-1)!;
              cursor = { value: last.createdAt.getTime(), key: last.key };
            }
          }
          await recordAudit(tx, ctx, {
            organizationId: owner.type === "organization" ? owner.id : null,
            organizationKey: owner.type === "organization" ? owner.key : null,
            action: "APP_DUPLICATE",
            targetType: "app",
            targetId: `${copy.ownerId}/${copy.id}`,
            before: { appId: grant.app.id },
            after: { ...toApp(copy, false), inputs: copied },
          });
          return toApp(copy, false);
        })
        .catch(conflictOnId);
    },

    async pin(ownerId, appId) {
      await rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "apps:get", tx);
        if (grant.row.actorKey === null) throw new OrgKitError("UNAUTHENTICATED");
        if (await tx.apps.pin(grant.row.actorKey, grant.app.key, rt.clock.now())) {
          await recordAudit(tx, ctx, {
            ...appAuditScope(grant.row),
            action: "APP_PIN",
            targetType: "app",
            targetId: `${grant.app.ownerId}/${grant.app.id}`,
          });
        }
      });
    },

    async unpin(ownerId, appId) {
      await rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "apps:get", tx);
        if (grant.row.actorKey === null) throw new OrgKitError("UNAUTHENTICATED");
        if (await tx.apps.unpin(grant.row.actorKey, grant.app.key)) {
          await recordAudit(tx, ctx, {
            ...appAuditScope(grant.row),
            action: "APP_UNPIN",
            targetType: "app",
            targetId: `${grant.app.ownerId}/${grant.app.id}`,
          });
        }
      });
    },

    async transfer(ownerId, appId, input) {
      const data = parseInput(TransferAppInputSchema, input);
      return rt.storage
        .transaction(async (tx) => {
          const grant = await authorizeApp(ctx, ownerId, appId, "apps:transfer", tx);
          const app = grant.app;
          const actor = ctx.actor;
          if (app.ownerType !== "user" || (actor.type === "user" && app.ownerId !== actor.userId)) {
            throw new OrgKitError("FORBIDDEN", {
              param: "ownerId",
              message: "Only an app of your personal account can be transferred to an organization.",
            });
          }
          const destination = await tx.apps.resolveOwner(idParam(data.organizationId, "organizationId"));
          if (destination === null || destination.type !== "organization") throw notFound("organizationId");
          await assertCanCreateIn(tx, destination, "organizationId");
          const moved = await tx.apps.transfer(
            app.key,
            app.ownerKey,
            { owner: destination, id: data.id ?? app.id, name: data.name ?? app.name },
            rt.clock.now(),
          );
          // Another transfer moved it first: for this caller the app is gone from where it was.
          if (moved === null) throw notFound("appId");
          await recordAudit(tx, ctx, {
            organizationId: destination.id,
            organizationKey: destination.key,
            action: "APP_TRANSFER",
            targetType: "app",
            targetId: `${moved.ownerId}/${moved.id}`,
            before: { ownerId: app.ownerId, id: app.id, name: app.name },
            after: { ownerId: moved.ownerId, id: moved.id, name: moved.name },
          });
          return toApp(moved, grant.row.pinned);
        })
        .catch(conflictOnId);
    },

    async addCollaborator(ownerId, appId, input) {
      const data = parseInput(AddCollaboratorInputSchema, input);
      return rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "collaborators:add", tx);
        const user = await tx.users.getById(data.userId);
        if (user === null) throw notFound("userId");
        const app = grant.app;
        const insider =
          app.ownerType === "user"
            ? app.ownerKey === user.key
            : (await tx.members.get(app.ownerKey, user.key)) !== null;
        if (insider) {
          throw new OrgKitError("VALIDATION_FAILED", {
            param: "userId",
            message:
              app.ownerType === "user"
                ? "The owner of an app cannot be its collaborator."
                : "This person is a member of the organization: give them access through a team or their role.",
          });
        }
        const at = rt.clock.now();
        await tx.apps.addCollaborator(app.key, user.key, data.role, at).catch((error: unknown) => {
          if (isUniqueViolation(error, "app_collaborator")) {
            throw new OrgKitError("CONFLICT", {
              param: "userId",
              message: "This person already collaborates on the app.",
            });
          }
          throw error;
        });
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "COLLABORATOR_ADD",
          targetType: "collaborator",
          targetId: `${app.ownerId}/${app.id}/${user.id}`,
          after: { role: data.role },
        });
        return toCollaborator(app, { userId: user.id, name: user.name, role: data.role, addedAt: at });
      });
    },

    async listCollaborators(ownerId, appId, query = {}) {
      const q = parseInput(PageOnlySchema, query);
      const grant = await authorizeApp(ctx, ownerId, appId, "collaborators:get");
      const scope = JSON.stringify(["collaborators", grant.app.key]);
      let after: TextKeyset | undefined;
      if (q.cursor !== undefined) {
        const [value, key] = decodeCursor(q.cursor, scope, ["string", "string"]);
        after = { value: value as string, key: key as string };
      }
      const rows = await rt.storage.apps.listCollaborators(grant.app.key, after, q.limit + 1);
      return {
        items: rows.slice(0, q.limit).map((r) => toCollaborator(grant.app, r)),
        nextCursor: nextCursorOf(rows, q.limit, scope, (r) => [r.sortName, r.userKey]),
      };
    },

    async updateCollaborator(ownerId, appId, userId, role) {
      const newRole = parseInput(AppRoleSchema, role, "role");
      return rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "collaborators:add", tx);
        const user = await collaboratorOf(tx, grant.app, userId);
        const before = await tx.apps.getCollaborator(grant.app.key, user.key);
        const at = rt.clock.now();
        if (before !== newRole) {
          await tx.apps.updateCollaborator(grant.app.key, user.key, newRole, at);
          await recordAudit(tx, ctx, {
            ...appAuditScope(grant.row),
            action: "COLLABORATOR_UPDATE",
            targetType: "collaborator",
            targetId: `${grant.app.ownerId}/${grant.app.id}/${user.id}`,
            before: { role: before },
            after: { role: newRole },
          });
        }
        return toCollaborator(grant.app, { userId: user.id, name: user.name, role: newRole, addedAt: at });
      });
    },

    async removeCollaborator(ownerId, appId, userId) {
      await rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "collaborators:delete", tx);
        const user = await collaboratorOf(tx, grant.app, userId);
        const before = await tx.apps.getCollaborator(grant.app.key, user.key);
        await tx.apps.removeCollaborator(grant.app.key, user.key);
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "COLLABORATOR_REMOVE",
          targetType: "collaborator",
          targetId: `${grant.app.ownerId}/${grant.app.id}/${user.id}`,
          before: { role: before },
        });
      });
    },

    async collaborations(query = {}) {
      const q = parseInput(PageOnlySchema, query);
      const actor = ctx.actor;
      if (actor.type === "anonymous") throw new OrgKitError("UNAUTHENTICATED");
      if (actor.type !== "user") return { items: [], nextCursor: null };
      const user = await rt.storage.users.getById(actor.userId);
      if (user === null) throw new OrgKitError("UNAUTHENTICATED");
      const scope = JSON.stringify(["collaborations", user.key]);
      const after = collaborationAfter(q.cursor, scope);
      const rows = await rt.storage.apps.listCollaborations(user.key, after, q.limit + 1);
      return {
        items: rows
          .slice(0, q.limit)
          .map((a) => ({ app: toApp(a.app, false), role: a.role, addedAt: a.addedAt })),
        nextCursor: nextCursorOf(rows, q.limit, scope, (a) => [a.addedAt.getTime(), a.app.key, a.userKey]),
      };
    },

    async accountCollaborators(accountId, query = {}) {
      const q = parseInput(PageOnlySchema, query);
      const owner = await resolveOwner(rt.storage, defaultAccount(accountId, "accountId"), "accountId");
      const actor = ctx.actor;
      if (actor.type === "anonymous") throw new OrgKitError("UNAUTHENTICATED");
      if (owner.type === "user") {
        if (actor.type === "user" && actor.userId !== owner.id) throw notFound("accountId");
      } else if (actor.type === "user") {
        const access = await readAccess(rt.storage, ctx, owner.id);
        if (access === null || access.role === null) throw notFound("accountId");
        const allowed = authorize(subjectFor(ctx, access), "collaborators:get", {
          type: "app",
          organizationId: owner.id,
          appId: "*",
        }).allowed;
        if (!allowed) {
          throw new OrgKitError("FORBIDDEN", {
            message: "You need the collaborators:get permission on every app.",
          });
        }
      }
      const scope = JSON.stringify(["account-collaborators", owner.key]);
      const after = collaborationAfter(q.cursor, scope);
      const rows = await rt.storage.apps.listCollaboratorsOfOwner(owner.key, after, q.limit + 1);
      return {
        items: rows.slice(0, q.limit).map((c) => ({
          appId: c.appId,
          ownerId: owner.id,
          userId: c.userId,
          name: c.name,
          role: c.role,
          addedAt: c.addedAt,
        })),
        nextCursor: nextCursorOf(rows, q.limit, scope, (c) => [c.addedAt.getTime(), c.appKey, c.userKey]),
      };
    },
  };
}
