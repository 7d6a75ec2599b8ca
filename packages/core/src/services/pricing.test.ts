import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MeterAggregation, MeterRecord, PriceRecord } from "../storage/billing-store.js";
import type { UsageCell } from "../storage/usage-store.js";
import { allocate, priceAmount, priceCells, pricesInEffect } from "./pricing.js";

const at = new Date(Date.UTC(2026, 0, 1));

function meter(id: string, aggregation: MeterAggregation): MeterRecord {
  return { id, name: id, unit: "unit", aggregation, createdAt: at, updatedAt: at };
}

function price(meterId: string, tiers: PriceRecord["tiers"], per = 1, effectiveFrom = at): PriceRecord {
  return { meter: meterId, currency: "USD", effectiveFrom, per, tiers, createdAt: at };
}

function cell(
  userKey: string | null,
  meterId: string,
  appKey: string | null,
  values: { sum?: number; count?: number; max?: number; last?: number; lastAt?: number; lastKey?: string },
): UsageCell {
  return {
    accountId: "acme",
    bucket: "2026-01",
    userKey,
    meter: meterId,
    appKey,
    sum: values.sum ?? 0,
    count: values.count ?? 0,
    max: values.max ?? 0,
    last: values.last ?? 0,
    lastAt: values.lastAt ?? 0,
    lastKey: values.lastKey ?? "",
  };
}

describe("priceAmount", () => {
  it("charges each tier its own rate (graduated), per `per` units, rounding half up once", () => {
    const tiers = [
      { upTo: 10, amount: 100 },
      { upTo: null, amount: 50 },
    ];
    expect(priceAmount({ per: 1, tiers }, 0)).toBe(0);
    expect(priceAmount({ per: 1, tiers }, 10)).toBe(1000);
    expect(priceAmount({ per: 1, tiers }, 12)).toBe(1100);
    // 1,500 units at 1 per thousand is 1.5 → 2; 1,499 is 1.499 → 1.
    expect(priceAmount({ per: 1000, tiers: [{ upTo: null, amount: 1 }] }, 1500)).toBe(2);
    expect(priceAmount({ per: 1000, tiers: [{ upTo: null, amount: 1 }] }, 1499)).toBe(1);
    expect(
      priceAmount(
        {
          per: 1000,
          tiers: [
            { upTo: 10_000, amount: 120 },
            { upTo: null, amount: 100 },
          ],
        },
        15_000,
      ),
    ).toBe(1700);
  });

  it("stays exact past 2^53 in the intermediate product", () => {
    // 9e15 units at 7 minor units each: 6.3e16 overflows a double's integers, not a bigint.
    expect(priceAmount({ per: 1000, tiers: [{ upTo: null, amount: 7 }] }, 9_000_000_000_000_000)).toBe(
      63_000_000_000_000,
    );
  });
});

describe("allocate", () => {
  it("splits a total in proportion, the parts always adding up to it (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 30 }),
        (total, weights) => {
          const parts = allocate(total, weights);
          const sum = weights.reduce((a, b) => a + b, 0);
          expect(parts).toHaveLength(weights.length);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(sum === 0 ? 0 : total);
          for (const [i, part] of parts.entries()) {
            expect(Number.isInteger(part)).toBe(true);
            // Never more than one unit away from the exact share.
            if (sum > 0) expect(Math.abs(part - (total * weights[i]!) / sum)).toBeLessThan(1);
          }
        },
      ),
    );
  });

  it("gives the leftover units to the largest remainders, ties to the earlier index", () => {
    expect(allocate(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(allocate(100, [1, 2])).toEqual([33, 67]);
  });
});

describe("priceCells", () => {
  const meters = new Map([
    ["calls", meter("calls", "count")],
    ["seats", meter("seats", "max")],
    ["storage", meter("storage", "last")],
  ]);
  const prices = new Map([
    ["calls", price("calls", [{ upTo: null, amount: 10 }])],
    ["seats", price("seats", [{ upTo: null, amount: 1000 }])],
    ["storage", price("storage", [{ upTo: null, amount: 3 }])],
  ]);
  const order = (userKey: string | null) => userKey ?? "";

  it("counts events for count meters, takes the largest for max and the latest for last", () => {
    const cells = [
      cell("bob", "calls", "app1", { count: 3, sum: 30 }),
      cell("bob", "calls", "app2", { count: 1, sum: 99 }),
      cell("bob", "seats", null, { max: 4, sum: 9 }),
      cell("bob", "seats", "app1", { max: 7, sum: 7 }),
      cell("bob", "storage", "app1", { last: 50, lastAt: 2000, lastKey: "a" }),
      cell("bob", "storage", "app2", { last: 20, lastAt: 3000, lastKey: "a" }),
      cell("carol", "storage", null, { last: 5, lastAt: 1000, lastKey: "z" }),
      cell("carol", "storage", "app1", { last: 8, lastAt: 1000, lastKey: "zz" }),
    ];
    const priced = priceCells(cells, meters, prices, order);
    const line = (user: string, m: string) => priced.lines.find((l) => l.userKey === user && l.meter === m);
    expect(line("bob", "calls")).toMatchObject({ quantity: 4, amount: 40 });
    expect(Object.fromEntries(line("bob", "calls")!.apps)).toEqual({ app1: 30, app2: 10 });
    expect(line("bob", "seats")).toMatchObject({ quantity: 7, amount: 7000 });
    // Bob's latest storage reading is app2's (later time); Carol's tie on time goes to the later key.
    expect(line("bob", "storage")).toMatchObject({ quantity: 20 });
    expect(line("carol", "storage")).toMatchObject({ quantity: 8 });
    expect(priced.meters.get("storage")).toEqual({ quantity: 28, amount: 84, priced: true });
    expect(priced.total).toBe(40 + 7000 + 84);
    // Every line's app split adds up to the line, and the lines to the total.
    for (const l of priced.lines) expect([...l.apps.values()].reduce((a, b) => a + b, 0)).toBe(l.amount);
    expect(priced.lines.reduce((a, l) => a + l.amount, 0)).toBe(priced.total);
  });

  it("lists an unpriced meter at zero, marked unpriced", () => {
    const priced = priceCells([cell("bob", "other", null, { sum: 5, count: 1 })], meters, prices, order);
    expect(priced.meters.get("other")).toEqual({ quantity: 5, amount: 0, priced: false });
    expect(priced.total).toBe(0);
  });
});

describe("pricesInEffect", () => {
  it("takes each meter's latest price not after the instant", () => {
    const jan = price("calls", [{ upTo: null, amount: 1 }], 1, new Date(Date.UTC(2026, 0, 1)));
    const mar = price("calls", [{ upTo: null, amount: 2 }], 1, new Date(Date.UTC(2026, 2, 1)));
    expect(pricesInEffect([mar, jan], new Date(Date.UTC(2026, 1, 15))).get("calls")).toBe(jan);
    expect(pricesInEffect([jan, mar], new Date(Date.UTC(2026, 2, 1))).get("calls")).toBe(mar);
    expect(pricesInEffect([mar], new Date(Date.UTC(2026, 1, 1))).has("calls")).toBe(false);
  });
});
