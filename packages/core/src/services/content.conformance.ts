import { describe, expect, it } from "vitest";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
} from "../testing/harness.js";
import { acme } from "./teams.conformance.js";

const TRAINING = [
  ["my card was charged twice", "billing"],
  ["refund the duplicate charge on my invoice", "billing"],
  ["the invoice amount is wrong", "billing"],
  ["I was billed after cancelling", "billing"],
  ["the app crashes when I open it", "bug"],
  ["error 500 when saving a file", "bug"],
  ["the page is blank after login and crashes", "bug"],
  ["button does nothing, console shows an error", "bug"],
] as const;

/** Conformance: models, workflows, inputs, stars, training and prediction. */
export function contentConformance(harness: ConformanceHarness): void {
  describe("app content", () => {
    it("creates, searches, edits and deletes models of a closed list of types", async () => {
      const w = await createWorld(harness);
      const { asAlice } = await acme(w);
      await asAlice.apps.create({ id: "support", name: "Support" });
      await asAlice.models.create("acme", "support", {
        id: "triage",
        name: "Triage",
        type: "text-classifier",
        conceptIds: ["bug"],
      });
      await asAlice.models.create("acme", "support", { id: "embed", name: "Embedder", type: "embedder" });
      await expectFailsCleanly(
        w,
        () => asAlice.models.create("acme", "support", { id: "x", type: "oracle" as never }),
        "VALIDATION_FAILED",
        "type",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.models.create("acme", "support", { id: "triage", type: "embedder" }),
        "CONFLICT",
        "id",
      );
      expect((await asAlice.models.list("acme", "support")).items.map((m) => m.id)).toEqual([
        "embed",
        "triage",
      ]);
      expect(
        (await asAlice.models.list("acme", "support", { search: "tri" })).items.map((m) => m.id),
      ).toEqual(["triage"]);
      const page = await asAlice.models.list("acme", "support", { limit: 1 });
      expect(
        (await asAlice.models.list("acme", "support", { limit: 1, cursor: page.nextCursor! })).items[0]!.id,
      ).toBe("triage");
      expect(
        await asAlice.models.update("acme", "support", "triage", {
          visibility: "public",
          name: "Ticket triage",
        }),
      ).toMatchObject({
        visibility: "public",
        name: "Ticket triage",
      });
      expect(await asAlice.inputs.concepts("acme", "support")).toEqual(["bug"]);
      await asAlice.models.delete("acme", "support", "embed");
      await expectOrgKitError(asAlice.models.get("acme", "support", "embed"), "NOT_FOUND", "modelId");
    });

    it("validates workflow graphs as DAGs of the app's models, versions them and duplicates them", async () => {
      const w = await createWorld(harness);
      const { asAlice } = await acme(w);
      await asAlice.apps.create({ id: "support", name: "Support" });
      await asAlice.apps.create({ id: "other", name: "Other" });
      await asAlice.models.create("acme", "support", { id: "triage", type: "text-classifier" });
      await asAlice.models.create("acme", "support", { id: "embed", type: "embedder" });
      await asAlice.models.create("acme", "other", { id: "foreign", type: "embedder" });
      const nodes = [
        { id: "a", modelId: "triage" },
        { id: "b", modelId: "embed" },
      ];
      await expectFailsCleanly(
        w,
        () =>
          asAlice.workflows.create("acme", "support", {
            id: "loop",
            graph: {
              nodes,
              edges: [
                { from: "a", to: "b" },
                { from: "b", to: "a" },
              ],
            },
          }),
        "VALIDATION_FAILED",
        "graph.edges.0",
      );
      await expectFailsCleanly(
        w,
        () =>
          asAlice.workflows.create("acme", "support", {
            id: "self",
            graph: { nodes, edges: [{ from: "b", to: "b" }] },
          }),
        "VALIDATION_FAILED",
        "graph.edges.0",
      );
      await expectFailsCleanly(
        w,
        () =>
          asAlice.workflows.create("acme", "support", {
            id: "dangling",
            graph: { nodes, edges: [{ from: "a", to: "zzz" }] },
          }),
        "VALIDATION_FAILED",
        "graph.edges.0.to",
      );
      await expectFailsCleanly(
        w,
        () =>
          asAlice.workflows.create("acme", "support", {
            id: "foreign",
            graph: { nodes: [{ id: "a", modelId: "foreign" }] },
          }),
        "VALIDATION_FAILED",
        "graph.nodes.0.modelId",
      );
      await expectFailsCleanly(
        w,
        () =>
          asAlice.workflows.create("acme", "support", {
            id: "twice",
            graph: { nodes: [nodes[0]!, { id: "a", modelId: "embed" }] },
          }),
        "VALIDATION_FAILED",
        "graph.nodes.1.id",
      );
      const flow = await asAlice.workflows.create("acme", "support", {
        id: "route",
        graph: { nodes, edges: [{ from: "a", to: "b" }] },
      });
      expect(flow.version).toBe(1);
      const edited = await asAlice.workflows.update("acme", "support", "route", {
        graph: { nodes: [nodes[0]!] },
      });
      expect(edited.version).toBe(2);
      expect((await asAlice.workflows.listVersions("acme", "support", "route")).map((v) => v.number)).toEqual(
        [2, 1],
      );
      const copy = await asAlice.workflows.duplicate("acme", "support", "route", { id: "route-copy" });
      expect(copy.graph).toEqual(edited.graph);
      expect(
        (await asAlice.workflows.list("acme", "support", { search: "copy" })).items.map((x) => x.id),
      ).toEqual(["route-copy"]);
      await asAlice.workflows.delete("acme", "support", "route-copy");
      expect((await asAlice.workflows.list("acme", "support")).items.map((x) => x.id)).toEqual(["route"]);
    });

    it("refuses a NUL anywhere in the text it is given, naming the field, on every engine", async () => {
      const w = await createWorld(harness);
      const { asAlice } = await acme(w);
      await asAlice.apps.create({ id: "support", name: "Support" });
      await expectFailsCleanly(
        w,
        () =>
          asAlice.inputs.add("acme", "support", [
            { id: "t1", text: "fine" },
            { id: "t2", text: "a\u0000b" },
          ]),
        "VALIDATION_FAILED",
        "inputs.1.text",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.apps.update("acme", "support", { description: "x\u0000" }),
        "VALIDATION_FAILED",
        "description",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.organizations.update("acme", { description: "\u0000" }),
        "VALIDATION_FAILED",
        "description",
      );
    });

    it("adds text and URL inputs with concepts and searches them by concept or text", async () => {
      const w = await createWorld(harness);
      const { asAlice } = await acme(w);
      await asAlice.apps.create({ id: "support", name: "Support" });
      await asAlice.inputs.add("acme", "support", [
        { id: "t1", text: "Card charged twice", conceptIds: ["billing"] },
        { id: "u1", url: "https://example.test/crash.png", conceptIds: ["bug", "ui"] },
      ]);
      w.clock.advance(1000);
      await asAlice.inputs.add("acme", "support", [
        { id: "t2", text: "Refund please", conceptIds: ["billing"] },
      ]);
      await expectFailsCleanly(
        w,
        () => asAlice.inputs.add("acme", "support", [{ id: "x" }]),
        "VALIDATION_FAILED",
        "inputs.0.text",
      );
      await expectFailsCleanly(
        w,
        () => asAlice.inputs.add("acme", "support", [{ id: "t1", text: "again" }]),
        "CONFLICT",
        "inputs",
      );
      const ids = async (query: object) =>
        (await asAlice.inputs.list("acme", "support", query)).items.map((i) => i.id);
      expect(await ids({})).toEqual(["t2", expect.any(String), expect.any(String)]);
      expect(await ids({ conceptId: "billing" })).toEqual(["t2", "t1"]);
      expect(await ids({ search: "CRASH" })).toEqual(["u1"]);
      expect(await ids({ conceptId: "billing", search: "refund" })).toEqual(["t2"]);
      const first = await asAlice.inputs.list("acme", "support", { limit: 2 });
      expect(
        (await asAlice.inputs.list("acme", "support", { limit: 2, cursor: first.nextCursor! })).items,
      ).toHaveLength(1);
      expect(await asAlice.inputs.concepts("acme", "support")).toEqual(["billing", "bug", "ui"]);
      expect(await asAlice.inputs.get("acme", "support", "u1")).toEqual({
        id: "u1",
        text: null,
        url: "https://example.test/crash.png",
        conceptIds: ["bug", "ui"],
        createdAt: expect.any(Date),
      });
      await asAlice.inputs.delete("acme", "support", "t1");
      expect(await ids({ conceptId: "billing" })).toEqual(["t2"]);
      await expectOrgKitError(asAlice.inputs.get("acme", "support", "t1"), "NOT_FOUND", "inputId");
    });

    it("stars models and workflows into a per-user starred list", async () => {
      const w = await createWorld(harness);
      const { asAlice, carol } = await acme(w);
      await asAlice.apps.create({ id: "support", name: "Support" });
      await asAlice.models.create("acme", "support", { id: "triage", type: "text-classifier" });
      await asAlice.workflows.create("acme", "support", {
        id: "route",
        graph: { nodes: [{ id: "a", modelId: "triage" }] },
      });
      await asAlice.stars.star("acme", "support", { kind: "model", id: "triage" });
      w.clock.advance(1000);
      await asAlice.stars.star("acme", "support", { kind: "workflow", id: "route" });
      await asAlice.stars.star("acme", "support", { kind: "workflow", id: "route" });
      expect((await asAlice.stars.list()).items.map((s) => [s.kind, s.id])).toEqual([
        ["workflow", "route"],
        ["model", "triage"],
      ]);
      const page = await asAlice.stars.list({ limit: 1 });
      expect(
        (await asAlice.stars.list({ limit: 1, cursor: page.nextCursor! })).items.map((s) => s.id),
      ).toEqual(["triage"]);
      expect((await w.orgkit.as({ userId: carol.id }).stars.list()).items).toEqual([]);
      await expectFailsCleanly(
        w,
        () => asAlice.stars.star("acme", "support", { kind: "model", id: "nope" }),
        "NOT_FOUND",
        "id",
      );
      await asAlice.stars.unstar("acme", "support", { kind: "model", id: "triage" });
      expect((await asAlice.stars.list()).items.map((s) => s.id)).toEqual(["route"]);
      await asAlice.models.delete("acme", "support", "triage");
      expect((await w.dump()).stars).toHaveLength(1);
    });

    it("trains naive Bayes on the app's text inputs and predicts, each call recording a usage event", async () => {
      const w = await createWorld(harness);
      const { asAlice, carol } = await acme(w);
      await asAlice.apps.create({ id: "support", name: "Support" });
      await asAlice.models.create("acme", "support", { id: "triage", type: "text-classifier" });
      await expectOrgKitError(
        asAlice.models.predict("acme", "support", "triage", { text: "hello" }),
        "MODEL_NOT_TRAINED",
        "modelId",
      );
      // Too little to learn from: nothing written.
      await expectFailsCleanly(
        w,
        () => asAlice.models.train("acme", "support", "triage"),
        "VALIDATION_FAILED",
        "inputs",
      );
      await asAlice.inputs.add(
        "acme",
        "support",
        TRAINING.map(([text, concept]) => ({ text, conceptIds: [concept] })),
      );
      const version = await asAlice.models.train("acme", "support", "triage", { idempotencyKey: "train-1" });
      expect(version).toMatchObject({ number: 1, status: "trained", metrics: { concepts: 2, examples: 8 } });
      const billing = await asAlice.models.predict("acme", "support", "triage", {
        text: "please refund this charge",
      });
      expect(billing[0]!.conceptId).toBe("billing");
      expect(billing.reduce((sum, p) => sum + p.value, 0)).toBeCloseTo(1, 9);
      const bug = await asAlice.models.predict("acme", "support", "triage", {
        text: "it crashes with an error",
      });
      expect(bug[0]!.conceptId).toBe("bug");
      // An org user may predict but not train.
      const asCarol = w.orgkit.as({ userId: carol.id });
      expect(
        (
          await asCarol.models.predict("acme", "support", "triage", {
            text: "invoice wrong",
            idempotencyKey: "p-1",
          })
        )[0]!.conceptId,
      ).toBe("billing");
      await asCarol.models.predict("acme", "support", "triage", {
        text: "invoice wrong",
        idempotencyKey: "p-1",
      });
      await expectFailsCleanly(w, () => asCarol.models.train("acme", "support", "triage"), "FORBIDDEN");
      const events = (await w.dump()).usage_events as {
        meter: string;
        billed_account_id: string;
        idempotency_key: string;
      }[];
      expect(events.map((e) => e.meter).sort()).toEqual([
        "model.predict",
        "model.predict",
        "model.predict",
        "model.train",
      ]);
      expect(new Set(events.map((e) => e.billed_account_id))).toEqual(new Set(["acme"]));
      expect((await asAlice.models.listVersions("acme", "support", "triage")).map((v) => v.number)).toEqual([
        1,
      ]);
      // A type without a runner is refused before anything is written.
      await asAlice.models.create("acme", "support", { id: "detector", type: "visual-detector" });
      await expectFailsCleanly(
        w,
        () => asAlice.models.train("acme", "support", "detector"),
        "MODEL_TYPE_UNSUPPORTED",
        "modelId",
      );
    });
  });
}
