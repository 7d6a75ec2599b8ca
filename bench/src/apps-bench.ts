/**
 * The teams-and-apps rows of `pnpm bench`: authorization with 1,000 teams and 10,000 apps (warm:
 * a set lookup; cold: the one-statement snapshot read), apps lists among 10,000 with search and
 * sort, and a team's apps. Fixtures go in through the storage port, in one transaction.
 */
import { randomUUID } from "node:crypto";
import {
  authorize,
  compilePolicies,
  type OrgKit,
  type OwnerAccount,
  type Resource,
  type Storage,
  snapshotForRole,
  teamAppGrants,
} from "@orgkit/core";
import { measure, measureSync, type Result } from "./measure.js";

const APPS = 10_000;
const TEAMS = 1_000;
const WORDS = ["vision", "retail", "medical", "speech", "fraud", "search", "maps", "docs", "chat", "audio"];

/** Seeds 10,000 apps and 1,000 teams (10 apps each, every one holding `userId`) in `organizationId`. */
async function seed(storage: Storage, organizationId: string, userId: string): Promise<void> {
  const organization = (await storage.organizations.getById(organizationId))!;
  const user = (await storage.users.getById(userId))!;
  const owner: OwnerAccount = { type: "organization", key: organization.key, id: organization.id };
  const start = Date.now();
  await storage.transaction(async (tx) => {
    const apps = [];
    for (let i = 0; i < APPS; i++) {
      apps.push(
        await tx.apps.insert({
          key: randomUUID(),
          owner,
          id: `app-${i}`,
          name: `${WORDS[i % WORDS.length]} ${WORDS[Math.floor(i / 10) % WORDS.length]} ${i}`,
          description: null,
          labels: i % 3 === 0 ? ["hipaa"] : [],
          visibility: "private",
          at: new Date(start + i),
        }),
      );
    }
    for (let t = 0; t < TEAMS; t++) {
      const team = await tx.teams.insert({
        key: randomUUID(),
        organizationKey: organization.key,
        id: `team-${t}`,
        name: `Team ${t}`,
        at: new Date(start),
      });
      await tx.teams.addMembers(
        team,
        [{ userKey: user.key, name: user.name, email: user.email }],
        new Date(start),
      );
      await tx.teams.addApps(
        team,
        apps
          .slice(t * 10, t * 10 + 10)
          .map((a) => ({ appKey: a.key, role: "labeler_lead" as const, sortName: a.name.toLowerCase() })),
        new Date(start),
      );
    }
    const regulated = (await tx.teams.get(organization.key, "team-0"))!;
    await tx.policies.insert({
      key: randomUUID(),
      organizationKey: organization.key,
      name: "HIPAA only",
      effect: "deny",
      subjects: { teams: [{ key: regulated.key, id: regulated.id }], roles: [], users: [] },
      actions: ["*"],
      resources: { labelsNone: ["hipaa"] },
      createdAt: new Date(start),
      updatedAt: new Date(start),
    });
    await tx.organizations.lock(organization.key);
  });
}

/** Runs the rows on one engine; `orgkit` runs over `storage`, the organization `big` and its owner exist. */
export async function appsBench(
  engine: string,
  orgkit: OrgKit,
  storage: Storage,
  ownerId: string,
  memberId: string,
  analyze: () => Promise<void>,
): Promise<Result[]> {
  const results: Result[] = [];
  const started = Date.now();
  await seed(storage, "big", memberId);
  await analyze();
  console.error(
    `[${engine}] seeded ${APPS.toLocaleString("en-US")} apps and ${TEAMS.toLocaleString("en-US")} teams in ${Date.now() - started} ms`,
  );
  const label = `${TEAMS.toLocaleString("en-US")} teams, ${APPS.toLocaleString("en-US")} apps`;

  // Cold: the one statement that reads role, teams, team apps and policies, then the snapshot.
  const build = async () => {
    const row = (await storage.permissions.load("big", memberId, null))!;
    const grants = row.grants!;
    return snapshotForRole({
      organizationId: row.organization.id,
      organizationKey: row.organization.key,
      userId: memberId,
      userKey: row.userKey,
      version: row.organization.version,
      role: row.role!,
      teamIds: grants.teams.map((t) => t.id),
      teamApps: teamAppGrants(grants.teamApps),
      policies: compilePolicies(grants.policies, {
        userKey: row.userKey!,
        role: row.role!,
        teamKeys: new Set(grants.teams.map((t) => t.key)),
      }),
    });
  };
  const snapshot = await build();
  const apps = await storage.apps.getByIds(
    (await storage.organizations.getById("big"))!.key,
    Array.from({ length: 100 }, (_, i) => `app-${i * 97}`),
  );
  const resources: Resource[] = apps.map((a) => ({
    type: "app",
    organizationId: "big",
    appId: a.id,
    appKey: a.key,
    ownerType: "organization",
    ownerId: "big",
    labels: a.labels,
    visibility: a.visibility,
    collaboratorRole: null,
  }));
  const subject = { type: "user" as const, userId: memberId, snapshot };
  results.push(
    measureSync(
      engine,
      `authorize app, warm (${label})`,
      2000,
      1000,
      (i) => authorize(subject, "inputs:add", resources[i % resources.length]!),
      {
        target: "≤ 5 µs",
      },
    ),
  );
  results.push(
    await measure(
      engine,
      `authorize app, cold: 1 query + build (${label})`,
      100,
      async (i) => {
        const cold = await build();
        return authorize(
          { type: "user", userId: memberId, snapshot: cold },
          "inputs:add",
          resources[i % resources.length]!,
        );
      },
      { warmup: 5 },
    ),
  );
  // The member is in every team, team-0 included, so the "HIPAA only" deny policy applies to them:
  // they see the hipaa-labelled third of the apps, and the warm check below asks about those.
  const asMember = orgkit.as({ userId: memberId });
  results.push(
    await measure(
      engine,
      "access.checkApp, warm snapshot (1 indexed read)",
      2000,
      (i) => asMember.access.checkApp("big", `app-${((i * 7) % 4) * 3}`, "inputs:add"),
      { warmup: 50 },
    ),
  );
  const asOwner = orgkit.as({ userId: ownerId });
  const N = APPS.toLocaleString("en-US");
  results.push(
    await measure(
      engine,
      `apps page 50 / ${N}, by name`,
      300,
      () => asOwner.apps.list("big", { sort: "name", limit: 50 }),
      { warmup: 20 },
    ),
  );
  results.push(
    await measure(
      engine,
      `apps page 50 / ${N}, search "medical" (10%), by name desc`,
      300,
      () => asOwner.apps.list("big", { search: "medical", sort: "name", direction: "desc", limit: 50 }),
      { warmup: 20 },
    ),
  );
  results.push(
    await measure(
      engine,
      `apps page 50 / ${N}, updated desc, team contributor (1,000 teams)`,
      300,
      () => asMember.apps.list("big", { limit: 50 }),
      { warmup: 20 },
    ),
  );
  results.push(
    await measure(
      engine,
      "team apps page 50",
      1000,
      (i) => asOwner.teams.listApps("big", `team-${i % TEAMS}`, { limit: 50 }),
      {
        warmup: 20,
      },
    ),
  );
  return results;
}
