import { notFound, OrgKitError } from "../errors.js";
import { newKey } from "../internal/ids.js";
import { type Page, parseInput } from "../schemas/common.js";
import {
  type AddInputsInput,
  AddInputsSchema,
  type Input,
  type ListInputsQuery,
  ListInputsQuerySchema,
  type Star,
} from "../schemas/content.js";
import type { InputRecord, StarKind } from "../storage/content-store.js";
import { isUniqueViolation } from "../storage/errors.js";
import { requireUser } from "./access-control.js";
import { appAuditScope, authorizeApp, idParam } from "./app-access.js";
import { recordAudit } from "./audit-trail.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { CallContext } from "./runtime.js";

/** Inputs and concepts of an app (read: `inputs:get`, `concepts:get`; write: `inputs:add|delete`). */
export interface InputsService {
  /**
   * Adds 1–128 inputs, each a text or a URL with concepts (created on the fly); ids default to
   * random ones. CONFLICT on `inputs.<i>.id` when taken; all or nothing.
   *
   * @example
   * ```ts
   * await asAlice.inputs.add("acme", "support", [{ text: "my card was charged twice", conceptIds: ["billing"] }]);
   * ```
   */
  add(ownerId: string, appId: string, inputs: AddInputsInput): Promise<Input[]>;
  /** A page of inputs, newest first; `conceptId` and `search` (text or URL) narrow it. */
  list(ownerId: string, appId: string, query?: ListInputsQuery): Promise<Page<Input>>;
  /** One input (needs `inputs:get`); NOT_FOUND on `inputId` when the app has none with this id. */
  get(ownerId: string, appId: string, inputId: string): Promise<Input>;
  /** Deletes an input (needs `inputs:delete`). */
  delete(ownerId: string, appId: string, inputId: string): Promise<void>;
  /** The app's concepts by id (needs `concepts:get`). */
  concepts(ownerId: string, appId: string): Promise<string[]>;
}

/** Stars on models and workflows, per user. */
export interface StarsService {
  /** Stars a model or workflow the actor can see (idempotent). */
  star(ownerId: string, appId: string, target: { kind: StarKind; id: string }): Promise<void>;
  /** Removes a star (idempotent). */
  unstar(ownerId: string, appId: string, target: { kind: StarKind; id: string }): Promise<void>;
  /** The actor's "starred" list, newest first, keyset-paginated. */
  list(query?: { limit?: number; cursor?: string }): Promise<Page<Star>>;
}

function toInput(input: InputRecord): Input {
  return {
    id: input.id,
    text: input.text,
    url: input.url,
    conceptIds: [...input.conceptIds],
    createdAt: input.createdAt,
  };
}

/** Builds the inputs service for one actor. */
export function inputsService(ctx: CallContext): InputsService {
  const { rt } = ctx;
  return {
    async add(ownerId, appId, inputs) {
      const data = parseInput(AddInputsSchema, inputs, "inputs");
      return rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "inputs:add", tx);
        const at = rt.clock.now();
        const records = data.map((input) => ({
          key: newKey(),
          appKey: grant.app.key,
          id: input.id ?? newKey().replaceAll("-", ""),
          text: input.text ?? null,
          url: input.url ?? null,
          conceptIds: input.conceptIds,
          at,
        }));
        await tx.models.ensureConcepts(
          grant.app.key,
          records.flatMap((r) => r.conceptIds),
          at,
        );
        await tx.inputs.insertMany(records).catch(async (error: unknown) => {
          if (!isUniqueViolation(error, "input_id")) throw error;
          throw new OrgKitError("CONFLICT", {
            param: "inputs",
            message: "The app has an input with one of these ids.",
          });
        });
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "INPUT_ADD",
          targetType: "input",
          targetId: `${grant.app.ownerId}/${grant.app.id}`,
          after: { ids: records.map((r) => r.id) },
        });
        return records.map((r) => toInput({ ...r, createdAt: at }));
      });
    },

    async list(ownerId, appId, query = {}) {
      const q = parseInput(ListInputsQuerySchema, query);
      const grant = await authorizeApp(ctx, ownerId, appId, "inputs:get");
      const scope = JSON.stringify(["inputs", grant.app.key, q.conceptId ?? "", q.search ?? ""]);
      let after: { value: number; key: string } | undefined;
      if (q.cursor !== undefined) {
        const [value, key] = decodeCursor(q.cursor, scope, ["number", "string"]);
        after = { value: value as number, key: key as string };
      }
      const rows = await rt.storage.inputs.list(grant.app.key, {
        conceptId: q.conceptId,
        search: q.search || undefined,
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map(toInput),
        nextCursor:
          rows.length > q.limit && last ? encodeCursor(scope, [last.createdAt.getTime(), last.key]) : null,
      };
    },

    async get(ownerId, appId, inputId) {
      const grant = await authorizeApp(ctx, ownerId, appId, "inputs:get");
      const input = await rt.storage.inputs.get(grant.app.key, idParam(inputId, "inputId"));
      if (input === null) throw notFound("inputId");
      return toInput(input);
    },

    async delete(ownerId, appId, inputId) {
      await rt.storage.transaction(async (tx) => {
        const grant = await authorizeApp(ctx, ownerId, appId, "inputs:delete", tx);
        const input = await tx.inputs.get(grant.app.key, idParam(inputId, "inputId"));
        if (input === null) throw notFound("inputId");
        await tx.inputs.delete(input.key);
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: "INPUT_DELETE",
          targetType: "input",
          targetId: `${grant.app.ownerId}/${grant.app.id}/${input.id}`,
          before: toInput(input),
        });
      });
    },

    async concepts(ownerId, appId) {
      const grant = await authorizeApp(ctx, ownerId, appId, "concepts:get");
      return (await rt.storage.models.listConcepts(grant.app.key)).map((c) => c.id);
    },
  };
}

/** Builds the stars service for one actor. */
export function starsService(ctx: CallContext): StarsService {
  const { rt } = ctx;

  async function target(
    ownerId: string,
    appId: string,
    t: { kind: StarKind; id: string },
    starring: boolean,
  ) {
    if (t === null || typeof t !== "object" || (t.kind !== "model" && t.kind !== "workflow")) {
      throw new OrgKitError("VALIDATION_FAILED", { param: "kind", message: "Star a model or a workflow." });
    }
    await rt.storage.transaction(async (tx) => {
      const grant = await authorizeApp(
        ctx,
        ownerId,
        appId,
        t.kind === "model" ? "models:get" : "workflows:get",
        tx,
      );
      if (grant.row.actorKey === null) throw new OrgKitError("UNAUTHENTICATED");
      const id = idParam(t.id, "id");
      const record =
        t.kind === "model"
          ? await tx.models.get(grant.app.key, id)
          : await tx.workflows.get(grant.app.key, id);
      if (record === null) throw notFound("id");
      const changed = starring
        ? await tx.stars.star(grant.row.actorKey, t.kind, record.key, grant.app.key, rt.clock.now())
        : await tx.stars.unstar(grant.row.actorKey, record.key);
      if (changed) {
        await recordAudit(tx, ctx, {
          ...appAuditScope(grant.row),
          action: starring ? "STAR_ADD" : "STAR_REMOVE",
          targetType: "star",
          targetId: `${grant.app.ownerId}/${grant.app.id}/${t.kind}s/${record.id}`,
        });
      }
    });
  }

  return {
    star: (ownerId, appId, t) => target(ownerId, appId, t, true),
    unstar: (ownerId, appId, t) => target(ownerId, appId, t, false),

    async list(query = {}) {
      const q = parseInput(ListInputsQuerySchema.pick({ limit: true, cursor: true }).strict(), query);
      const user = await requireUser(ctx);
      const scope = JSON.stringify(["stars", user.key]);
      let after: { value: number; key: string } | undefined;
      if (q.cursor !== undefined) {
        const [value, key] = decodeCursor(q.cursor, scope, ["number", "string"]);
        after = { value: value as number, key: key as string };
      }
      // Only what the user can still see: a star on an app they lost access to stays stored but hidden.
      const items: Star[] = [];
      let last: { value: number; key: string } | undefined;
      let more = false;
      let cursor = after;
      for (;;) {
        const rows = await rt.storage.stars.list(user.key, cursor, q.limit + 1);
        for (const row of rows) {
          cursor = { value: row.starredAt.getTime(), key: row.targetKey };
          const visible = await authorizeApp(
            ctx,
            row.ownerId,
            row.appId,
            row.kind === "model" ? "models:get" : "workflows:get",
          ).then(
            () => true,
            () => false,
          );
          if (!visible) continue;
          if (items.length === q.limit) {
            more = true;
            break;
          }
          items.push({
            kind: row.kind,
            id: row.targetId,
            name: row.targetName,
            appId: row.appId,
            ownerId: row.ownerId,
            starredAt: row.starredAt,
          });
          last = cursor;
        }
        if (more || rows.length < q.limit + 1) break;
      }
      return { items, nextCursor: more && last ? encodeCursor(scope, [last.value, last.key]) : null };
    },
  };
}
