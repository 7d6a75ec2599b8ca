import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ORGANIZATION_ROLES, type OrganizationRole } from "../authz/scopes.js";
import { OrgKitError } from "../errors.js";
import type { User } from "../schemas/user.js";
import { type ConformanceHarness, createWorld, type World } from "../testing/harness.js";

interface Model {
  readonly users: User[];
  readonly organizations: Set<string>;
  readonly tokens: string[];
  readonly accepted: Set<string>;
  readonly limit: number;
}

interface Real {
  readonly w: World;
}

type Step = fc.AsyncCommand<Model, Real>;

/** Runs a step; a domain refusal is a legal outcome, anything else fails the property. */
async function attempt<T>(call: () => Promise<T>): Promise<T | OrgKitError> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OrgKitError && error.status < 500) return error;
    throw error;
  }
}

/** Reads storage and checks the invariants of DESIGN.md §2. */
async function checkInvariants(m: Model, r: Real): Promise<void> {
  const system = r.w.orgkit.system();
  const membersOf = new Map<string, Set<string>>();
  for (const id of m.organizations) {
    const members = await attempt(() => system.members.list(id, { limit: 100 }));
    if (members instanceof OrgKitError) {
      expect(members.code).toBe("NOT_FOUND"); // deleted
      continue;
    }
    expect(members.items.filter((x) => x.role === "admin").length, `admins of ${id}`).toBeGreaterThanOrEqual(
      1,
    );
    for (const member of members.items) {
      if (!membersOf.has(member.userId)) membersOf.set(member.userId, new Set());
      membersOf.get(member.userId)!.add(id);
    }
  }
  for (const user of m.users) {
    const mine = await r.w.orgkit.as({ userId: user.id }).organizations.list();
    expect(mine.length).toBeLessThanOrEqual(m.limit);
    expect(new Set(mine.map((o) => o.id))).toEqual(membersOf.get(user.id) ?? new Set());
  }
}

function step(label: string, run: (m: Model, r: Real) => Promise<void>): Step {
  return {
    check: () => true,
    async run(m, r) {
      await run(m, r);
      await checkInvariants(m, r);
    },
    toString: () => label,
  };
}

const userIndex = fc.nat({ max: 3 });
const orgIndex = fc.nat({ max: 2 });
const role = fc.constantFrom<OrganizationRole>(...ORGANIZATION_ROLES);

const orgId = (i: number) => `org-${i}`;
const pick = <T>(list: readonly T[], i: number): T | undefined =>
  list.length === 0 ? undefined : list[i % list.length];

const commands = [
  fc.tuple(userIndex, orgIndex).map(([u, o]) =>
    step(`create(${u}, ${o})`, async (m, r) => {
      const user = m.users[u]!;
      const out = await attempt(() =>
        r.w.orgkit
          .as({ userId: user.id })
          .organizations.create({ id: orgId(o), name: `Org ${o}`, billingEmail: "b@example.test" }),
      );
      if (!(out instanceof OrgKitError)) m.organizations.add(orgId(o));
    }),
  ),
  fc.tuple(userIndex, orgIndex, userIndex, role).map(([u, o, v, ro]) =>
    step(`invite(${u}, ${o}, ${v}, ${ro})`, async (m, r) => {
      const out = await attempt(() =>
        r.w.orgkit
          .as({ userId: m.users[u]!.id })
          .invitations.create(orgId(o), { email: m.users[v]!.email, role: ro }),
      );
      if (!(out instanceof OrgKitError)) m.tokens.push(out.token);
    }),
  ),
  fc.tuple(userIndex, orgIndex, userIndex, role).map(([u, o, v, ro]) =>
    step(`join(${u}, ${o}, ${v}, ${ro})`, async (m, r) => {
      const issued = await attempt(() =>
        r.w.orgkit
          .as({ userId: m.users[u]!.id })
          .invitations.create(orgId(o), { email: m.users[v]!.email, role: ro }),
      );
      if (issued instanceof OrgKitError) return;
      m.tokens.push(issued.token);
      const out = await attempt(() =>
        r.w.orgkit.as({ userId: m.users[v]!.id }).invitations.accept(issued.token),
      );
      if (!(out instanceof OrgKitError)) m.accepted.add(issued.token);
    }),
  ),
  fc.tuple(userIndex, fc.nat()).map(([v, t]) =>
    step(`accept(${v}, #${t})`, async (m, r) => {
      const token = pick(m.tokens, t);
      if (token === undefined) return;
      const out = await attempt(() => r.w.orgkit.as({ userId: m.users[v]!.id }).invitations.accept(token));
      if (!(out instanceof OrgKitError)) {
        expect(m.accepted.has(token), "an invitation is accepted at most once").toBe(false);
        m.accepted.add(token);
      }
    }),
  ),
  fc.nat().map((t) =>
    step(`decline(#${t})`, async (m, r) => {
      const token = pick(m.tokens, t);
      if (token !== undefined) await attempt(() => r.w.orgkit.invitations.decline(token));
    }),
  ),
  fc.tuple(userIndex, orgIndex, userIndex, role).map(([u, o, v, ro]) =>
    step(`role(${u}, ${o}, ${v}, ${ro})`, async (m, r) => {
      await attempt(() =>
        r.w.orgkit.as({ userId: m.users[u]!.id }).members.updateRole(orgId(o), m.users[v]!.id, ro),
      );
    }),
  ),
  fc.tuple(userIndex, orgIndex, userIndex).map(([u, o, v]) =>
    step(`remove(${u}, ${o}, ${v})`, async (m, r) => {
      await attempt(() => r.w.orgkit.as({ userId: m.users[u]!.id }).members.remove(orgId(o), m.users[v]!.id));
    }),
  ),
  fc.tuple(userIndex, orgIndex).map(([u, o]) =>
    step(`leave(${u}, ${o})`, async (m, r) => {
      await attempt(() => r.w.orgkit.as({ userId: m.users[u]!.id }).organizations.leave(orgId(o)));
    }),
  ),
  fc.tuple(userIndex, orgIndex).map(([u, o]) =>
    step(`delete(${u}, ${o})`, async (m, r) => {
      await attempt(() => r.w.orgkit.as({ userId: m.users[u]!.id }).organizations.delete(orgId(o)));
    }),
  ),
  fc.integer({ min: 1, max: 8 }).map((days) =>
    step(`advance(${days}d)`, async (_m, r) => {
      r.w.clock.advance(days * 24 * 60 * 60 * 1000);
    }),
  ),
];

/** Conformance: random sequences of calls never break the domain's invariants. */
export function invariantsConformance(harness: ConformanceHarness, runs = 25): void {
  describe("invariants under random sequences of calls", () => {
    it("keeps an admin per organization, the membership limit, and single-use invitations", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.commands(commands, { maxCommands: 40, size: "large" }),
          fc.constantFrom(1, 2),
          async (cmds, limit) => {
            const w = await createWorld(harness, {
              limits: { organizationsPerUser: limit },
              mailer: undefined,
            });
            const users: User[] = [];
            for (const name of ["Ann", "Ben", "Cat", "Dan"]) users.push(await w.user(name));
            // Two organizations to start from, so that most steps meet a real one.
            await w.organization(users[0]!, orgId(0));
            await w.organization(users[1]!, orgId(1));
            const model: Model = {
              users,
              organizations: new Set([orgId(0), orgId(1)]),
              tokens: [],
              accepted: new Set(),
              limit,
            };
            try {
              await fc.asyncModelRun(() => ({ model, real: { w } }), cmds);
            } finally {
              // Each run's database goes now, not at the end of the test: runs would pile up connections.
              await w.close();
            }
          },
        ),
        { numRuns: runs },
      );
    });
  });
}
