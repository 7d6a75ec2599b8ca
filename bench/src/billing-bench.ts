/**
 * Billing rows of `pnpm bench`: batched usage ingest, a month's statement over 1,000,000 events
 * for 1,000 members (from the rollups), and `audit.verify` over a 1,000,000-event chain.
 *
 * Environment: ORGKIT_BENCH_USAGE_EVENTS (default 1000000), ORGKIT_BENCH_AUDIT_EVENTS (default 1000000).
 */
import { randomUUID } from "node:crypto";
import {
  GENESIS_HASH,
  hashAuditEvent,
  type OrgKit,
  organizationAuditChain,
  usagePeriodOf,
} from "@orgkit/core";
import type { BenchEngine, SeedMember } from "./engines.js";
import { measure, type Result } from "./measure.js";

const USAGE_EVENTS = Number(process.env.ORGKIT_BENCH_USAGE_EVENTS ?? 1_000_000);
const AUDIT_EVENTS = Number(process.env.ORGKIT_BENCH_AUDIT_EVENTS ?? 1_000_000);
const MEMBERS = 1000;
const BATCH = 5000;

/** Runs the billing rows on one engine; `ownerId` is a registered user who creates the organization. */
export async function billingBench(engine: BenchEngine, orgkit: OrgKit, ownerId: string): Promise<Result[]> {
  const e = engine.name;
  const results: Result[] = [];
  await orgkit
    .as({ userId: ownerId })
    .organizations.create({ id: "billed", name: "Billed", billingEmail: "ap@bench.test" });
  const org = (await engine.storage.organizations.getById("billed"))!;
  const now = Date.now();
  const members: SeedMember[] = Array.from({ length: MEMBERS }, (_, i) => ({
    key: randomUUID(),
    id: `payer${i}`,
    email: `payer${i}@billed.test`,
    name: `Payer ${i}`,
    role: "org_contributor",
    at: now,
  }));
  await engine.seedMembers(org.key, members);
  const system = orgkit.system();
  await system.billing.setPrice({
    meter: "model.predict",
    effectiveFrom: usagePeriodOf(now),
    per: 1000,
    tiers: [
      { upTo: 500_000, amount: 120 },
      { upTo: null, amount: 90 },
    ],
  });
  // Every event in the current month so far, in time order (as events arrive), priced from its start.
  const period = usagePeriodOf(now);
  const monthStart = new Date(`${period}-01T00:00:00.000Z`).getTime();
  const span = Math.max(1, now - monthStart - 60_000);
  const meters = ["model.predict", "model.train"];
  const batches = Math.ceil(USAGE_EVENTS / BATCH);
  const batchOf = (b: number) =>
    Array.from({ length: Math.min(BATCH, USAGE_EVENTS - b * BATCH) }, (_, j) => {
      const n = b * BATCH + j;
      return {
        idempotencyKey: `ev-${n}`,
        meter: meters[n % 7 === 0 ? 1 : 0]!,
        quantity: 1 + (n % 3),
        userId: `payer${n % MEMBERS}`,
        at: new Date(monthStart + Math.floor((n / USAGE_EVENTS) * span)),
      };
    });
  const started = Date.now();
  const ingest = await measure(e, "", batches, (b) => system.usage.record(batchOf(b)));
  console.error(
    `[${e}] ingested ${USAGE_EVENTS.toLocaleString("en-US")} usage events in ${Date.now() - started} ms`,
  );
  results.push({
    ...ingest,
    operation: `usage ingest, batches of ${BATCH.toLocaleString("en-US")} (ops = events/s)`,
    opsPerSecond: ingest.opsPerSecond * BATCH,
    target: e === "sqlite" ? "≥ 50,000/s" : "≥ 50,000/s batched",
  });
  const asOwner = orgkit.as({ userId: ownerId });
  const statement = await asOwner.billing.statement("billed", period);
  console.error(`[${e}] statement ${period}: ${statement.lines.length} lines, total ${statement.total}`);
  results.push(
    await measure(
      e,
      `statement, month of ${(USAGE_EVENTS / 1e6).toLocaleString("en-US")}M events / ${MEMBERS} members`,
      20,
      () => asOwner.billing.statement("billed", period),
      { warmup: 2, target: "≤ 500,000 µs" },
    ),
  );

  // audit.verify over a chain bulk-seeded with correct hashes.
  const chain = organizationAuditChain(org.key);
  const head = await engine.storage.audit.head(chain);
  let sequence = head?.sequence ?? 0;
  let previousHash = head?.hash ?? GENESIS_HASH;
  const columns = [
    "id",
    "organization_id",
    "organization_key",
    "actor_type",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "before_json",
    "after_json",
    "ip",
    "outcome",
    "created_at",
    "seq",
    "chain",
    "chain_seq",
    "previous_hash",
    "hash",
  ];
  const seedStarted = Date.now();
  const chunk = 100_000;
  for (let i = 0; i < AUDIT_EVENTS; i += chunk) {
    const rows: unknown[][] = [];
    for (let j = i; j < Math.min(AUDIT_EVENTS, i + chunk); j++) {
      sequence += 1;
      const id = randomUUID();
      const at = now - AUDIT_EVENTS + j;
      const afterJson = JSON.stringify({ role: j % 2 === 0 ? "org_user" : "org_contributor" });
      const fields = {
        chain,
        sequence,
        previousHash,
        id,
        organizationId: "billed",
        actorType: "user",
        actorId: `payer${j % MEMBERS}`,
        action: "ORGANIZATION_MEMBER_CHANGE",
        targetType: "membership",
        targetId: `payer${(j + 1) % MEMBERS}`,
        beforeJson: null,
        afterJson,
        ip: "192.0.2.1",
        outcome: "success",
        at,
      };
      const hash = hashAuditEvent(fields);
      rows.push([
        id,
        "billed",
        org.key,
        "user",
        fields.actorId,
        fields.action,
        fields.targetType,
        fields.targetId,
        null,
        afterJson,
        fields.ip,
        "success",
        at,
        at * 1000,
        chain,
        sequence,
        previousHash,
        hash,
      ]);
      previousHash = hash;
    }
    await engine.insertRows("audit_events", columns, rows);
  }
  // Move the chain's head to the last seeded event (values are a uuid-based chain, a number and hex).
  await engine.exec(
    head === null
      ? `insert into audit_heads (chain, seq, hash, pruned_through, pruned_hash) values ('${chain}', ${sequence}, '${previousHash}', 0, '${GENESIS_HASH}')`
      : `update audit_heads set seq = ${sequence}, hash = '${previousHash}' where chain = '${chain}'`,
  );
  console.error(
    `[${e}] seeded ${AUDIT_EVENTS.toLocaleString("en-US")} audit events in ${Date.now() - seedStarted} ms`,
  );
  let checked = 0;
  results.push(
    await measure(e, `audit.verify, ${(AUDIT_EVENTS / 1e6).toLocaleString("en-US")}M events`, 1, async () => {
      const verification = await asOwner.audit.verify("billed");
      if (!verification.valid)
        throw new Error(`bench chain does not verify: ${JSON.stringify(verification.problem)}`);
      checked = verification.checked;
    }),
  );
  console.error(`[${e}] audit.verify checked ${checked.toLocaleString("en-US")} events`);
  return results;
}
