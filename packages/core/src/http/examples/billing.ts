/** Examples of the billing, usage, budget and audit endpoints for the generic HTTP tests. */
import type { ExampleSet, HttpFixture, HttpSide } from "../http-fixture.js";

/** January 2026, the month the fixture's clock is in. */
const JANUARY = { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" };

/** A meter of the examples' own with a price, so the shared fixture's statements stay unpriced. */
async function pricedExampleMeter(fx: HttpFixture): Promise<void> {
  const system = fx.orgkit.system();
  await system.billing.setMeter({
    id: "example.call",
    name: "Example calls",
    unit: "call",
    aggregation: "sum",
  });
  await system.billing.setPrice({
    meter: "example.call",
    effectiveFrom: "2026-01",
    tiers: [{ upTo: null, amount: 5 }],
  });
}

/** A budget on a fresh team of `side`, set by its admin. */
async function teamBudget(fx: HttpFixture, side: HttpSide): Promise<string> {
  const team = await side.adminServices.teams.create(side.org.id, {
    id: fx.unique("budgeted"),
    name: "Budgeted",
  });
  const budget = await side.adminServices.budgets.set(side.org.id, {
    scope: { type: "team", teamId: team.id },
    amount: 50_000,
  });
  return budget.id;
}

/** Examples of `billing`, `usage`, `budgets` and `audit`. */
export const billingExamples: ExampleSet = {
  "billing.getAccount": { build: async (_fx, side) => ({ params: { orgId: side.org.id } }) },
  "billing.updateAccount": {
    build: async (_fx, side) => ({
      params: { orgId: side.org.id },
      body: { billingEmail: `ap@${side.org.id}.test`, consolidated: true },
    }),
  },
  "billing.meters": { build: async () => ({ query: { limit: "100" } }) },
  "billing.prices": {
    build: async (fx) => {
      await pricedExampleMeter(fx);
      return { query: { currency: "USD" } };
    },
  },
  "billing.statement": {
    build: async (_fx, side) => ({ params: { orgId: side.org.id, period: "2026-01" } }),
  },
  "billing.exportStatement": {
    build: async (_fx, side) => ({ params: { orgId: side.org.id, period: "2026-01" } }),
  },
  "billing.closePeriod": {
    // An organization of its own, so closing December leaves the shared ones open.
    build: async (fx) => {
      const founder = await fx.user("Closer");
      const org = await fx.orgkit.as({ userId: founder.id }).organizations.create({
        id: fx.unique("closing"),
        name: fx.unique("Closing"),
        billingEmail: "b@closing.test",
      });
      return { params: { orgId: org.id, period: "2025-12" }, as: await fx.signIn(founder) };
    },
  },
  "billing.activity": {
    build: async (_fx, side) => ({ params: { orgId: side.org.id }, query: JANUARY }),
  },
  "usage.mine": {
    // A plain member: their own usage needs no billing scope.
    build: async (_fx, side) => ({ params: { orgId: side.org.id }, query: JANUARY, as: side.memberCookie }),
  },
  "budgets.set": {
    build: async (_fx, side) => ({
      params: { orgId: side.org.id },
      body: { scope: { type: "member", userId: side.member.id }, amount: 10_000 },
    }),
  },
  "budgets.list": {
    build: async (fx, side) => {
      await teamBudget(fx, side);
      return { params: { orgId: side.org.id }, query: { period: "2026-01" } };
    },
  },
  "budgets.get": {
    build: async (fx, side) => ({ params: { orgId: side.org.id, budgetId: await teamBudget(fx, side) } }),
  },
  "budgets.delete": {
    build: async (fx, side) => ({ params: { orgId: side.org.id, budgetId: await teamBudget(fx, side) } }),
  },
  "audit.query": {
    build: async (_fx, side) => ({ params: { orgId: side.org.id }, query: { limit: "5" } }),
  },
  "audit.verify": { build: async (_fx, side) => ({ params: { orgId: side.org.id } }) },
  "audit.exportJsonl": { build: async (_fx, side) => ({ params: { orgId: side.org.id } }) },
  "audit.exportCsv": {
    build: async (_fx, side) => ({ params: { orgId: side.org.id }, query: JANUARY }),
  },
};
