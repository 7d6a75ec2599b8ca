/** Timing helpers and the result table of `pnpm bench`. */

/** One measured operation. */
export interface Result {
  readonly engine: string;
  readonly operation: string;
  readonly opsPerSecond: number;
  readonly p50us: number;
  readonly p99us: number;
  readonly samples: number;
  /** The target from DESIGN.md §8 or the issue, when there is one. */
  readonly target?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Runs `op` `iterations` times in sequence (after `warmup` unmeasured runs) and reports
 * throughput and latency percentiles. `op` receives the iteration index.
 */
export async function measure(
  engine: string,
  operation: string,
  iterations: number,
  op: (i: number) => Promise<unknown>,
  options: { warmup?: number; target?: string } = {},
): Promise<Result> {
  const warmup = options.warmup ?? 0;
  for (let i = 0; i < warmup; i++) await op(i);
  const durations: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = warmup; i < warmup + iterations; i++) {
    const t0 = process.hrtime.bigint();
    await op(i);
    durations.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  durations.sort((a, b) => a - b);
  return {
    engine,
    operation,
    opsPerSecond: iterations / totalSeconds,
    p50us: percentile(durations, 50),
    p99us: percentile(durations, 99),
    samples: iterations,
    target: options.target,
  };
}

/**
 * For operations far below a microsecond of timer resolution: times batches of `batch` calls
 * and reports per-call figures from the batch means.
 */
export function measureSync(
  engine: string,
  operation: string,
  batches: number,
  batch: number,
  op: (i: number) => unknown,
  options: { target?: string } = {},
): Result {
  for (let i = 0; i < batch * 10; i++) op(i);
  const perCall: number[] = [];
  const started = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) op(i);
    perCall.push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  perCall.sort((a, b) => a - b);
  return {
    engine,
    operation,
    opsPerSecond: (batches * batch) / totalSeconds,
    p50us: percentile(perCall, 50),
    p99us: percentile(perCall, 99),
    samples: batches * batch,
    target: options.target,
  };
}

const fmt = (n: number, digits = 1) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "-";

/** Prints the results as an aligned text table. */
export function printTable(results: readonly Result[]): void {
  const header = ["engine", "operation", "ops/s", "p50 µs", "p99 µs", "n", "target"];
  const rows = results.map((r) => [
    r.engine,
    r.operation,
    fmt(r.opsPerSecond, 0),
    fmt(r.p50us, r.p50us < 10 ? 3 : 1),
    fmt(r.p99us, r.p99us < 10 ? 3 : 1),
    String(r.samples),
    r.target ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}
