/**
 * `pnpm bench`: orgkit's core operations on SQLite and Postgres, printed as one table.
 *
 * A benchmark, not a test: it never fails on a slow machine. Environment:
 *   ORGKIT_PG_URL          Postgres to use (default postgres://postgres@127.0.0.1:5432/test)
 *   ORGKIT_BENCH_MEMBERS   members in the large organization (default 100000)
 *   ORGKIT_BENCH_ENGINES   comma-separated engines to run (default sqlite,postgres)
 *   ORGKIT_BENCH_SIDE_BY_SIDE  operations per row of the better-auth comparison (default 500; 0 skips it)
 */
import { randomUUID } from "node:crypto";
import { authorize, createOrgKit, type OrgKit, snapshotForRole } from "@orgkit/core";
import { appsBench } from "./apps-bench.js";
import { billingBench } from "./billing-bench.js";
import { type BenchEngine, postgresEngine, type SeedMember, sqliteEngine } from "./engines.js";
import { httpBench, type OverheadRow, printOverhead } from "./http-bench.js";
import { measure, measureSync, printTable, type Result } from "./measure.js";
import { printComparison, sideBySide } from "./side-by-side.js";

const PG_URL = process.env.ORGKIT_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const MEMBERS = Number(process.env.ORGKIT_BENCH_MEMBERS ?? 100_000);
const ENGINES = (process.env.ORGKIT_BENCH_ENGINES ?? "sqlite,postgres").split(",");

const FIRST = [
  "Ada",
  "Ben",
  "Chloe",
  "Dev",
  "Elena",
  "Farid",
  "Grace",
  "Hiro",
  "Ines",
  "Jonas",
  "Kemi",
  "Luca",
  "Maya",
  "Nils",
  "Olga",
  "Priya",
  "Quinn",
  "Rosa",
  "Sam",
  "Tariq",
];
const LAST = [
  "Okafor",
  "Smith",
  "Garcia",
  "Nguyen",
  "Kowalski",
  "Haddad",
  "Silva",
  "Ivanova",
  "Mensah",
  "Tanaka",
  "Dubois",
  "Rossi",
  "Larsen",
  "Cohen",
  "Ahmed",
  "Murphy",
  "Novak",
  "Sato",
  "Costa",
  "Weber",
  "Fischer",
  "Moreau",
  "Jensen",
  "Yilmaz",
  "Papadopoulos",
  "Schmidt",
  "Kim",
  "Lopez",
  "Brown",
  "Patel",
  "Singh",
  "Ali",
  "Khan",
  "Chen",
  "Wang",
  "Li",
  "Zhang",
  "Liu",
  "Yang",
  "Huang",
  "Zhao",
  "Wu",
  "Zhou",
  "Xu",
  "Sun",
  "Ma",
  "Zhu",
  "Hu",
  "Guo",
  "He",
];
const ROLES = ["org_user", "org_contributor", "team_contributor", "financial_manager"];

async function registerMany(orgkit: OrgKit, prefix: string, n: number) {
  const users = [];
  for (let i = 0; i < n; i++) {
    users.push(
      await orgkit.users.register({
        email: `${prefix}${i}@bench.test`,
        name: `${prefix} ${i}`,
        id: `${prefix}${i}`,
      }),
    );
  }
  return users;
}

async function run(engine: BenchEngine): Promise<Result[]> {
  const e = engine.name;
  const results: Result[] = [];
  // The limiter runs (its cost is part of each call) with limits no benchmark reaches.
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
  const n = e === "sqlite" ? 2000 : 500;

  // Create organization: each of n users creates their own.
  const founders = await registerMany(orgkit, "founder", n);
  results.push(
    await measure(e, "create organization", n, (i) =>
      orgkit.as({ userId: founders[i]!.id }).organizations.create({
        id: `bench-${i}`,
        name: `Bench ${i}`,
        billingEmail: `billing${i}@bench.test`,
      }),
    ),
  );
  const asAdmin = orgkit.as({ userId: founders[0]!.id });

  // Invite, then accept, separately.
  const invitees = await registerMany(orgkit, "invitee", n);
  const tokens: string[] = [];
  results.push(
    await measure(e, "invite", n, async (i) => {
      tokens[i] = (
        await asAdmin.invitations.create("bench-0", { email: invitees[i]!.email, role: "org_user" })
      ).token;
    }),
  );
  results.push(
    await measure(e, "accept", n, (i) =>
      orgkit.as({ userId: invitees[i]!.id }).invitations.accept(tokens[i]!),
    ),
  );

  // Invite + accept as one pair.
  const pairs = await registerMany(orgkit, "pair", n);
  results.push(
    await measure(
      e,
      "invite + accept (pairs)",
      n,
      async (i) => {
        const { token } = await orgkit
          .as({ userId: founders[1]!.id })
          .invitations.create("bench-1", { email: pairs[i]!.email, role: "org_contributor" });
        await orgkit.as({ userId: pairs[i]!.id }).invitations.accept(token);
      },
      { target: e === "sqlite" ? "≥ 2,000/s" : undefined },
    ),
  );

  // The large organization.
  const owner = (await registerMany(orgkit, "owner", 1))[0]!;
  await orgkit
    .as({ userId: owner.id })
    .organizations.create({ id: "big", name: "Big", billingEmail: "big@bench.test" });
  const big = (await engine.storage.organizations.getById("big"))!;
  const start = Date.now();
  const seed: SeedMember[] = Array.from({ length: MEMBERS }, (_, i) => {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;
    return {
      key: randomUUID(),
      id: `m${i}`,
      email: `member${i}@corp${i % 7}.test`,
      name,
      role: ROLES[i % ROLES.length]!,
      at: start + i,
    };
  });
  const seedStarted = Date.now();
  await engine.seedMembers(big.key, seed);
  console.error(`[${e}] seeded ${MEMBERS.toLocaleString("en-US")} members in ${Date.now() - seedStarted} ms`);

  const asOwner = orgkit.as({ userId: owner.id });
  const middle = await asOwner.members.list("big", { limit: 100 });
  // A cursor about half way down the list.
  let cursor = middle.nextCursor!;
  for (let i = 1; i < MEMBERS / 200; i++) {
    cursor = (await asOwner.members.list("big", { limit: 100, cursor })).nextCursor ?? cursor;
  }
  const listTarget = e === "sqlite" ? "≤ 5,000 µs" : undefined;
  const M = MEMBERS.toLocaleString("en-US");
  results.push(
    await measure(
      e,
      `members page 50 / ${M}, first page`,
      300,
      () => asOwner.members.list("big", { limit: 50 }),
      {
        warmup: 20,
      },
    ),
  );
  results.push(
    await measure(
      e,
      `members page 50 / ${M}, deep cursor`,
      300,
      () => asOwner.members.list("big", { limit: 50, cursor }),
      {
        warmup: 20,
      },
    ),
  );
  results.push(
    await measure(
      e,
      `members page 50 / ${M}, search "okafor" (2%)`,
      300,
      () => asOwner.members.list("big", { limit: 50, search: "okafor" }),
      { warmup: 20, target: listTarget },
    ),
  );
  results.push(
    await measure(
      e,
      `members page 50 / ${M}, search "corp3" (14%)`,
      300,
      () => asOwner.members.list("big", { limit: 50, search: "corp3", sort: "joinedAt", direction: "desc" }),
      { warmup: 20, target: listTarget },
    ),
  );
  results.push(
    await measure(
      e,
      `members / ${M}, search one match (full scan)`,
      30,
      () => asOwner.members.list("big", { limit: 50, search: `member${MEMBERS - 7}@` }),
      { warmup: 3 },
    ),
  );

  // authorize on a warm snapshot: no I/O at all.
  const snapshot = snapshotForRole({
    organizationId: "big",
    userId: "m1",
    version: 1,
    role: "org_contributor",
  });
  const subject = { type: "user" as const, userId: "m1", snapshot };
  const resource = { type: "organization" as const, organizationId: "big" };
  const scopes = ["members:get", "members:invite", "teams:get", "billing:get"] as const;
  results.push(
    measureSync(
      e,
      "authorize, warm snapshot",
      2000,
      1000,
      (i) => authorize(subject, scopes[i & 3]!, resource),
      {
        target: "≤ 5 µs",
      },
    ),
  );
  // A cold check: one indexed read of (organization, membership), then authorize.
  const asMember = orgkit.as({ userId: `m${Math.floor(MEMBERS / 2)}` });
  results.push(
    await measure(
      e,
      "access.check, cold (1 indexed read)",
      2000,
      () => asMember.access.check("big", "members:get"),
      {
        warmup: 50,
      },
    ),
  );
  // Authentication per call: what an API gateway pays before the call itself.
  const caller = await orgkit.users.register({
    email: "caller@bench.test",
    name: "Caller",
    password: "correct horse battery staple",
  });
  const { token: session } = await orgkit.auth.signIn({
    email: caller.email,
    password: "correct horse battery staple",
  });
  results.push(
    await measure(e, "session authentication", 2000, () => orgkit.auth.authenticate(session), { warmup: 50 }),
  );
  const { token: pat } = await orgkit
    .as({ userId: caller.id })
    .tokens.create({ name: "bench", scopes: ["members:get"] });
  results.push(
    await measure(e, "PAT authentication", 2000, () => orgkit.auth.authenticateToken(pat), { warmup: 50 }),
  );
  // The HTTP layer: requests per second and its overhead over the direct service call.
  overhead.push(...(await httpBench(e, orgkit)));
  // Teams and apps: m2 is a team contributor (roles cycle through ROLES).
  results.push(...(await appsBench(e, orgkit, engine.storage, owner.id, "m2", () => engine.analyze())));
  // Billing: usage ingest, a month's statement, audit.verify over a long chain.
  const payer = (await registerMany(orgkit, "payer-owner", 1))[0]!;
  results.push(...(await billingBench(engine, orgkit, payer.id)));
  return results;
}

const all: Result[] = [];
const overhead: OverheadRow[] = [];
for (const name of ENGINES) {
  const engine = name === "postgres" ? await postgresEngine(PG_URL) : await sqliteEngine();
  try {
    console.error(`[${name}] running...`);
    all.push(...(await run(engine)));
  } finally {
    await engine.dispose();
  }
}
console.log();
printTable(all);
console.log();
printOverhead(overhead);

// Side by side with the better-auth organization plugin, on SQLite (a temp file each).
const SIDE_BY_SIDE_N = Number(process.env.ORGKIT_BENCH_SIDE_BY_SIDE ?? 500);
if (SIDE_BY_SIDE_N > 0) {
  console.error("[side by side] running...");
  const { rows, betterAuthError } = await sideBySide(SIDE_BY_SIDE_N);
  console.log();
  if (betterAuthError !== null) console.log(`better-auth could not run: ${betterAuthError}`);
  printComparison(rows, SIDE_BY_SIDE_N);
}
