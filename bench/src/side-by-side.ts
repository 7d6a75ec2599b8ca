/**
 * The side-by-side section of `pnpm bench`: the operations orgkit and the better-auth
 * organization plugin both have, on the same machine, each on its own SQLite temp file
 * (better-sqlite3, WAL), run one after the other with the same counts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteAdapter } from "@orgkit/adapters/sqlite";
import { createOrgKit } from "@orgkit/core";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { organization } from "better-auth/plugins";
import BetterSqlite3 from "better-sqlite3";
import { measure, type Result } from "./measure.js";

/** One operation measured on both. */
export interface Comparison {
  readonly operation: string;
  readonly orgkit: Result;
  readonly betterAuth: Result | null;
}

const PASSWORD = "correct horse battery staple";

function tempFile(prefix: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, file: join(dir, "bench.db") };
}

/** orgkit's side: each operation `n` times over the SQLite adapter. */
async function orgkitSide(n: number, members: number): Promise<Record<string, Result>> {
  const { dir, file } = tempFile("orgkit-side-");
  const storage = sqliteAdapter({ filename: file });
  await storage.migrate();
  const unlimited = { limit: 1e9, windowSeconds: 3600 };
  const orgkit = createOrgKit({
    storage,
    baseUrl: "https://bench.test",
    passwordHashing: { ln: 10, r: 8, p: 1 },
    rateLimits: { invitation: { perAccount: unlimited, perOrganization: unlimited } },
  });
  const out: Record<string, Result> = {};
  try {
    const founders: { id: string }[] = [];
    for (let i = 0; i < n; i++)
      founders.push(await orgkit.users.register({ email: `f${i}@b.test`, name: `F ${i}` }));
    out["create organization"] = await measure("orgkit", "create organization", n, (i) =>
      orgkit
        .as({ userId: founders[i]!.id })
        .organizations.create({ id: `o-${i}`, name: `O ${i}`, billingEmail: `o${i}@b.test` }),
    );
    const asAdmin = orgkit.as({ userId: founders[0]!.id });
    const invitees: { id: string; email: string }[] = [];
    for (let i = 0; i < Math.max(n, members); i++)
      invitees.push(await orgkit.users.register({ email: `i${i}@b.test`, name: `I ${i}` }));
    const tokens: string[] = [];
    out.invite = await measure("orgkit", "invite", n, async (i) => {
      tokens[i] = (
        await asAdmin.invitations.create("o-0", { email: invitees[i]!.email, role: "team_contributor" })
      ).token;
    });
    out.accept = await measure("orgkit", "accept", n, (i) =>
      orgkit.as({ userId: invitees[i]!.id }).invitations.accept(tokens[i]!),
    );
    out["list members (50)"] = await measure(
      "orgkit",
      "list members (50)",
      n,
      () => asAdmin.members.list("o-0", { limit: 50 }),
      {
        warmup: 20,
      },
    );
    const asMember = orgkit.as({ userId: invitees[1]!.id });
    out["permission check"] = await measure(
      "orgkit",
      "permission check",
      n,
      () => asMember.access.check("o-0", "members:invite"),
      {
        warmup: 20,
      },
    );
    out["create team"] = await measure("orgkit", "create team", n, (i) =>
      asAdmin.teams.create("o-0", { id: `t-${i}`, name: `Team ${i}` }),
    );
    out["add team member"] = await measure("orgkit", "add team member", n, (i) =>
      asAdmin.teams.addMembers("o-0", `t-${i}`, [invitees[i]!.id]),
    );
  } finally {
    await orgkit.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** The better-auth organization plugin's side: the same operations through `auth.api`. */
async function betterAuthSide(n: number): Promise<Record<string, Result>> {
  const { dir, file } = tempFile("better-auth-side-");
  const database = new BetterSqlite3(file);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  const options = {
    database,
    baseURL: "https://bench.test",
    secret: "bench-secret-bench-secret-bench-secret-0123456789",
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    plugins: [
      organization({
        teams: { enabled: true, maximumTeams: 1e9 },
        membershipLimit: 1e9,
        organizationLimit: 1e9,
        invitationLimit: 1e9,
      }),
    ],
  };
  const auth = betterAuth(options);
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  const out: Record<string, Result> = {};
  async function signUp(email: string, name: string): Promise<{ headers: Headers; userId: string }> {
    const { headers, response } = await auth.api.signUpEmail({
      body: { email, password: PASSWORD, name },
      returnHeaders: true,
    });
    const cookie = (headers.getSetCookie?.() ?? [headers.get("set-cookie") ?? ""])
      .map((c) => c.split(";")[0])
      .join("; ");
    return { headers: new Headers({ cookie }), userId: response.user.id };
  }
  try {
    const founders: { headers: Headers; userId: string }[] = [];
    for (let i = 0; i < n; i++) founders.push(await signUp(`f${i}@b.test`, `F ${i}`));
    const orgIds: string[] = [];
    out["create organization"] = await measure("better-auth", "create organization", n, async (i) => {
      const created = await auth.api.createOrganization({
        body: { name: `O ${i}`, slug: `o-${i}` },
        headers: founders[i]!.headers,
      });
      orgIds[i] = created!.id;
    });
    const admin = founders[0]!;
    const invitees: { headers: Headers; userId: string; email: string }[] = [];
    for (let i = 0; i < n; i++)
      invitees.push({ ...(await signUp(`i${i}@b.test`, `I ${i}`)), email: `i${i}@b.test` });
    const invitationIds: string[] = [];
    out.invite = await measure("better-auth", "invite", n, async (i) => {
      const invitation = await auth.api.createInvitation({
        body: { email: invitees[i]!.email, role: "member", organizationId: orgIds[0]! },
        headers: admin.headers,
      });
      invitationIds[i] = invitation.id;
    });
    out.accept = await measure("better-auth", "accept", n, (i) =>
      auth.api.acceptInvitation({ body: { invitationId: invitationIds[i]! }, headers: invitees[i]!.headers }),
    );
    out["list members (50)"] = await measure(
      "better-auth",
      "list members (50)",
      n,
      () =>
        auth.api.listMembers({ query: { organizationId: orgIds[0]!, limit: 50 }, headers: admin.headers }),
      { warmup: 20 },
    );
    out["permission check"] = await measure(
      "better-auth",
      "permission check",
      n,
      () =>
        auth.api.hasPermission({
          body: { organizationId: orgIds[0]!, permissions: { invitation: ["create"] } },
          headers: invitees[1]!.headers,
        }),
      { warmup: 20 },
    );
    const teamIds: string[] = [];
    out["create team"] = await measure("better-auth", "create team", n, async (i) => {
      teamIds[i] = (
        await auth.api.createTeam({
          body: { name: `Team ${i}`, organizationId: orgIds[0]! },
          headers: admin.headers,
        })
      ).id;
    });
    out["add team member"] = await measure("better-auth", "add team member", n, (i) =>
      auth.api.addTeamMember({
        body: { teamId: teamIds[i]!, userId: invitees[i]!.userId, organizationId: orgIds[0]! },
        headers: admin.headers,
      }),
    );
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/**
 * Runs both sides. When better-auth fails, its column reads the error instead of a figure
 * (never a made-up one).
 */
export async function sideBySide(n: number): Promise<{ rows: Comparison[]; betterAuthError: string | null }> {
  const mine = await orgkitSide(n, n);
  let theirs: Record<string, Result> | null = null;
  let betterAuthError: string | null = null;
  try {
    theirs = await betterAuthSide(n);
  } catch (error) {
    betterAuthError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  return {
    rows: Object.entries(mine).map(([operation, orgkit]) => ({
      operation,
      orgkit,
      betterAuth: theirs?.[operation] ?? null,
    })),
    betterAuthError,
  };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Prints the comparison as an aligned text table (ratio = orgkit ops/s ÷ better-auth ops/s). */
export function printComparison(rows: readonly Comparison[], n: number): void {
  const header = [
    `operation (sqlite, n = ${n})`,
    "orgkit ops/s",
    "orgkit p50 µs",
    "better-auth ops/s",
    "better-auth p50 µs",
    "ratio",
  ];
  const cells = rows.map((r) => [
    r.operation,
    fmt(r.orgkit.opsPerSecond),
    fmt(r.orgkit.p50us, 1),
    r.betterAuth ? fmt(r.betterAuth.opsPerSecond) : "-",
    r.betterAuth ? fmt(r.betterAuth.p50us, 1) : "-",
    r.betterAuth ? `${fmt(r.orgkit.opsPerSecond / r.betterAuth.opsPerSecond, 2)}×` : "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
}
