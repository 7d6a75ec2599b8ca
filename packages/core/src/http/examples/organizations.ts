/** Examples of the organization, member and access endpoints for the generic HTTP tests. */
import type { ExampleSet } from "../http-fixture.js";

/** Examples of `organizations`, `members` and `access`. */
export const organizationExamples: ExampleSet = {
  "organizations.create": {
    build: async (fx) => ({
      body: { id: fx.unique("neworg"), name: fx.unique("New Org"), billingEmail: "billing@new.test" },
    }),
    // Someone in no organization yet (one organization per user by default).
    as: async (fx) => fx.signIn(await fx.user("Founder")),
    status: 201,
    foreign: false,
  },
  "organizations.list": { build: async () => ({}), foreign: false },
  "organizations.get": { build: async (_fx, side) => ({ params: { orgId: side.org.id } }) },
  "organizations.update": {
    build: async (_fx, side) => ({
      params: { orgId: side.org.id },
      body: { description: "Updated over HTTP" },
    }),
  },
  "organizations.delete": {
    // An organization of its own, so the shared ones survive.
    build: async (fx) => {
      const founder = await fx.user("Temp");
      const org = await fx.orgkit.as({ userId: founder.id }).organizations.create({
        id: fx.unique("temp"),
        name: fx.unique("Temporary"),
        billingEmail: "b@temp.test",
      });
      return { params: { orgId: org.id }, as: await fx.signIn(founder) };
    },
  },
  "organizations.leave": {
    build: async (fx, side) => {
      const leaver = await fx.user("Leaver");
      const { token } = await side.adminServices.invitations.create(side.org.id, {
        email: leaver.email,
        role: "org_user",
      });
      await fx.orgkit.as({ userId: leaver.id }).invitations.accept(token);
      return { params: { orgId: side.org.id }, as: await fx.signIn(leaver) };
    },
    foreign: false,
  },
  "members.list": { build: async (_fx, side) => ({ params: { orgId: side.org.id }, query: { limit: "1" } }) },
  "members.get": { build: async (_fx, side) => ({ params: { orgId: side.org.id, userId: side.member.id } }) },
  "members.updateRole": {
    build: async (_fx, side) => ({
      params: { orgId: side.org.id, userId: side.member.id },
      body: { role: "org_user" },
    }),
  },
  "members.remove": {
    build: async (fx, side) => {
      const leaver = await fx.user("Removed");
      const { token } = await side.adminServices.invitations.create(side.org.id, {
        email: leaver.email,
        role: "org_user",
      });
      await fx.orgkit.as({ userId: leaver.id }).invitations.accept(token);
      return { params: { orgId: side.org.id, userId: leaver.id } };
    },
  },
  "access.check": {
    build: async (_fx, side) => ({ params: { orgId: side.org.id }, query: { action: "members:invite" } }),
  },
  "access.permissions": { build: async (_fx, side) => ({ params: { orgId: side.org.id } }) },
  "access.appPermissions": {
    build: async (fx, side) => {
      const app = await side.adminServices.apps.create({
        id: fx.unique("app"),
        name: "Controls",
        ownerId: side.org.id,
      });
      return { params: { ownerId: side.org.id, appId: app.id } };
    },
  },
  "access.checkApp": {
    build: async (fx, side) => {
      const app = await side.adminServices.apps.create({
        id: fx.unique("app"),
        name: "Checked",
        ownerId: side.org.id,
      });
      return { params: { ownerId: side.org.id, appId: app.id }, query: { action: "models:train" } };
    },
  },
};
