import { describe, expect, it } from "vitest";
import { isOrgKitError } from "../errors.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
} from "../testing/harness.js";
import { acme } from "./teams.conformance.js";

/** Conformance: apps, pins, duplication, collaborators and transfer. */
export function appsConformance(harness: ConformanceHarness): void {
  describe("apps", () => {
    it("creates in the acting context, the user's own account or an explicit owner, each audited", async () => {
      const w = await createWorld(harness);
      const { alice, carol, asAlice } = await acme(w);
      const inOrg = await asAlice.apps.create({
        id: "medical",
        name: "Medical",
        labels: ["HIPAA", "eu"],
        visibility: "org",
      });
      expect(inOrg).toMatchObject({
        ownerId: "acme",
        ownerType: "organization",
        labels: ["hipaa", "eu"],
        visibility: "org",
      });
      const personal = await w.orgkit.as({ userId: alice.id }).apps.create({ id: "medical", name: "Mine" });
      expect(personal).toMatchObject({ ownerId: alice.id, ownerType: "user", visibility: "private" });
      const explicit = await w.orgkit
        .as({ userId: alice.id })
        .apps.create({ id: "retail", name: "Retail", ownerId: "acme" });
      expect(explicit.ownerId).toBe("acme");
      await expectFailsCleanly(
        w,
        () => asAlice.apps.create({ id: "medical", name: "Again" }),
        "CONFLICT",
        "id",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.apps.create({ id: "x", name: "X", labels: ["gdpr", "GDPR"] }),
        "VALIDATION_FAILED",
        "labels",
      );
      await expectFailsCleanly(
        w,
        () =>
          asAlice.apps.create({ id: "x", name: "X", labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }),
        "VALIDATION_FAILED",
        "labels",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.apps.create({ id: "x", name: "X", labels: ["a".repeat(51)] }),
        "VALIDATION_FAILED",
        "labels.0",
      );
      // An org user cannot create apps in the organization; a stranger's account is invisible.
      await expectFailsCleanly(
        w,
        () => w.orgkit.as({ userId: carol.id, organizationId: "acme" }).apps.create({ id: "c", name: "C" }),
        "FORBIDDEN",
        "ownerId",
      );
      await expectFailsCleanly(
        w,
        () => w.orgkit.as({ userId: carol.id }).apps.create({ id: "c", name: "C", ownerId: alice.id }),
        "NOT_FOUND",
        "ownerId",
      );
      const actions = (await w.storage.audit.listForOrganization("acme", 100)).map((e) => e.action);
      expect(actions.filter((a) => a === "APP_CREATE")).toHaveLength(2);
    });

    it("lists pinned first, then by last update or name either way, with search and keyset pages", async () => {
      const w = await createWorld(harness);
      const { asAlice, alice } = await acme(w);
      for (const [id, name] of [
        ["b", "Bravo"],
        ["a", "alpha"],
        ["d", "Delta"],
        ["c", "Charlie"],
      ]) {
        w.clock.advance(1000);
        await asAlice.apps.create({ id: id!, name: name! });
      }
      const ids = async (query: object) => (await asAlice.apps.list("acme", query)).items.map((a) => a.id);
      expect(await ids({})).toEqual(["c", "d", "a", "b"]);
      expect(await ids({ sort: "name" })).toEqual(["a", "b", "c", "d"]);
      expect(await ids({ sort: "name", direction: "desc" })).toEqual(["d", "c", "b", "a"]);
      expect(await ids({ search: "ALPH" })).toEqual(["a"]);
      await asAlice.apps.pin("acme", "b");
      await asAlice.apps.pin("acme", "d");
      expect(await ids({ sort: "name" })).toEqual(["b", "d", "a", "c"]);
      // Pins are per user.
      const fromPersonalContext = await w.orgkit.as({ userId: alice.id }).apps.list("acme", { sort: "name" });
      expect(fromPersonalContext.items.filter((a) => a.pinned).map((a) => a.id)).toEqual(["b", "d"]);
      for (const sort of ["name", "updatedAt"] as const) {
        for (const direction of ["asc", "desc"] as const) {
          const whole = await ids({ sort, direction, limit: 100 });
          const paged: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await asAlice.apps.list("acme", {
              sort,
              direction,
              limit: 1,
              ...(cursor ? { cursor } : {}),
            });
            paged.push(...page.items.map((a) => a.id));
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          expect(paged).toEqual(whole);
        }
      }
      await asAlice.apps.unpin("acme", "b");
      expect(await ids({ sort: "name" })).toEqual(["d", "a", "b", "c"]);
      w.clock.advance(1000);
      await asAlice.apps.update("acme", "a", { description: "first" });
      expect((await ids({}))[1]).toBe("a");
    });

    it("edits, and deletes with every piece of content, pin, star and collaborator", async () => {
      const w = await createWorld(harness);
      const { asAlice, dave } = await acme(w);
      await asAlice.apps.create({ id: "medical", name: "Medical" });
      expect(
        await asAlice.apps.update("acme", "medical", { name: "Medical AI", labels: ["hipaa"] }),
      ).toMatchObject({
        name: "Medical AI",
        labels: ["hipaa"],
      });
      await expectFailsCleanly(
        w,
        () => asAlice.apps.update("acme", "medical", { labels: ["x", "x"] }),
        "VALIDATION_FAILED",
        "labels",
      );
      await asAlice.models.create("acme", "medical", { id: "triage", type: "text-classifier" });
      await asAlice.workflows.create("acme", "medical", {
        id: "flow",
        graph: { nodes: [{ id: "n", modelId: "triage" }] },
      });
      await asAlice.inputs.add("acme", "medical", [{ text: "chest pain", conceptIds: ["cardio"] }]);
      await asAlice.stars.star("acme", "medical", { kind: "model", id: "triage" });
      await asAlice.apps.pin("acme", "medical");
      await asAlice.apps.addCollaborator("acme", "medical", { userId: dave.id, role: "labeler_worker" });
      await asAlice.apps.delete("acme", "medical");
      await expectOrgKitError(asAlice.apps.get("acme", "medical"), "NOT_FOUND", "appId");
      const dump = await w.dump();
      for (const table of [
        "apps",
        "models",
        "workflows",
        "workflow_versions",
        "inputs",
        "input_concepts",
        "concepts",
        "stars",
        "app_pins",
        "app_collaborators",
      ]) {
        expect([table, dump[table]]).toEqual([table, []]);
      }
      expect((await asAlice.stars.list()).items).toEqual([]);
    });

    it("duplicates models, workflows and concepts, and inputs only when asked", async () => {
      const w = await createWorld(harness);
      const { asAlice } = await acme(w);
      await asAlice.apps.create({ id: "medical", name: "Medical", labels: ["hipaa"] });
      await asAlice.models.create("acme", "medical", {
        id: "triage",
        type: "text-classifier",
        conceptIds: ["cardio"],
      });
      await asAlice.workflows.create("acme", "medical", {
        id: "flow",
        graph: { nodes: [{ id: "n", modelId: "triage" }] },
      });
      await asAlice.inputs.add("acme", "medical", [{ text: "chest pain", conceptIds: ["cardio", "urgent"] }]);
      const copy = await asAlice.apps.duplicate("acme", "medical", { id: "medical-2" });
      expect(copy).toMatchObject({ id: "medical-2", name: "Medical", labels: ["hipaa"] });
      expect((await asAlice.models.list("acme", "medical-2")).items.map((m) => m.id)).toEqual(["triage"]);
      expect((await asAlice.workflows.get("acme", "medical-2", "flow")).graph.nodes).toEqual([
        { id: "n", modelId: "triage" },
      ]);
      expect(await asAlice.inputs.concepts("acme", "medical-2")).toEqual(["cardio", "urgent"]);
      expect((await asAlice.inputs.list("acme", "medical-2")).items).toEqual([]);
      await asAlice.apps.duplicate("acme", "medical", {
        id: "medical-3",
        name: "With inputs",
        includeInputs: true,
      });
      expect((await asAlice.inputs.list("acme", "medical-3")).items.map((i) => i.text)).toEqual([
        "chest pain",
      ]);
      await expectFailsCleanly(
        w,
        () => asAlice.apps.duplicate("acme", "medical", { id: "medical-2" }),
        "CONFLICT",
        "id",
      );
    });

    it("answers NOT_FOUND for another organization's or another user's private apps, exactly as for missing ones", async () => {
      const w = await createWorld(harness);
      const { asAlice, alice, dave } = await acme(w);
      await asAlice.apps.create({ id: "medical", name: "Medical" });
      await w.orgkit.as({ userId: alice.id }).apps.create({ id: "notes", name: "Notes" });
      const asDave = w.orgkit.as({ userId: dave.id });
      const missing = await expectOrgKitError(asDave.apps.get("acme", "nope"), "NOT_FOUND", "appId");
      const foreign = await expectOrgKitError(asDave.apps.get("acme", "medical"), "NOT_FOUND", "appId");
      expect(foreign.toJSON()).toEqual(missing.toJSON());
      await expectOrgKitError(asDave.apps.get(alice.id, "notes"), "NOT_FOUND", "appId");
      await expectOrgKitError(asDave.models.list("acme", "medical"), "NOT_FOUND", "appId");
      await expectOrgKitError(asDave.apps.update("acme", "medical", { name: "Mine" }), "NOT_FOUND", "appId");
      expect((await asDave.apps.list("acme")).items).toEqual([]);
      expect((await asDave.apps.list(alice.id)).items).toEqual([]);
      // Public visibility opens reading and predicting to anyone, not writing.
      await asAlice.apps.update("acme", "medical", { visibility: "public" });
      expect((await asDave.apps.list("acme")).items.map((a) => a.id)).toEqual(["medical"]);
      expect((await asDave.access.checkApp("acme", "medical", "predict")).reasons).toEqual([
        { type: "visibility", visibility: "public", effect: "allow" },
      ]);
      await expectFailsCleanly(w, () => asDave.apps.update("acme", "medical", { name: "Mine" }), "FORBIDDEN");
    });

    it("pages collaborations and an account's collaborators, newest first, refusing foreign cursors", async () => {
      const w = await createWorld(harness);
      const { asAlice, dave } = await acme(w);
      const erin = await w.user("Erin");
      for (const id of ["a1", "a2", "a3"]) {
        await asAlice.apps.create({ id, name: id.toUpperCase() });
        w.clock.advance(1_000);
        await asAlice.apps.addCollaborator("acme", id, { userId: dave.id, role: "labeler_worker" });
        // Two collaborators added in the same millisecond: the keys break the tie.
        await asAlice.apps.addCollaborator("acme", id, { userId: erin.id, role: "full_access" });
      }
      const asDave = w.orgkit.as({ userId: dave.id });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await asDave.apps.collaborations({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((c) => c.app.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(seen).toEqual(["a3", "a2", "a1"]);

      const pairs: string[] = [];
      let next: string | undefined;
      let first: string | null = null;
      do {
        const page = await asAlice.apps.accountCollaborators("acme", {
          limit: 4,
          ...(next ? { cursor: next } : {}),
        });
        pairs.push(...page.items.map((c) => `${c.appId}:${c.userId}`));
        first ??= page.nextCursor;
        next = page.nextCursor ?? undefined;
      } while (next !== undefined);
      expect(pairs).toHaveLength(6);
      expect(new Set(pairs).size).toBe(6);
      expect(pairs.slice(0, 2).every((p) => p.startsWith("a3:"))).toBe(true);
      expect(pairs.slice(4).every((p) => p.startsWith("a1:"))).toBe(true);
      // A cursor of one list is refused by the other, and by another account's.
      await expectOrgKitError(asDave.apps.collaborations({ cursor: first! }), "INVALID_CURSOR", "cursor");
      expect((await asAlice.apps.accountCollaborators("acme", { limit: 0 })).items).toHaveLength(1);
      expect((await asAlice.apps.accountCollaborators("acme", { limit: 1_000 })).items).toHaveLength(6);
    });

    it("manages collaborators from outside the owning account, and shows both sides of collaborations", async () => {
      const w = await createWorld(harness);
      const { asAlice, alice, bob, dave } = await acme(w);
      await asAlice.apps.create({ id: "medical", name: "Medical" });
      await expectFailsCleanly(
        w,
        () => asAlice.apps.addCollaborator("acme", "medical", { userId: bob.id, role: "full_access" }),
        "VALIDATION_FAILED",
        "userId",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.apps.addCollaborator("acme", "medical", { userId: "ghost", role: "full_access" }),
        "NOT_FOUND",
        "userId",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.apps.addCollaborator("acme", "medical", { userId: dave.id, role: "boss" as never }),
        "VALIDATION_FAILED",
        "role",
      );
      await asAlice.apps.addCollaborator("acme", "medical", { userId: dave.id, role: "labeler_worker" });
      await expectFailsCleanly(
        w,
        () => asAlice.apps.addCollaborator("acme", "medical", { userId: dave.id, role: "full_access" }),
        "CONFLICT",
        "userId",
      );
      const asDave = w.orgkit.as({ userId: dave.id });
      expect((await asDave.apps.get("acme", "medical")).id).toBe("medical");
      expect((await asDave.apps.list("acme")).items.map((a) => a.id)).toEqual(["medical"]);
      expect((await asDave.access.checkApp("acme", "medical", "annotations:add")).allowed).toBe(true);
      await expectFailsCleanly(
        w,
        () => asDave.models.create("acme", "medical", { id: "m", type: "embedder" }),
        "FORBIDDEN",
      );
      await asAlice.apps.updateCollaborator("acme", "medical", dave.id, "model_trainer");
      expect((await asDave.models.create("acme", "medical", { id: "m", type: "embedder" })).id).toBe("m");
      expect(
        (await asAlice.apps.listCollaborators("acme", "medical")).items.map((c) => [c.userId, c.role]),
      ).toEqual([[dave.id, "model_trainer"]]);
      const mine = await asDave.apps.collaborations();
      expect(mine.items.map((a) => [a.app.ownerId, a.app.id, a.role])).toEqual([
        ["acme", "medical", "model_trainer"],
      ]);
      const acmes = await asAlice.apps.accountCollaborators("acme");
      expect(acmes.items.map((c) => [c.appId, c.userId])).toEqual([["medical", dave.id]]);
      await expectOrgKitError(
        w.orgkit.as({ userId: alice.id }).apps.accountCollaborators(dave.id),
        "NOT_FOUND",
        "accountId",
      );
      await asAlice.apps.removeCollaborator("acme", "medical", dave.id);
      await expectOrgKitError(asDave.apps.get("acme", "medical"), "NOT_FOUND", "appId");
      const actions = (await w.storage.audit.listForOrganization("acme", 100)).map((e) => e.action);
      expect(actions.filter((a) => a.startsWith("COLLABORATOR_"))).toEqual([
        "COLLABORATOR_ADD",
        "COLLABORATOR_UPDATE",
        "COLLABORATOR_REMOVE",
      ]);
    });

    describe("transfer", () => {
      it("moves a personal app with its content, stars, pins and collaborators into an organization", async () => {
        const w = await createWorld(harness);
        const { alice, carol, dave } = await acme(w);
        const asMe = w.orgkit.as({ userId: alice.id });
        await asMe.apps.create({ id: "prototype", name: "Prototype" });
        await asMe.models.create(alice.id, "prototype", { id: "triage", type: "text-classifier" });
        await asMe.stars.star(alice.id, "prototype", { kind: "model", id: "triage" });
        await asMe.apps.pin(alice.id, "prototype");
        await asMe.apps.addCollaborator(alice.id, "prototype", { userId: dave.id, role: "labeler_lead" });
        const moved = await asMe.apps.transfer(alice.id, "prototype", {
          organizationId: "acme",
          name: "Prototype (Acme)",
        });
        expect(moved).toMatchObject({
          ownerId: "acme",
          ownerType: "organization",
          id: "prototype",
          name: "Prototype (Acme)",
          pinned: true,
        });
        expect((await asMe.apps.list(alice.id)).items).toEqual([]);
        expect((await asMe.models.list("acme", "prototype")).items.map((m) => m.id)).toEqual(["triage"]);
        expect((await asMe.stars.list()).items.map((s) => [s.ownerId, s.appId, s.id])).toEqual([
          ["acme", "prototype", "triage"],
        ]);
        expect((await asMe.apps.list("acme")).items[0]).toMatchObject({ id: "prototype", pinned: true });
        expect((await asMe.apps.listCollaborators("acme", "prototype")).items.map((c) => c.userId)).toEqual([
          dave.id,
        ]);
        // Carol (org user) now reads it through her role; it is gone from Alice's account.
        expect((await w.orgkit.as({ userId: carol.id }).apps.get("acme", "prototype")).id).toBe("prototype");
        await expectOrgKitError(asMe.apps.get(alice.id, "prototype"), "NOT_FOUND", "appId");
        const event = (await w.storage.audit.listForOrganization("acme", 100)).find(
          (e) => e.action === "APP_TRANSFER",
        );
        expect(event).toMatchObject({
          before: { ownerId: alice.id, id: "prototype" },
          after: { ownerId: "acme", id: "prototype" },
        });
      });

      it("refuses a taken id (CONFLICT), an organization one cannot create apps in, and a non-personal app", async () => {
        const w = await createWorld(harness);
        const { alice, carol, asAlice } = await acme(w);
        await asAlice.apps.create({ id: "prototype", name: "Taken" });
        const asMe = w.orgkit.as({ userId: alice.id });
        await asMe.apps.create({ id: "prototype", name: "Prototype" });
        await expectFailsCleanly(
          w,
          () => asMe.apps.transfer(alice.id, "prototype", { organizationId: "acme" }),
          "CONFLICT",
          "id",
        );
        expect(
          (await asMe.apps.transfer(alice.id, "prototype", { organizationId: "acme", id: "prototype-2" })).id,
        ).toBe("prototype-2");
        const asCarol = w.orgkit.as({ userId: carol.id });
        await asCarol.apps.create({ id: "side", name: "Side" });
        await expectFailsCleanly(
          w,
          () => asCarol.apps.transfer(carol.id, "side", { organizationId: "acme" }),
          "FORBIDDEN",
          "organizationId",
        );
        const olga = await w.user("Olga");
        await w.organization(olga, "globex", "Globex");
        await expectFailsCleanly(
          w,
          () => asCarol.apps.transfer(carol.id, "side", { organizationId: "globex" }),
          "NOT_FOUND",
          "organizationId",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.apps.transfer("acme", "prototype", { organizationId: "acme" }),
          "FORBIDDEN",
          "ownerId",
        );
      });

      it("leaves exactly one owner when two transfers of one app race", async () => {
        const w = await createWorld(harness, { limits: { organizationsPerUser: 2 } });
        const { alice, asAlice } = await acme(w);
        await w.organization(alice, "acme-2", "Acme Two");
        const other = await w.another();
        const asMe = w.orgkit.as({ userId: alice.id });
        for (let round = 0; round < 5; round++) {
          const id = `race-${round}`;
          await asMe.apps.create({ id, name: id });
          const outcomes = await Promise.allSettled([
            asMe.apps.transfer(alice.id, id, { organizationId: "acme" }),
            other.as({ userId: alice.id }).apps.transfer(alice.id, id, { organizationId: "acme-2" }),
          ]);
          const won = outcomes.filter((o) => o.status === "fulfilled");
          expect(won).toHaveLength(1);
          const lost = outcomes.find((o) => o.status === "rejected");
          expect(lost && isOrgKitError(lost.reason, "NOT_FOUND")).toBe(true);
          const inAcme = (await asAlice.apps.list("acme", { limit: 100 })).items.some((a) => a.id === id);
          const inAcme2 = (await asMe.apps.list("acme-2", { limit: 100 })).items.some((a) => a.id === id);
          expect([inAcme, inAcme2].filter(Boolean)).toHaveLength(1);
        }
        const dump = await w.dump();
        expect((dump.apps as { id: string }[]).filter((a) => a.id.startsWith("race-"))).toHaveLength(5);
      });
    });
  });
}
