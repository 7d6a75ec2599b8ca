/**
 * Pure billing arithmetic: graduated tiered prices in integer minor units, and statements built
 * from usage rollup cells. No floats touch money: amounts are computed with bigint and every
 * split (meter → member lines → apps) is a largest-remainder allocation, so the parts always add
 * up to the whole, on every engine alike.
 */
import type { MeterAggregation, MeterRecord, PriceRecord, PriceTier } from "../storage/billing-store.js";
import type { UsageCell } from "../storage/usage-store.js";

/**
 * The amount, in minor units, of `quantity` units under a graduated price: each tier's units
 * cost its `amount` per `per` units; the sum is rounded half up once, at the end.
 *
 * @example
 * ```ts
 * priceAmount({ per: 1000, tiers: [{ upTo: 10_000, amount: 120 }, { upTo: null, amount: 100 }] }, 15_000); // 1700
 * ```
 */
export function priceAmount(price: { per: number; tiers: readonly PriceTier[] }, quantity: number): number {
  let numerator = 0n;
  let floor = 0n;
  const q = BigInt(quantity);
  for (const tier of price.tiers) {
    const top = tier.upTo === null ? q : BigInt(tier.upTo) < q ? BigInt(tier.upTo) : q;
    if (top > floor) numerator += (top - floor) * BigInt(tier.amount);
    if (tier.upTo === null || BigInt(tier.upTo) >= q) break;
    floor = BigInt(tier.upTo);
  }
  const per = BigInt(price.per);
  return Number((numerator * 2n + per) / (2n * per));
}

/** Splits `total` over `weights` in proportion (largest remainder, ties to the earlier index). */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + BigInt(b), 0n);
  if (sum === 0n || total === 0) return weights.map(() => 0);
  const t = BigInt(total);
  const shares = weights.map((w) => (t * BigInt(w)) / sum);
  const remainders = weights.map((w, i) => ({ i, r: (t * BigInt(w)) % sum }));
  let left = Number(t - shares.reduce((a, b) => a + b, 0n));
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  const out = shares.map(Number);
  for (const { i } of remainders) {
    if (left <= 0) break;
    out[i]! += 1;
    left -= 1;
  }
  return out;
}

/** The quantity one cell contributes under an aggregation (its weight when splitting a line over apps). */
function cellQuantity(cell: UsageCell, aggregation: MeterAggregation): number {
  switch (aggregation) {
    case "sum":
      return cell.sum;
    case "count":
      return cell.count;
    case "max":
      return cell.max;
    case "last":
      return cell.last;
  }
}

/** One member × meter line with its per-app split, by internal keys. */
export interface PricedLine {
  readonly userKey: string | null;
  readonly meter: string;
  readonly quantity: number;
  readonly amount: number;
  /** The line's amount split over the apps it was used in (`null` key: outside an app). */
  readonly apps: ReadonlyMap<string | null, number>;
}

/** What {@link priceCells} computes. */
export interface PricedUsage {
  readonly lines: PricedLine[];
  /** Per meter: total quantity, amount, and whether a price applied. */
  readonly meters: ReadonlyMap<string, { quantity: number; amount: number; priced: boolean }>;
  readonly total: number;
}

/**
 * Prices a period's cells. A line's quantity is the meter's aggregation over the member's cells
 * (sum, count, max, or the latest value); a meter's quantity is the sum of its lines; the meter's
 * tiered price applies to that total (volume across the organization), and its amount is split
 * over the lines by quantity, then each line's over its apps.
 */
export function priceCells(
  cells: readonly UsageCell[],
  meters: ReadonlyMap<string, MeterRecord>,
  prices: ReadonlyMap<string, PriceRecord>,
  order: (userKey: string | null) => string,
): PricedUsage {
  const groups = new Map<string, { userKey: string | null; meter: string; cells: UsageCell[] }>();
  for (const cell of cells) {
    const id = `${cell.meter}\u0000${cell.userKey ?? ""}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { userKey: cell.userKey, meter: cell.meter, cells: [] };
      groups.set(id, group);
    }
    group.cells.push(cell);
  }
  const byMeter = new Map<string, { userKey: string | null; quantity: number; cells: UsageCell[] }[]>();
  for (const group of groups.values()) {
    const aggregation = meters.get(group.meter)?.aggregation ?? "sum";
    let quantity = 0;
    if (aggregation === "sum" || aggregation === "count") {
      for (const c of group.cells) quantity += cellQuantity(c, aggregation);
    } else if (aggregation === "max") {
      for (const c of group.cells) quantity = Math.max(quantity, c.max);
    } else {
      let latest: UsageCell | undefined;
      for (const c of group.cells) {
        if (
          latest === undefined ||
          c.lastAt > latest.lastAt ||
          (c.lastAt === latest.lastAt && c.lastKey > latest.lastKey)
        ) {
          latest = c;
        }
      }
      quantity = latest?.last ?? 0;
    }
    const list = byMeter.get(group.meter) ?? [];
    list.push({ userKey: group.userKey, quantity, cells: group.cells });
    byMeter.set(group.meter, list);
  }
  const lines: PricedLine[] = [];
  const meterTotals = new Map<string, { quantity: number; amount: number; priced: boolean }>();
  let total = 0;
  for (const meter of [...byMeter.keys()].sort()) {
    const list = byMeter.get(meter)!;
    list.sort((a, b) => cmp(order(a.userKey), order(b.userKey)));
    const aggregation = meters.get(meter)?.aggregation ?? "sum";
    const quantity = list.reduce((a, l) => a + l.quantity, 0);
    const price = prices.get(meter);
    const amount = price === undefined ? 0 : priceAmount(price, quantity);
    meterTotals.set(meter, { quantity, amount, priced: price !== undefined });
    total += amount;
    const shares = allocate(
      amount,
      list.map((l) => l.quantity),
    );
    list.forEach((line, i) => {
      const cellsByApp = [...line.cells].sort((a, b) => cmp(a.appKey ?? "", b.appKey ?? ""));
      const appShares = allocate(
        shares[i]!,
        cellsByApp.map((c) => cellQuantity(c, aggregation)),
      );
      const apps = new Map<string | null, number>();
      cellsByApp.forEach((c, j) => {
        apps.set(c.appKey, (apps.get(c.appKey) ?? 0) + appShares[j]!);
      });
      lines.push({ userKey: line.userKey, meter, quantity: line.quantity, amount: shares[i]!, apps });
    });
  }
  return { lines, meters: meterTotals, total };
}

/** Code-unit order, the same on every engine. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The price of each meter in effect at `at`: the latest one whose `effectiveFrom` is not after it. */
export function pricesInEffect(prices: readonly PriceRecord[], at: Date): Map<string, PriceRecord> {
  const out = new Map<string, PriceRecord>();
  for (const price of prices) {
    if (price.effectiveFrom.getTime() > at.getTime()) continue;
    const current = out.get(price.meter);
    if (current === undefined || current.effectiveFrom < price.effectiveFrom) out.set(price.meter, price);
  }
  return out;
}

/** The first instant of a `YYYY-MM` period (UTC). */
export function periodStart(period: string): Date {
  return new Date(`${period}-01T00:00:00.000Z`);
}

/** The first instant after a `YYYY-MM` period (UTC). */
export function periodEnd(period: string): Date {
  const start = periodStart(period);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}
