/**
 * Only the HTTP rows of the benchmark (`tsx --conditions=@orgkit/source src/http-main.ts`), on the
 * engines of ORGKIT_BENCH_ENGINES.
 */
import { createOrgKit } from "@orgkit/core";
import { postgresEngine, sqliteEngine } from "./engines.js";
import { httpBench, type OverheadRow, printOverhead } from "./http-bench.js";

const PG_URL = process.env.ORGKIT_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ENGINES = (process.env.ORGKIT_BENCH_ENGINES ?? "sqlite,postgres").split(",");

const rows: OverheadRow[] = [];
for (const name of ENGINES) {
  const engine = name === "postgres" ? await postgresEngine(PG_URL) : await sqliteEngine();
  try {
    // The limiter runs (its cost is part of each call) with limits the seeding does not reach.
    const unlimited = { limit: 1e9, windowSeconds: 3600 };
    const orgkit = createOrgKit({
      storage: engine.storage,
      baseUrl: "https://bench.test",
      passwordHashing: { ln: 10, r: 8, p: 1 },
      rateLimits: {
        signIn: { perAccount: unlimited, perAddress: unlimited },
        invitation: { perAccount: unlimited, perOrganization: unlimited },
        tokenCreation: { perAccount: unlimited },
      },
    });
    console.error(`[${name}] running...`);
    rows.push(...(await httpBench(name, orgkit)));
  } finally {
    await engine.dispose();
  }
}
console.log();
printOverhead(rows);
