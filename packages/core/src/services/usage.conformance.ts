import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { UsageCell, UsageEventRecord } from "../storage/usage-store.js";
import { usageDayOf, usagePeriodOf } from "../storage/usage-store.js";
import { type ConformanceHarness, createWorld, expectFailsCleanly, type World } from "../testing/harness.js";

const DAY = 24 * 60 * 60 * 1000;

/** Acme with Alice (admin) and Bob (org_user); Bob also has a personal app; Dave is on his own. */
async function acme(w: World) {
  const alice = await w.user("Alice");
  const bob = await w.user("Bob");
  const dave = await w.user("Dave");
  await w.organization(alice, "acme", "Acme");
  await w.join("acme", alice, bob, "org_user");
  await w.orgkit.as({ userId: alice.id }).apps.create({ id: "support", name: "Support", ownerId: "acme" });
  await w.orgkit.as({ userId: bob.id }).apps.create({ id: "sandbox", name: "Sandbox", ownerId: bob.id });
  return { alice, bob, dave, system: w.orgkit.system() };
}

/** Event `n` of a numbered series of predictions: key `prefix-000n`, quantity 1 + n mod `cycle`. */
function numberedPrediction(userId: string, prefix: string, cycle: number) {
  return (n: number) => ({
    idempotencyKey: `${prefix}-${String(n).padStart(4, "0")}`,
    meter: "model.predict",
    quantity: 1 + (n % cycle),
    userId,
  });
}

/** The total quantity of events 0 … count-1 of a {@link numberedPrediction} series. */
function numberedSum(count: number, cycle: number): number {
  let sum = 0;
  for (let n = 0; n < count; n++) sum += 1 + (n % cycle);
  return sum;
}

function billedTo(rows: unknown[]): Record<string, string> {
  return Object.fromEntries(
    (rows as { idempotency_key: string; billed_account_id: string }[]).map((r) => [
      r.idempotency_key,
      r.billed_account_id,
    ]),
  );
}

/** Recounts raw events into cells exactly as the rollups should hold them. */
function recount(
  events: readonly UsageEventRecord[],
  bucketOf: (at: Date) => string,
): Map<string, UsageCell> {
  const out = new Map<string, UsageCell>();
  for (const e of events) {
    const bucket = bucketOf(e.at);
    const id = [e.billedAccountId, bucket, e.userKey ?? "", e.meter, e.appKey ?? ""].join("|");
    const c = out.get(id);
    const at = e.at.getTime();
    if (c === undefined) {
      out.set(id, {
        accountId: e.billedAccountId,
        bucket,
        userKey: e.userKey,
        meter: e.meter,
        appKey: e.appKey,
        sum: e.quantity,
        count: 1,
        max: e.quantity,
        last: e.quantity,
        lastAt: at,
        lastKey: e.idempotencyKey,
      });
    } else {
      const later = at > c.lastAt || (at === c.lastAt && e.idempotencyKey > c.lastKey);
      out.set(id, {
        ...c,
        sum: c.sum + e.quantity,
        count: c.count + 1,
        max: Math.max(c.max, e.quantity),
        ...(later ? { last: e.quantity, lastAt: at, lastKey: e.idempotencyKey } : {}),
      });
    }
  }
  return out;
}

function keyed(cells: readonly UsageCell[]): Map<string, UsageCell> {
  return new Map(
    cells.map((c) => [[c.accountId, c.bucket, c.userKey ?? "", c.meter, c.appKey ?? ""].join("|"), c]),
  );
}

/** Conformance: usage events, routing, idempotency, rollups, bad input. */
export function usageConformance(harness: ConformanceHarness, propertyRuns = 10): void {
  describe("usage metering", () => {
    it("bills a member's usage, in the org's apps and in their own, to the organization while consolidated; else to them", async () => {
      const w = await createWorld(harness);
      const { alice, bob, dave, system } = await acme(w);
      expect(
        await system.usage.record([
          {
            idempotencyKey: "e1",
            meter: "model.predict",
            quantity: 1,
            userId: bob.id,
            appId: "acme/support",
          },
          {
            idempotencyKey: "e2",
            meter: "model.predict",
            quantity: 2,
            userId: bob.id,
            appId: `${bob.id}/sandbox`,
          },
          { idempotencyKey: "e3", meter: "model.predict", quantity: 3, userId: bob.id },
          { idempotencyKey: "e4", meter: "model.predict", quantity: 4, userId: dave.id },
        ]),
      ).toEqual({ recorded: 4, ignored: 0 });
      expect(billedTo((await w.dump()).usage_events!)).toEqual({
        e1: "acme",
        e2: "acme",
        e3: "acme",
        e4: dave.id,
      });
      // Consolidated billing off: members pay for themselves.
      await w.orgkit.as({ userId: alice.id }).billing.updateAccount("acme", { consolidated: false });
      await system.usage.record({
        idempotencyKey: "e5",
        meter: "model.predict",
        quantity: 1,
        userId: bob.id,
        appId: "acme/support",
      });
      await w.orgkit.as({ userId: alice.id }).billing.updateAccount("acme", { consolidated: true });
      // After Bob leaves, his usage is his own again.
      await w.orgkit.as({ userId: alice.id }).members.remove("acme", bob.id);
      await system.usage.record({
        idempotencyKey: "e6",
        meter: "model.predict",
        quantity: 1,
        userId: bob.id,
        appId: `${bob.id}/sandbox`,
      });
      const billed = billedTo((await w.dump()).usage_events!);
      expect([billed.e5, billed.e6]).toEqual([bob.id, bob.id]);
    });

    it("ignores a repeated idempotency key, across batches and within one, and keeps rollups right", async () => {
      const w = await createWorld(harness);
      const { bob, system } = await acme(w);
      const event = { idempotencyKey: "k1", meter: "model.predict", quantity: 5, userId: bob.id };
      expect(await system.usage.record([event, { ...event, quantity: 7 }])).toEqual({
        recorded: 1,
        ignored: 1,
      });
      expect(await system.usage.record(event)).toEqual({ recorded: 0, ignored: 1 });
      const dump = await w.dump();
      expect(dump.usage_events).toHaveLength(1);
      const period = usagePeriodOf(w.clock.now());
      expect(await w.storage.usage.periodCells("acme", period)).toEqual([
        expect.objectContaining({ sum: 5, count: 1, last: 5, lastKey: "k1" }),
      ]);
      const day = usageDayOf(w.clock.now());
      expect(await w.storage.usage.dailyCells("acme", { fromDay: day, toDay: day + DAY })).toEqual([
        expect.objectContaining({ sum: 5, count: 1 }),
      ]);
    });

    it("ignores the keys recorded before in a batch of several thousand, counting each event once", async () => {
      const w = await createWorld(harness);
      const { bob, system } = await acme(w);
      const event = numberedPrediction(bob.id, "bulk", 3);
      const first = Array.from({ length: 1500 }, (_, i) => event(i * 2));
      expect(await system.usage.record(first)).toEqual({ recorded: 1500, ignored: 0 });
      // Every other key is new, in the reverse order, and the last one is repeated.
      const second = Array.from({ length: 3000 }, (_, i) => event(2999 - i));
      expect(await system.usage.record([...second, event(1)])).toEqual({ recorded: 1500, ignored: 1501 });
      const dump = await w.dump();
      expect(dump.usage_events).toHaveLength(3000);
      const sum = numberedSum(3000, 3);
      expect(await w.storage.usage.periodCells("acme", usagePeriodOf(w.clock.now()))).toEqual([
        expect.objectContaining({ sum, count: 3000, max: 3 }),
      ]);
    });

    it("counts each key once when batches sharing keys, in opposite orders, arrive at the same time", async () => {
      const w = await createWorld(harness);
      const { bob, system } = await acme(w);
      const event = numberedPrediction(bob.id, "race", 5);
      // Keys 0..1199 and 400..1599, the second batch backwards: 800 keys in common.
      const a = Array.from({ length: 1200 }, (_, i) => event(i));
      const b = Array.from({ length: 1200 }, (_, i) => event(1599 - i));
      const results = await Promise.all([system.usage.record(a), system.usage.record(b)]);
      expect(results.reduce((n, r) => n + r.recorded, 0)).toBe(1600);
      expect(results.reduce((n, r) => n + r.ignored, 0)).toBe(800);
      const dump = await w.dump();
      expect(dump.usage_events).toHaveLength(1600);
      const sum = numberedSum(1600, 5);
      expect(await w.storage.usage.periodCells("acme", usagePeriodOf(w.clock.now()))).toEqual([
        expect.objectContaining({ sum, count: 1600, max: 5 }),
      ]);
    });

    it("never keeps an event whose rollup failed: the batch, events and rollups, is one transaction", async () => {
      const w = await createWorld(harness);
      const { bob, system } = await acme(w);
      await system.usage.record({
        idempotencyKey: "before",
        meter: "model.predict",
        quantity: 2,
        userId: bob.id,
      });
      // A fault in the rollup write, after the events of the batch went in: the database refuses
      // the daily cell of one meter.
      if (w.storage.capabilities.engine === "postgres") {
        await w.execute(
          "create function orgkit_test_fail_rollup() returns trigger as $$ begin if new.meter = 'model.train' then raise exception 'disk full'; end if; return new; end $$ language plpgsql",
        );
        await w.execute(
          "create trigger fail_rollup before insert on usage_daily for each row execute function orgkit_test_fail_rollup()",
        );
      } else {
        await w.execute(
          "create trigger fail_rollup before insert on usage_daily when new.meter = 'model.train' begin select raise(abort, 'disk full'); end",
        );
      }
      const before = await w.dump();
      await expect(
        system.usage.record([
          { idempotencyKey: "a", meter: "model.predict", quantity: 1, userId: bob.id },
          { idempotencyKey: "b", meter: "model.train", quantity: 1, userId: bob.id },
        ]),
      ).rejects.toThrow(/disk full/);
      expect(await w.dump()).toEqual(before);
      // The keys were not used up: once the fault is gone, the same batch records whole.
      await w.execute(
        w.storage.capabilities.engine === "postgres"
          ? "drop trigger fail_rollup on usage_daily"
          : "drop trigger fail_rollup",
      );
      expect(
        await system.usage.record([
          { idempotencyKey: "a", meter: "model.predict", quantity: 1, userId: bob.id },
          { idempotencyKey: "b", meter: "model.train", quantity: 1, userId: bob.id },
        ]),
      ).toEqual({ recorded: 2, ignored: 0 });
    });

    it("refuses bad input with a typed error naming the field, recording nothing", async () => {
      const w = await createWorld(harness);
      const { alice, bob, system } = await acme(w);
      const ok = { idempotencyKey: "ok", meter: "model.predict", quantity: 1, userId: bob.id };
      const cases: [unknown, string, string][] = [
        [{ ...ok, quantity: -1 }, "VALIDATION_FAILED", "events.1.quantity"],
        [{ ...ok, quantity: Number.NaN }, "VALIDATION_FAILED", "events.1.quantity"],
        [{ ...ok, quantity: Number.POSITIVE_INFINITY }, "VALIDATION_FAILED", "events.1.quantity"],
        [{ ...ok, quantity: 1.5 }, "VALIDATION_FAILED", "events.1.quantity"],
        [{ ...ok, meter: "gpu.hours" }, "VALIDATION_FAILED", "events.1.meter"],
        [{ ...ok, at: new Date(w.clock.now().getTime() + DAY) }, "VALIDATION_FAILED", "events.1.at"],
        [{ ...ok, userId: "nobody" }, "NOT_FOUND", "events.1.userId"],
        [{ ...ok, appId: "acme/nope" }, "NOT_FOUND", "events.1.appId"],
        [{ ...ok, appId: "not-a-path" }, "VALIDATION_FAILED", "events.1.appId"],
        [{ ...ok, idempotencyKey: "" }, "VALIDATION_FAILED", "events.1.idempotencyKey"],
      ];
      for (const [bad, code, param] of cases) {
        await expectFailsCleanly(
          w,
          () => system.usage.record([{ ...ok, idempotencyKey: "first" }, bad as typeof ok]),
          code as "VALIDATION_FAILED",
          param,
        );
      }
      await expectFailsCleanly(w, () => system.usage.record([]), "VALIDATION_FAILED", "events");
      // Recording is for trusted host code.
      await expectFailsCleanly(w, () => w.orgkit.as({ userId: alice.id }).usage.record(ok), "FORBIDDEN");
    });

    it("records train and predict through the guarded call, feeding the rollups", async () => {
      const w = await createWorld(harness);
      const { alice, bob } = await acme(w);
      const asAlice = w.orgkit.as({ userId: alice.id });
      await asAlice.models.create("acme", "support", { id: "triage", type: "text-classifier" });
      await asAlice.inputs.add("acme", "support", [
        { text: "my card was charged twice", conceptIds: ["billing"] },
        { text: "refund the invoice", conceptIds: ["billing"] },
        { text: "the app crashes", conceptIds: ["bug"] },
        { text: "error when saving", conceptIds: ["bug"] },
      ]);
      await asAlice.models.train("acme", "support", "triage");
      await w.orgkit.as({ userId: bob.id }).models.predict("acme", "support", "triage", { text: "refund" });
      const cells = await w.storage.usage.periodCells("acme", usagePeriodOf(w.clock.now()));
      expect(cells.map((c) => [c.meter, c.count]).sort()).toEqual([
        ["model.predict", 1],
        ["model.train", 1],
      ]);
    });

    it("keeps rollups equal to a recount of the raw events (property)", async () => {
      const w = await createWorld(harness);
      const { bob, dave, system } = await acme(w);
      await system.billing.setMeter({ id: "storage.gb", name: "Storage", unit: "GB", aggregation: "max" });
      await system.billing.setMeter({ id: "seats", name: "Seats", unit: "seat", aggregation: "last" });
      const start = w.clock.now().getTime() - 3 * DAY;
      let batchNo = 0;
      const event = fc.record({
        key: fc.integer({ min: 0, max: 60 }),
        meter: fc.constantFrom("model.predict", "storage.gb", "seats"),
        quantity: fc.integer({ min: 0, max: 1000 }),
        user: fc.constantFrom(bob.id, dave.id),
        app: fc.constantFrom(undefined, "acme/support", `${bob.id}/sandbox`),
        offset: fc.integer({ min: 0, max: 3 * DAY }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(event, { minLength: 1, maxLength: 25 }), { maxLength: 4 }),
          async (batches) => {
            batchNo += 1;
            for (const batch of batches) {
              await system.usage.record(
                batch.map((e) => ({
                  idempotencyKey: `p${batchNo}-${e.key}`,
                  meter: e.meter,
                  quantity: e.quantity,
                  userId: e.user,
                  ...(e.app ? { appId: e.app } : {}),
                  at: new Date(start + e.offset),
                })),
              );
            }
            const from = new Date(start - DAY);
            const to = new Date(start + 5 * DAY);
            for (const account of ["acme", bob.id, dave.id]) {
              const raw = await w.storage.usage.listForAccount(account, from, to, 1_000_000);
              const periods = new Set(raw.map((e) => usagePeriodOf(e.at)));
              const stored: UsageCell[] = [];
              for (const p of periods) stored.push(...(await w.storage.usage.periodCells(account, p)));
              expect(keyed(stored)).toEqual(recount(raw, (at) => usagePeriodOf(at)));
              const daily = await w.storage.usage.dailyCells(account, {
                fromDay: usageDayOf(from),
                toDay: usageDayOf(to) + DAY,
              });
              expect(keyed(daily)).toEqual(recount(raw, (at) => String(usageDayOf(at))));
            }
          },
        ),
        { numRuns: propertyRuns },
      );
    });
  });
}
