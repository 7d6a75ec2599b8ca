import { describe, expect, it } from "vitest";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  type World,
} from "../testing/harness.js";
import { type ModelRunner, naiveBayesRunner } from "./model-runner.js";

/** Acme with Alice (admin), Bob (org_contributor, team "vision"), Fay (financial manager); predictions at 100 each. */
async function acme(w: World) {
  const alice = await w.user("Alice");
  const bob = await w.user("Bob");
  const fay = await w.user("Fay");
  await w.organization(alice, "acme", "Acme");
  await w.join("acme", alice, bob, "org_contributor");
  await w.join("acme", alice, fay, "financial_manager");
  const asAlice = w.orgkit.as({ userId: alice.id });
  await asAlice.apps.create({ id: "support", name: "Support", ownerId: "acme" });
  await asAlice.teams.create("acme", { id: "vision", name: "Vision" });
  await asAlice.teams.addMembers("acme", "vision", [bob.id]);
  const system = w.orgkit.system();
  await system.billing.setPrice({
    meter: "model.predict",
    effectiveFrom: "2026-01",
    tiers: [{ upTo: null, amount: 100 }],
  });
  let n = 0;
  const predict = (userId: string, quantity: number) =>
    system.usage.record({ idempotencyKey: `u${++n}`, meter: "model.predict", quantity, userId });
  return { alice, bob, fay, asAlice, asFay: w.orgkit.as({ userId: fay.id }), system, predict };
}

/** Conformance: budgets on the organization, a team or a member; alerts; the hard stop. */
export function budgetsConformance(harness: ConformanceHarness): void {
  describe("budgets", () => {
    it("alerts at 75, 90 and 100 % once each per period, by mail to the billing email and in the audit log", async () => {
      const w = await createWorld(harness);
      const { asAlice, asFay, bob, predict } = await acme(w);
      const budget = await asFay.budgets.set("acme", {
        scope: { type: "team", teamId: "vision" },
        amount: 1000,
      });
      expect(budget).toMatchObject({
        scope: { type: "team", teamId: "vision" },
        amount: 1000,
        hardStop: false,
      });
      await predict(bob.id, 7);
      expect(w.mailer.sent.filter((m) => m.template === "budget-alert")).toHaveLength(0);
      await predict(bob.id, 1); // 800 = 80 %
      await predict(bob.id, 1); // 900 = 90 %
      await predict(bob.id, 0); // still 90 %: no repeat
      await predict(bob.id, 5); // 1400: past 100 %
      await predict(bob.id, 5);
      const alerts = w.mailer.sent.filter((m) => m.template === "budget-alert");
      expect(alerts.map((m) => [m.to, m.data.threshold])).toEqual([
        ["billing-1@example.test", 75],
        ["billing-1@example.test", 90],
        ["billing-1@example.test", 100],
      ]);
      expect(alerts[2]?.data).toMatchObject({
        scope: "team:vision",
        period: "2026-01",
        spent: 1400,
        amount: 1000,
      });
      const audited = await asAlice.audit.query("acme", { action: "BILLING_BUDGET_ALERT" });
      expect(audited.items.map((e) => (e.after as { threshold: number }).threshold)).toEqual([100, 90, 75]);
      expect(await asFay.budgets.list("acme")).toEqual([
        expect.objectContaining({ id: budget.id, spent: 1900, alerted: [75, 90, 100], blocked: false }),
      ]);
      // A soft budget never blocks.
      await predict(bob.id, 1);
    });

    it("with a hard stop, refuses billable actions with BUDGET_EXCEEDED until it is raised", async () => {
      const w = await createWorld(harness);
      const { alice, asAlice, asFay, bob, predict } = await acme(w);
      await asFay.budgets.set("acme", {
        scope: { type: "member", userId: bob.id },
        amount: 500,
        hardStop: true,
      });
      await predict(bob.id, 5);
      await expectFailsCleanly(w, () => predict(bob.id, 1), "BUDGET_EXCEEDED");
      // Others are not covered by Bob's budget.
      await predict(alice.id, 3);
      // The guarded model calls stop too.
      await asAlice.models.create("acme", "support", { id: "triage", type: "text-classifier" });
      await asAlice.inputs.add("acme", "support", [
        { text: "refund my card", conceptIds: ["billing"] },
        { text: "invoice is wrong", conceptIds: ["billing"] },
        { text: "the app crashes", conceptIds: ["bug"] },
        { text: "error on save", conceptIds: ["bug"] },
      ]);
      await asAlice.models.train("acme", "support", "triage");
      const asBob = w.orgkit.as({ userId: bob.id });
      await expectFailsCleanly(
        w,
        () => asBob.models.predict("acme", "support", "triage", { text: "refund" }),
        "BUDGET_EXCEEDED",
      );
      // Raising the budget lifts the stop.
      await asFay.budgets.set("acme", {
        scope: { type: "member", userId: bob.id },
        amount: 5000,
        hardStop: true,
      });
      await asBob.models.predict("acme", "support", "triage", { text: "refund" });
      // An organization budget with a hard stop covers everyone.
      const org = await asFay.budgets.set("acme", {
        scope: { type: "organization" },
        amount: 100,
        hardStop: true,
      });
      await expectOrgKitError(predict(alice.id, 1), "BUDGET_EXCEEDED");
      await asFay.budgets.delete("acme", org.id);
      await predict(alice.id, 1);
    });

    it("holds a team's hard stop to its members only, and starts every period afresh: stop lifted, alerts again", async () => {
      const w = await createWorld(harness);
      const { alice, asFay, bob, predict } = await acme(w);
      await asFay.budgets.set("acme", {
        scope: { type: "team", teamId: "vision" },
        amount: 300,
        hardStop: true,
      });
      await predict(bob.id, 3); // 300: the whole budget
      await expectFailsCleanly(w, () => predict(bob.id, 1), "BUDGET_EXCEEDED");
      await predict(alice.id, 2); // Alice is not in the team.
      const january = w.mailer.sent.filter((m) => m.template === "budget-alert");
      expect(january.map((m) => [m.data.period, m.data.threshold])).toEqual([["2026-01", 100]]);

      w.clock.advance(30 * 24 * 60 * 60 * 1000); // February 4th: a new period.
      await predict(bob.id, 1);
      expect((await asFay.budgets.list("acme"))[0]).toMatchObject({
        period: "2026-02",
        spent: 100,
        alerted: [],
        blocked: false,
      });
      await predict(bob.id, 2);
      await expectFailsCleanly(w, () => predict(bob.id, 1), "BUDGET_EXCEEDED");
      const alerts = w.mailer.sent.filter((m) => m.template === "budget-alert");
      expect(alerts.map((m) => [m.data.period, m.data.threshold])).toEqual([
        ["2026-01", 100],
        ["2026-02", 100],
      ]);
    });

    it("refuses training and prediction under a hard stop before the model runs", async () => {
      const inner = naiveBayesRunner();
      const runs: string[] = [];
      const runner: ModelRunner = {
        supports: (type) => inner.supports(type),
        train: (model, examples) => {
          runs.push("train");
          return inner.train(model, examples);
        },
        predict: (model, params, text) => {
          runs.push("predict");
          return inner.predict(model, params, text);
        },
      };
      const w = await createWorld(harness, { modelRunner: runner });
      const { asAlice, asFay, bob, predict } = await acme(w);
      await asAlice.models.create("acme", "support", { id: "triage", type: "text-classifier" });
      await asAlice.inputs.add("acme", "support", [
        { text: "refund my card", conceptIds: ["billing"] },
        { text: "the app crashes", conceptIds: ["bug"] },
      ]);
      await asAlice.models.train("acme", "support", "triage");
      expect(runs).toEqual(["train"]);
      await asFay.budgets.set("acme", {
        scope: { type: "member", userId: bob.id },
        amount: 100,
        hardStop: true,
      });
      await predict(bob.id, 1);
      const asBob = w.orgkit.as({ userId: bob.id });
      await expectFailsCleanly(w, () => asBob.models.train("acme", "support", "triage"), "BUDGET_EXCEEDED");
      await expectFailsCleanly(
        w,
        () => asBob.models.predict("acme", "support", "triage", { text: "refund" }),
        "BUDGET_EXCEEDED",
      );
      expect(runs).toEqual(["train"]);
    });

    it("refuses a budget without a scope, with an unknown scope, or from someone without billing:manage", async () => {
      const w = await createWorld(harness);
      const { asFay, bob } = await acme(w);
      await expectFailsCleanly(
        w,
        () => asFay.budgets.set("acme", { amount: 10 } as never),
        "VALIDATION_FAILED",
        "scope",
      );
      await expectFailsCleanly(
        w,
        () => asFay.budgets.set("acme", { scope: { type: "team" } as never, amount: 10 }),
        "VALIDATION_FAILED",
        "scope.teamId",
      );
      await expectFailsCleanly(
        w,
        () => asFay.budgets.set("acme", { scope: { type: "team", teamId: "nope" }, amount: 10 }),
        "NOT_FOUND",
        "scope.teamId",
      );
      await expectFailsCleanly(
        w,
        () => asFay.budgets.set("acme", { scope: { type: "organization" }, amount: -1 }),
        "VALIDATION_FAILED",
        "amount",
      );
      await expectFailsCleanly(
        w,
        () =>
          w.orgkit
            .as({ userId: bob.id })
            .budgets.set("acme", { scope: { type: "organization" }, amount: 10 }),
        "FORBIDDEN",
      );
    });
  });
}
