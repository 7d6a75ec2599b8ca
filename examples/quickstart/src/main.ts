/**
 * The quickstart: the seed's story on an embedded SQLite file, printed step by step.
 *
 *   pnpm start            (from the repository root)
 *   pnpm serve            (the same, then the HTTP API on http://localhost:3000/api)
 *
 * A user creates organization `test-org`, invites two people with different roles, one accepts,
 * the member list is printed, a role is reassigned and the other invitation is rescinded. With
 * `--serve` (or ORGKIT_PORT set) it then serves the HTTP API and prints a personal access token
 * and a curl command that uses it.
 */

import { rmSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { sqliteAdapter } from "@orgkit/adapters/sqlite";
import { createHttpHandler, createOrgKit, isOrgKitError, toNodeHandler } from "@orgkit/core";

const root = process.env.INIT_CWD ?? process.cwd();
const filename = join(root, ".orgkit", "quickstart.db");
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${filename}${suffix}`, { force: true });

const orgkit = createOrgKit({ storage: sqliteAdapter({ filename }), baseUrl: "http://localhost:3000" });
await orgkit.migrate();

const step = (text: string) => console.log(`\n• ${text}`);
const table = (rows: object[]) => console.table(rows);

step(`Storage: SQLite at ${filename}`);

const alice = await orgkit.users.register({
  email: "alice@example.com",
  name: "Alice Admin",
  password: "correct horse battery staple",
});
const asAlice = orgkit.as({ userId: alice.id, ip: "127.0.0.1" });
step(`Alice registered as "${alice.id}" (her password is kept only as a scrypt PHC hash).`);

const org = await asAlice.organizations.create({
  id: "test-org",
  name: "Test Org",
  billingEmail: "test-org@example.com",
});
step(
  `Alice created organization "${org.id}" (${org.name}), billed to ${org.billingEmail}; she is its admin.`,
);

const toBob = await asAlice.invitations.create("test-org", {
  email: "bob@example.com",
  role: "org_contributor",
});
const toCarol = await asAlice.invitations.create("test-org", {
  email: "carol@example.com",
  role: "team_contributor",
});
step("Alice invited Bob as org_contributor and Carol as team_contributor. The outbox now holds:");
const outbox = await orgkit.outbox.list({ status: "pending" });
table(outbox.items.map((m) => ({ to: m.to, subject: m.subject })));

const preview = await orgkit.invitations.lookup(toBob.token);
step(
  `Bob opens his link: ${preview.inviter?.name} invites him to ${preview.organization.name} as ${preview.role}.`,
);
const bob = await orgkit.users.register({ email: "bob@example.com", name: "Bob Builder" });
const accepted = await orgkit.as({ userId: bob.id }).invitations.accept(toBob.token);
step(`Bob had no account, so he registered first, then accepted: he is now ${accepted.member.role}.`);

try {
  await orgkit.as({ userId: bob.id }).invitations.accept(toBob.token);
} catch (error) {
  if (isOrgKitError(error)) step(`Accepting the same link again is refused: ${error.code}.`);
}

step("The members of test-org:");
const members = await asAlice.members.list("test-org");
table(members.items.map((m) => ({ id: m.userId, name: m.name, email: m.email, role: m.role })));

await asAlice.members.updateRole("test-org", bob.id, "org_user");
step("Alice reassigned Bob's role to org_user.");

const pending = await asAlice.invitations.listPending("test-org");
step(`Pending invitations: ${pending.items.map((i) => `${i.email} (${i.role})`).join(", ")}.`);
await asAlice.invitations.rescind("test-org", toCarol.invitation.id);
step(
  `Alice rescinded Carol's invitation; its link now reads as "${(await orgkit.invitations.lookup(toCarol.token)).status}".`,
);

try {
  await asAlice.members.updateRole("test-org", alice.id, "org_user");
} catch (error) {
  if (isOrgKitError(error)) step(`Alice cannot demote herself: ${error.code}: ${error.message}`);
}

const decision = await orgkit.as({ userId: bob.id }).access.check("test-org", "members:invite");
step(`Can Bob invite people? ${decision.allowed ? "yes" : "no"}: ${JSON.stringify(decision.reasons)}`);

step("What happened, from the audit trail:");
const events = await orgkit.storage.audit.listForOrganization("test-org", 50);
table(events.map((e) => ({ action: e.action, actor: e.actor.id ?? e.actor.type, target: e.targetId })));

const serve = process.argv.includes("--serve") || process.env.ORGKIT_PORT !== undefined;
if (!serve) {
  await orgkit.close();
} else {
  const port = Number(process.env.ORGKIT_PORT ?? 3000);
  const { token } = await asAlice.tokens.create({
    name: "quickstart",
    scopes: ["members:get", "members:invite", "teams:get"],
  });
  // secureCookie off: the example runs on http://localhost.
  const handler = createHttpHandler(orgkit, { basePath: "/api", secureCookie: false });
  const server = createServer(toNodeHandler(handler));
  server.listen(port, "127.0.0.1", () => {
    step(`The HTTP API is at http://localhost:${port}/api (OpenAPI: /api/openapi.json). Alice's token:`);
    console.log(`\n  export ORGKIT_TOKEN=${token}`);
    console.log(
      `  curl -s -H "Authorization: Bearer $ORGKIT_TOKEN" "http://localhost:${port}/api/orgs/test-org/members?limit=2"\n`,
    );
  });
  const stop = () => server.close(() => void orgkit.close().then(() => process.exit(0)));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
