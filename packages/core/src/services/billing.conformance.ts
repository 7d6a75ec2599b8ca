import { describe, expect, it } from "vitest";
import { isOrgKitError } from "../errors.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  type World,
} from "../testing/harness.js";

const DAY = 24 * 60 * 60 * 1000;

/**
 * Acme in January 2026 (the test clock starts on the 5th): Alice admin, Bob org_contributor in
 * team "vision", Carol org_user, Fay financial manager; one org app; prices from 2026-01.
 */
async function acme(w: World) {
  const alice = await w.user("Alice");
  const bob = await w.user("Bob");
  const carol = await w.user("Carol");
  const fay = await w.user("Fay");
  await w.organization(alice, "acme", "Acme");
  await w.join("acme", alice, bob, "org_contributor");
  await w.join("acme", alice, carol, "org_user");
  await w.join("acme", alice, fay, "financial_manager");
  const asAlice = w.orgkit.as({ userId: alice.id });
  await asAlice.apps.create({ id: "support", name: "Support", ownerId: "acme" });
  await asAlice.teams.create("acme", { id: "vision", name: "Vision" });
  await asAlice.teams.addMembers("acme", "vision", [bob.id]);
  const system = w.orgkit.system();
  await system.billing.setPrice({
    meter: "model.predict",
    effectiveFrom: "2026-01",
    tiers: [
      { upTo: 10, amount: 100 },
      { upTo: null, amount: 50 },
    ],
  });
  await system.billing.setPrice({
    meter: "model.train",
    effectiveFrom: "2026-01",
    tiers: [{ upTo: null, amount: 1000 }],
  });
  const jan = (day: number) => new Date(Date.UTC(2026, 0, day, 12));
  await system.usage.record([
    {
      idempotencyKey: "b1",
      meter: "model.predict",
      quantity: 5,
      userId: bob.id,
      appId: "acme/support",
      at: jan(2),
    },
    {
      idempotencyKey: "b2",
      meter: "model.predict",
      quantity: 3,
      userId: bob.id,
      appId: "acme/support",
      at: jan(3),
    },
    { idempotencyKey: "c1", meter: "model.predict", quantity: 6, userId: carol.id, at: jan(4) },
    {
      idempotencyKey: "t1",
      meter: "model.train",
      quantity: 1,
      userId: bob.id,
      appId: "acme/support",
      at: jan(4),
    },
  ]);
  return { alice, bob, carol, fay, asAlice, system, asFay: w.orgkit.as({ userId: fay.id }) };
}

const JANUARY = {
  organizationId: "acme",
  period: "2026-01",
  currency: "USD",
  // Predictions: 14 units, 10 x 100 + 4 x 50 = 1200, split 8:6 by largest remainder (686 + 514).
  lines: [
    { meter: "model.predict", unit: "prediction", quantity: 8, amount: 686 },
    { meter: "model.train", unit: "training", quantity: 1, amount: 1000 },
    { meter: "model.predict", unit: "prediction", quantity: 6, amount: 514 },
  ],
  meters: [
    { meter: "model.predict", unit: "prediction", quantity: 14, amount: 1200, priced: true },
    { meter: "model.train", unit: "training", quantity: 1, amount: 1000, priced: true },
  ],
  teams: [{ teamId: "vision", amount: 1686 }],
  apps: [
    { appId: "acme/support", amount: 1686 },
    { appId: null, amount: 514 },
  ],
  total: 2200,
};

/** Conformance: billing accounts, the price book, statements, closing periods, member activity. */
export function billingConformance(harness: ConformanceHarness): void {
  describe("billing", () => {
    it("gives every organization a billing account: billing email from creation, consolidated, USD, monthly", async () => {
      const w = await createWorld(harness);
      const { asAlice, asFay, bob } = await acme(w);
      expect(await asAlice.billing.getAccount("acme")).toEqual({
        organizationId: "acme",
        billingEmail: "billing-1@example.test",
        consolidated: true,
        currency: "USD",
        period: "month",
      });
      // A financial manager manages billing; an org user does not see it.
      expect(await asFay.billing.updateAccount("acme", { billingEmail: "AP@Acme.test" })).toMatchObject({
        billingEmail: "ap@acme.test",
      });
      await expectFailsCleanly(
        w,
        () => w.orgkit.as({ userId: bob.id }).billing.getAccount("acme"),
        "FORBIDDEN",
      );
      await expectFailsCleanly(
        w,
        () => asFay.billing.updateAccount("acme", { currency: "dollars" }),
        "VALIDATION_FAILED",
        "currency",
      );
      const eve = await w.user("Eve");
      await expectOrgKitError(w.orgkit.as({ userId: eve.id }).billing.getAccount("acme"), "NOT_FOUND");
      const audit = await asAlice.audit.query("acme", { action: "BILLING_ACCOUNT_UPDATE" });
      expect(audit.items[0]).toMatchObject({
        before: { billingEmail: "billing-1@example.test" },
        after: { billingEmail: "ap@acme.test" },
      });
    });

    it("states a period per member x meter with totals per member, meter, team and app, in integer minor units", async () => {
      const w = await createWorld(harness);
      const { bob, carol, asFay } = await acme(w);
      const statement = await asFay.billing.statement("acme", "2026-01");
      expect(statement).toEqual({
        ...JANUARY,
        status: "open",
        closedAt: null,
        lines: [
          { userId: bob.id, ...JANUARY.lines[0] },
          { userId: bob.id, ...JANUARY.lines[1] },
          { userId: carol.id, ...JANUARY.lines[2] },
        ],
        members: [
          { userId: bob.id, amount: 1686 },
          { userId: carol.id, amount: 514 },
        ],
      });
      const csv = await asFay.billing.exportStatement("acme", "2026-01");
      expect(csv.split("\n")).toEqual([
        "period,currency,userId,meter,unit,quantity,amount",
        `2026-01,USD,${bob.id},model.predict,prediction,8,686`,
        `2026-01,USD,${bob.id},model.train,training,1,1000`,
        `2026-01,USD,${carol.id},model.predict,prediction,6,514`,
        "2026-01,USD,TOTAL,,,,2200",
        "",
      ]);
      expect((await asFay.billing.statement("acme", "2025-12")).total).toBe(0);
      await expectOrgKitError(asFay.billing.statement("acme", "2026-13"), "VALIDATION_FAILED", "period");
      await expectOrgKitError(asFay.billing.statement("acme", "January"), "VALIDATION_FAILED", "period");
      await expectOrgKitError(
        w.orgkit.as({ userId: bob.id }).billing.statement("acme", "2026-01"),
        "FORBIDDEN",
      );
    });

    it("orders a close and a usage batch of its period that race: the batch is counted or refused, never lost", async () => {
      const w = await createWorld(harness);
      const { bob, asFay, system } = await acme(w);
      w.clock.advance(30 * DAY); // February 4th: January has ended.
      const late = Array.from({ length: 3000 }, (_, i) => ({
        idempotencyKey: `race-${i}`,
        meter: "model.predict",
        quantity: 1,
        userId: bob.id,
        at: new Date(Date.UTC(2026, 0, 31, 12)),
      }));
      const recording = system.usage.record(late).then(
        (r) => r.recorded,
        (e: unknown) => (isOrgKitError(e) && e.code === "PERIOD_CLOSED" ? 0 : Promise.reject(e)),
      );
      // The close starts while the batch is being written.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const closed = await asFay.billing.closePeriod("acme", "2026-01");
      const recorded = await recording;
      const cells = await w.storage.usage.periodCells("acme", "2026-01");
      const predicted = cells.filter((c) => c.meter === "model.predict").reduce((n, c) => n + c.sum, 0);
      // Whatever the order, the frozen statement counts exactly what January holds.
      expect(closed.meters.find((m) => m.meter === "model.predict")?.quantity).toBe(predicted);
      expect([0, 3000]).toContain(recorded);
    });

    it("freezes a closed period's statement: later prices and late events never change it", async () => {
      const w = await createWorld(harness);
      const { bob, asAlice, asFay, system } = await acme(w);
      await expectFailsCleanly(
        w,
        () => asFay.billing.closePeriod("acme", "2026-01"),
        "VALIDATION_FAILED",
        "period",
      );
      w.clock.advance(30 * DAY); // February 4th.
      const closed = await asFay.billing.closePeriod("acme", "2026-01");
      expect(closed).toMatchObject({ status: "closed", total: 2200 });
      await expectFailsCleanly(
        w,
        () => asFay.billing.closePeriod("acme", "2026-01"),
        "PERIOD_CLOSED",
        "period",
      );
      // A price for a past period is refused; one for February leaves January alone.
      await expectFailsCleanly(
        w,
        () =>
          system.billing.setPrice({
            meter: "model.train",
            effectiveFrom: "2026-01",
            tiers: [{ upTo: null, amount: 1 }],
          }),
        "VALIDATION_FAILED",
        "effectiveFrom",
      );
      await system.billing.setPrice({
        meter: "model.train",
        effectiveFrom: "2026-02",
        tiers: [{ upTo: null, amount: 1 }],
      });
      await expectFailsCleanly(
        w,
        () =>
          system.usage.record({
            idempotencyKey: "late",
            meter: "model.predict",
            quantity: 1,
            userId: bob.id,
            at: new Date(Date.UTC(2026, 0, 20)),
          }),
        "PERIOD_CLOSED",
        "events.0.at",
      );
      await system.usage.record({ idempotencyKey: "feb", meter: "model.train", quantity: 2, userId: bob.id });
      expect(await asFay.billing.statement("acme", "2026-01")).toEqual(closed);
      expect((await asFay.billing.statement("acme", "2026-02")).total).toBe(2);
      expect((await asAlice.audit.query("acme", { action: "BILLING_PERIOD_CLOSE" })).items).toHaveLength(1);
      expect(await w.orgkit.as({ userId: bob.id }).billing.prices()).toEqual([
        expect.objectContaining({ meter: "model.predict", effectiveFrom: "2026-01" }),
        expect.objectContaining({ meter: "model.train", effectiveFrom: "2026-01" }),
        expect.objectContaining({ meter: "model.train", effectiveFrom: "2026-02" }),
      ]);
      await expectFailsCleanly(
        w,
        () =>
          asAlice.billing.setPrice({
            meter: "model.train",
            effectiveFrom: "2026-03",
            tiers: [{ upTo: null, amount: 1 }],
          }),
        "FORBIDDEN",
      );
    });

    it("shows per member usage and actions to admins and financial managers, and each member their own only", async () => {
      const w = await createWorld(harness);
      const { bob, carol, asFay } = await acme(w);
      const range = { from: new Date(Date.UTC(2026, 0, 1)), to: new Date(Date.UTC(2026, 1, 1)) };
      const all = await asFay.billing.activity("acme", range);
      const bobs = all.find((a) => a.userId === bob.id);
      expect(bobs?.usage).toEqual([
        { meter: "model.predict", unit: "prediction", quantity: 8, events: 2 },
        { meter: "model.train", unit: "training", quantity: 1, events: 1 },
      ]);
      expect(bobs?.actions).toMatchObject({ ORGANIZATION_INVITATION_ACCEPT: 1, ORGANIZATION_MEMBER_ADD: 1 });
      const asBob = w.orgkit.as({ userId: bob.id });
      expect(
        (await asBob.billing.activity("acme", { ...range, userId: bob.id })).map((a) => a.userId),
      ).toEqual([bob.id]);
      await expectOrgKitError(asBob.billing.activity("acme", { ...range, userId: carol.id }), "FORBIDDEN");
      await expectOrgKitError(asBob.billing.activity("acme", range), "FORBIDDEN");
      await expectOrgKitError(
        asFay.billing.activity("acme", { from: range.to, to: range.from }),
        "VALIDATION_FAILED",
        "from",
      );
    });
  });
}
