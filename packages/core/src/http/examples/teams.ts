/** Examples of the team, team member, team app and policy endpoints for the generic HTTP tests. */
import type { Team } from "../../schemas/team.js";
import type { ExampleSet, HttpFixture, HttpSide } from "../http-fixture.js";

/** A fresh team of the side's organization. */
const team = (fx: HttpFixture, side: HttpSide): Promise<Team> =>
  side.adminServices.teams.create(side.org.id, { id: fx.unique("team"), name: fx.unique("Team") });

/** A fresh app of the side's organization. */
const app = (fx: HttpFixture, side: HttpSide) =>
  side.adminServices.apps.create({ id: fx.unique("app"), name: fx.unique("App"), ownerId: side.org.id });

/** A fresh team holding a fresh app as `labeler_worker`. */
async function teamWithApp(fx: HttpFixture, side: HttpSide) {
  const t = await team(fx, side);
  const a = await app(fx, side);
  await side.adminServices.teams.addApps(side.org.id, t.id, [{ appId: a.id, role: "labeler_worker" }]);
  return { team: t, app: a };
}

/**
 * A policy that applies to nobody (its only subject is an empty team), so creating it in the
 * shared fixture changes no other endpoint's answer.
 */
async function inertPolicy(fx: HttpFixture, side: HttpSide) {
  const t = await team(fx, side);
  return {
    name: fx.unique("Policy"),
    effect: "deny" as const,
    subjects: { teams: [t.id] },
    actions: ["models:train" as const],
  };
}

/** Examples of `teams`, `teamMembers`, `teamApps` and `policies`. */
export const teamExamples: ExampleSet = {
  "teams.create": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id },
      body: { id: fx.unique("team"), name: "Labelers" },
    }),
    status: 201,
  },
  "teams.list": {
    build: async (fx, side) => {
      await team(fx, side);
      return { params: { orgId: side.org.id }, query: { limit: "2" } };
    },
  },
  "teams.get": {
    build: async (fx, side) => ({ params: { orgId: side.org.id, teamId: (await team(fx, side)).id } }),
  },
  "teams.update": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id, teamId: (await team(fx, side)).id },
      body: { name: "Renamed over HTTP" },
    }),
  },
  "teams.delete": {
    build: async (fx, side) => ({ params: { orgId: side.org.id, teamId: (await team(fx, side)).id } }),
  },
  "teamMembers.add": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id, teamId: (await team(fx, side)).id },
      body: { userIds: [side.member.id] },
    }),
  },
  "teamMembers.list": {
    build: async (fx, side) => {
      const t = await team(fx, side);
      await side.adminServices.teams.addMembers(side.org.id, t.id, [side.member.id, side.admin.id]);
      return { params: { orgId: side.org.id, teamId: t.id }, query: { limit: "1" } };
    },
  },
  "teamMembers.remove": {
    build: async (fx, side) => {
      const t = await team(fx, side);
      await side.adminServices.teams.addMembers(side.org.id, t.id, [side.member.id]);
      return { params: { orgId: side.org.id, teamId: t.id, userId: side.member.id } };
    },
  },
  "teamApps.add": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id, teamId: (await team(fx, side)).id },
      body: { apps: [{ appId: (await app(fx, side)).id, role: "model_trainer" }] },
    }),
  },
  "teamApps.list": {
    build: async (fx, side) => {
      const { team: t } = await teamWithApp(fx, side);
      return { params: { orgId: side.org.id, teamId: t.id } };
    },
  },
  "teamApps.updateRole": {
    build: async (fx, side) => {
      const { team: t, app: a } = await teamWithApp(fx, side);
      return { params: { orgId: side.org.id, teamId: t.id, appId: a.id }, body: { role: "labeler_lead" } };
    },
  },
  "teamApps.remove": {
    build: async (fx, side) => {
      const { team: t, app: a } = await teamWithApp(fx, side);
      return { params: { orgId: side.org.id, teamId: t.id, appId: a.id } };
    },
  },
  "policies.create": {
    build: async (fx, side) => ({ params: { orgId: side.org.id }, body: await inertPolicy(fx, side) }),
    status: 201,
  },
  "policies.list": {
    build: async (fx, side) => {
      await side.adminServices.policies.create(side.org.id, await inertPolicy(fx, side));
      return { params: { orgId: side.org.id }, query: { limit: "1" } };
    },
  },
  "policies.explain": {
    build: async (fx, side) => ({
      params: { orgId: side.org.id },
      query: { userId: side.member.id, action: "models:train", appId: (await app(fx, side)).id },
    }),
  },
  "policies.get": {
    build: async (fx, side) => {
      const policy = await side.adminServices.policies.create(side.org.id, await inertPolicy(fx, side));
      return { params: { orgId: side.org.id, policyId: policy.id } };
    },
  },
  "policies.update": {
    build: async (fx, side) => {
      const input = await inertPolicy(fx, side);
      const policy = await side.adminServices.policies.create(side.org.id, input);
      return {
        params: { orgId: side.org.id, policyId: policy.id },
        body: { ...input, name: "Renamed", actions: ["models:train", "workflows:add"] },
      };
    },
  },
  "policies.delete": {
    build: async (fx, side) => {
      const policy = await side.adminServices.policies.create(side.org.id, await inertPolicy(fx, side));
      return { params: { orgId: side.org.id, policyId: policy.id } };
    },
  },
};
