/**
 * The HTTP rows of `pnpm bench`: requests per second through `createHttpHandler` for a members
 * list, a permission-gated app read and a PAT-authenticated call, each beside the direct service
 * call it wraps, with the overhead as a ratio of p50 latencies.
 */
import { createHttpHandler, type OrgKit } from "@orgkit/core";
import { measure, type Result } from "./measure.js";

const ORIGIN = "https://bench.test";
const PASSWORD = "correct horse battery staple";

/** One HTTP row and the direct call it wraps. */
export interface OverheadRow {
  readonly engine: string;
  readonly operation: string;
  readonly direct: Result;
  readonly http: Result;
}

/** Measures the HTTP rows on one engine; `prefix` keeps its ids apart from the other rows'. */
export async function httpBench(engine: string, orgkit: OrgKit, prefix = "http"): Promise<OverheadRow[]> {
  const handler = createHttpHandler(orgkit, { basePath: "/api" });
  const admin = await orgkit.users.register({
    email: `${prefix}-admin@bench.test`,
    name: "HTTP Admin",
    password: PASSWORD,
  });
  const reader = await orgkit.users.register({
    email: `${prefix}-reader@bench.test`,
    name: "HTTP Reader",
    password: PASSWORD,
  });
  const asAdmin = orgkit.as({ userId: admin.id });
  const org = await asAdmin.organizations.create({
    id: `${prefix}-org`,
    name: `${prefix} org`,
    billingEmail: "b@bench.test",
  });
  for (let i = 0; i < 200; i++) {
    const user = await orgkit.users.register({ email: `${prefix}-m${i}@bench.test`, name: `Member ${i}` });
    const { token } = await asAdmin.invitations.create(org.id, { email: user.email, role: "org_user" });
    await orgkit.as({ userId: user.id }).invitations.accept(token);
  }
  // The reader reaches the app through a team grant: the read is decided by the app-level rules.
  const { token: readerInvite } = await asAdmin.invitations.create(org.id, {
    email: reader.email,
    role: "team_contributor",
  });
  await orgkit.as({ userId: reader.id }).invitations.accept(readerInvite);
  const app = await asAdmin.apps.create({ id: "gated", name: "Gated", ownerId: org.id });
  const team = await asAdmin.teams.create(org.id, { id: "readers", name: "Readers" });
  await asAdmin.teams.addMembers(org.id, team.id, [reader.id]);
  await asAdmin.teams.addApps(org.id, team.id, [{ appId: app.id, role: "labeler_worker" }]);

  const { token: adminSession } = await orgkit.auth.signIn({ email: admin.email, password: PASSWORD });
  const { token: readerSession } = await orgkit.auth.signIn({ email: reader.email, password: PASSWORD });
  const { token: pat } = await orgkit
    .as({ userId: admin.id })
    .tokens.create({ name: "bench", scopes: ["members:get"] });

  const get = async (path: string, headers: Record<string, string>) => {
    const response = await handler(new Request(`${ORIGIN}/api${path}`, { headers }));
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.text();
  };
  const rows: OverheadRow[] = [];
  const pair = async (
    operation: string,
    direct: () => Promise<unknown>,
    http: () => Promise<unknown>,
    n: number,
  ) => {
    rows.push({
      engine,
      operation,
      direct: await measure(engine, `${operation} (direct)`, n, direct, { warmup: 50 }),
      http: await measure(engine, `${operation} (HTTP)`, n, http, { warmup: 50 }),
    });
  };

  await pair(
    "members page of 50, session cookie",
    async () =>
      orgkit.as((await orgkit.auth.authenticate(adminSession)).actor).members.list(org.id, { limit: 50 }),
    () => get(`/orgs/${org.id}/members?limit=50`, { cookie: `orgkit_session=${adminSession}` }),
    2000,
  );
  await pair(
    "app read via a team grant, session cookie",
    async () => orgkit.as((await orgkit.auth.authenticate(readerSession)).actor).apps.get(org.id, app.id),
    () => get(`/${org.id}/apps/${app.id}`, { cookie: `orgkit_session=${readerSession}` }),
    2000,
  );
  await pair(
    "GET /me with a PAT",
    async () => orgkit.as(await orgkit.auth.authenticateToken(pat)).users.me(),
    () => get("/me", { authorization: `Bearer ${pat}` }),
    2000,
  );
  return rows;
}

/** Prints the HTTP rows: requests per second and the overhead of the HTTP layer as a ratio. */
export function printOverhead(rows: readonly OverheadRow[]): void {
  const header = [
    "engine",
    "operation",
    "HTTP req/s",
    "HTTP p50 µs",
    "direct p50 µs",
    "overhead (p50 ratio)",
  ];
  const cells = rows.map((row) => [
    row.engine,
    row.operation,
    row.http.opsPerSecond.toFixed(0),
    row.http.p50us.toFixed(1),
    row.direct.p50us.toFixed(1),
    `${(row.http.p50us / row.direct.p50us).toFixed(2)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i >= 2 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
}
