/**
 * Only the billing rows of the benchmark (`tsx --conditions=@orgkit/source src/billing-main.ts`):
 * usage ingest, a month's statement and audit.verify, on the engines of ORGKIT_BENCH_ENGINES.
 */
import { createOrgKit } from "@orgkit/core";
import { billingBench } from "./billing-bench.js";
import { postgresEngine, sqliteEngine } from "./engines.js";
import { printTable, type Result } from "./measure.js";

const PG_URL = process.env.ORGKIT_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ENGINES = (process.env.ORGKIT_BENCH_ENGINES ?? "sqlite,postgres").split(",");

const all: Result[] = [];
for (const name of ENGINES) {
  const engine = name === "postgres" ? await postgresEngine(PG_URL) : await sqliteEngine();
  try {
    const orgkit = createOrgKit({
      storage: engine.storage,
      baseUrl: "https://bench.test",
      passwordHashing: { ln: 10, r: 8, p: 1 },
    });
    const owner = await orgkit.users.register({ email: "owner@bench.test", name: "Owner", id: "owner" });
    console.error(`[${name}] running...`);
    all.push(...(await billingBench(engine, orgkit, owner.id)));
  } finally {
    await engine.dispose();
  }
}
console.log();
printTable(all);
