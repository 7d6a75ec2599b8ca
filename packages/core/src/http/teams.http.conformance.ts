/**
 * HTTP behaviour of the team and policy endpoints beyond the generic per-endpoint tests: team
 * grants and policies deciding app access as seen over HTTP, the admin's "explain", and paging
 * with cursors that are refused when tampered with or taken from another list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrganizationRole } from "../authz/scopes.js";
import type { User } from "../schemas/user.js";
import type { ConformanceHarness } from "../testing/harness.js";
import { type Credentials, createHttpFixture, type HttpFixture, type HttpSide } from "./http-fixture.js";

/** `cursor` with one character changed (still base64url, so only the signature can catch it). */
function tamper(cursor: string): string {
  const at = Math.floor(cursor.length / 3);
  const replacement = cursor[at] === "A" ? "B" : "A";
  return `${cursor.slice(0, at)}${replacement}${cursor.slice(at + 1)}`;
}

/** Registers the teams HTTP tests on one engine. */
export function teamsHttpConformance(harness: ConformanceHarness): void {
  describe("teams over HTTP", () => {
    let fx: HttpFixture;
    beforeAll(async () => {
      fx = await createHttpFixture(harness);
    });
    afterAll(async () => {
      await fx?.close();
    });

    /** A new member of `side`'s organization with `role`, and their session cookie. */
    async function joined(
      side: HttpSide,
      name: string,
      role: OrganizationRole,
    ): Promise<[User, Credentials]> {
      const user = await fx.user(name);
      const { token } = await side.adminServices.invitations.create(side.org.id, { email: user.email, role });
      await fx.orgkit.as({ userId: user.id }).invitations.accept(token);
      return [user, await fx.signIn(user)];
    }

    const newApp = (side: HttpSide, labels: string[] = []) =>
      side.adminServices.apps.create({
        id: fx.unique("app"),
        name: fx.unique("App"),
        ownerId: side.org.id,
        labels,
      });

    async function newTeam(side: HttpSide): Promise<string> {
      const id = fx.unique("team");
      const created = await fx.send("POST", `/orgs/${side.org.id}/teams`, {
        as: side.adminCookie,
        body: { id, name: `Team ${id}` },
      });
      expect(created.status).toBe(201);
      return id;
    }

    const checkApp = (side: HttpSide, appId: string, action: string, as: Credentials) =>
      fx.send("GET", `/${side.org.id}/apps/${appId}/access/check`, { as, query: { action } });

    describe("given a team contributor, who sees only the apps their teams hold", () => {
      it("lets a team grant decide what they may do on an app, and takes it back on removal", async () => {
        const a = fx.a;
        const [carl, carlCookie] = await joined(a, "Carl", "team_contributor");
        const app = await newApp(a);
        // Before any grant the app is invisible: it answers like a missing one.
        const hidden = await checkApp(a, app.id, "apps:get", carlCookie);
        expect([hidden.status, hidden.body.code]).toEqual([404, "NOT_FOUND"]);

        const teamId = await newTeam(a);
        const base = `/orgs/${a.org.id}/teams/${teamId}`;
        const added = await fx.send("POST", `${base}/members`, {
          as: a.adminCookie,
          body: { userIds: [carl.id] },
        });
        expect([added.status, added.body.items.map((m: { userId: string }) => m.userId)]).toEqual([
          200,
          [carl.id],
        ]);
        const granted = await fx.send("POST", `${base}/apps`, {
          as: a.adminCookie,
          body: { apps: [{ appId: app.id, role: "labeler_worker" }] },
        });
        expect(granted.status).toBe(200);

        const read = await checkApp(a, app.id, "apps:get", carlCookie);
        expect(read.status).toBe(200);
        expect(read.body).toMatchObject({ allowed: true, action: "apps:get" });
        expect(read.body.reasons).toContainEqual({
          type: "team",
          teamId,
          appRole: "labeler_worker",
          effect: "allow",
        });
        // A labeler worker does not train models; a model trainer does, on the very next call.
        expect((await checkApp(a, app.id, "models:train", carlCookie)).body.allowed).toBe(false);
        const changed = await fx.send("PATCH", `${base}/apps/${app.id}`, {
          as: a.adminCookie,
          body: { role: "model_trainer" },
        });
        expect([changed.status, changed.body.role]).toEqual([200, "model_trainer"]);
        expect((await checkApp(a, app.id, "models:train", carlCookie)).body.allowed).toBe(true);
        const apps = await fx.send("GET", `${base}/apps`, { as: a.adminCookie });
        expect(apps.body.items.map((x: { appId: string; role: string }) => [x.appId, x.role])).toEqual([
          [app.id, "model_trainer"],
        ]);

        const removed = await fx.send("DELETE", `${base}/members/${carl.id}`, { as: a.adminCookie });
        expect(removed.status).toBe(204);
        expect((await checkApp(a, app.id, "apps:get", carlCookie)).status).toBe(404);
        // Removing again: they are no longer in it.
        const again = await fx.send("DELETE", `${base}/members/${carl.id}`, { as: a.adminCookie });
        expect([again.status, again.body.code, again.body.param]).toEqual([404, "NOT_FOUND", "userId"]);
      });

      it("refuses the team contributor managing teams, and refuses adding someone from another organization", async () => {
        const a = fx.a;
        const [, carlCookie] = await joined(a, "Cora", "team_contributor");
        const denied = await fx.send("POST", `/orgs/${a.org.id}/teams`, {
          as: carlCookie,
          body: { id: fx.unique("team"), name: "Mine" },
        });
        expect([denied.status, denied.body.code]).toEqual([403, "FORBIDDEN"]);

        const teamId = await newTeam(a);
        const outsider = await fx.send("POST", `/orgs/${a.org.id}/teams/${teamId}/members`, {
          as: a.adminCookie,
          body: { userIds: [a.member.id, fx.b.member.id] },
        });
        expect([outsider.status, outsider.body.code, outsider.body.param]).toEqual([
          404,
          "NOT_FOUND",
          "userIds.1",
        ]);
        // All or nothing: the member named first was not added either.
        const members = await fx.send("GET", `/orgs/${a.org.id}/teams/${teamId}/members`, {
          as: a.adminCookie,
        });
        expect(members.body).toEqual({ items: [], nextCursor: null });
      });
    });

    describe("given a deny policy on a team", () => {
      it("names the policy in the member's own decision and in the admin's explanation, until it is deleted", async () => {
        const a = fx.a;
        const [dana, danaCookie] = await joined(a, "Dana", "team_contributor");
        const app = await newApp(a);
        const teamId = await newTeam(a);
        const base = `/orgs/${a.org.id}/teams/${teamId}`;
        await fx.send("POST", `${base}/members`, { as: a.adminCookie, body: { userIds: [dana.id] } });
        await fx.send("POST", `${base}/apps`, {
          as: a.adminCookie,
          body: { apps: [{ appId: app.id, role: "full_access" }] },
        });
        expect((await checkApp(a, app.id, "models:train", danaCookie)).body.allowed).toBe(true);

        const created = await fx.send("POST", `/orgs/${a.org.id}/policies`, {
          as: a.adminCookie,
          body: {
            name: "No training outside hipaa",
            effect: "deny",
            subjects: { teams: [teamId] },
            actions: ["models:train"],
            resources: { labelsNone: ["hipaa"] },
          },
        });
        expect(created.status).toBe(201);
        const policyId: string = created.body.id;
        const denyReason = { type: "policy", policyId, name: "No training outside hipaa", effect: "deny" };

        const own = await checkApp(a, app.id, "models:train", danaCookie);
        expect(own.status).toBe(200);
        expect(own.body.allowed).toBe(false);
        expect(own.body.reasons).toContainEqual(denyReason);
        // Deny overrides the team's allow, and both are named.
        expect(own.body.reasons).toContainEqual(expect.objectContaining({ type: "team", teamId }));
        // Other actions are untouched.
        expect((await checkApp(a, app.id, "models:get", danaCookie)).body.allowed).toBe(true);

        const explained = await fx.send("GET", `/orgs/${a.org.id}/policies/explain`, {
          as: a.adminCookie,
          query: { userId: dana.id, action: "models:train", appId: app.id },
        });
        expect(explained.status).toBe(200);
        expect(explained.body).toEqual(own.body);

        const deleted = await fx.send("DELETE", `/orgs/${a.org.id}/policies/${policyId}`, {
          as: a.adminCookie,
        });
        expect(deleted.status).toBe(204);
        const after = await checkApp(a, app.id, "models:train", danaCookie);
        expect(after.body.allowed).toBe(true);
        expect(after.body.reasons).not.toContainEqual(expect.objectContaining({ type: "policy" }));
        const gone = await fx.send("GET", `/orgs/${a.org.id}/policies/${policyId}`, { as: a.adminCookie });
        expect([gone.status, gone.body.param]).toEqual([404, "policyId"]);
      });
    });

    describe("explain", () => {
      it("explains an app the member cannot see instead of hiding it", async () => {
        const a = fx.a;
        const [erin, erinCookie] = await joined(a, "Erin", "team_contributor");
        const app = await newApp(a);
        expect((await checkApp(a, app.id, "apps:get", erinCookie)).status).toBe(404);
        const explained = await fx.send("GET", `/orgs/${a.org.id}/policies/explain`, {
          as: a.adminCookie,
          query: { userId: erin.id, action: "apps:get", appId: app.id },
        });
        expect(explained.status).toBe(200);
        expect(explained.body).toMatchObject({
          allowed: false,
          action: "apps:get",
          resource: { type: "app", appId: app.id, organizationId: a.org.id },
        });
        expect(explained.body.reasons).toContainEqual({ type: "no_grant", role: "team_contributor" });
        // Never the app's internal key.
        expect(explained.text).not.toContain('"appKey"');
      });

      it("explains an organization action, and answers NOT_FOUND for someone outside the organization", async () => {
        const a = fx.a;
        const org = await fx.send("GET", `/orgs/${a.org.id}/policies/explain`, {
          as: a.adminCookie,
          query: { userId: a.member.id, action: "members:invite" },
        });
        expect(org.status).toBe(200);
        expect(org.body).toMatchObject({
          allowed: false,
          resource: { type: "organization", organizationId: a.org.id },
        });
        const mine = await fx.send("GET", `/orgs/${a.org.id}/access/check`, {
          as: a.memberCookie,
          query: { action: "members:invite" },
        });
        expect(org.body).toEqual(mine.body);

        const outsider = await fx.send("GET", `/orgs/${a.org.id}/policies/explain`, {
          as: a.adminCookie,
          query: { userId: fx.b.member.id, action: "members:invite" },
        });
        expect([outsider.status, outsider.body.code, outsider.body.param]).toEqual([
          404,
          "NOT_FOUND",
          "userId",
        ]);
        const foreignApp = await newApp(fx.b);
        const other = await fx.send("GET", `/orgs/${a.org.id}/policies/explain`, {
          as: a.adminCookie,
          query: { userId: a.member.id, action: "apps:get", appId: foreignApp.id },
        });
        expect([other.status, other.body.code, other.body.param]).toEqual([404, "NOT_FOUND", "appId"]);
      });

      it("is refused to a member without security:get", async () => {
        const refused = await fx.send("GET", `/orgs/${fx.a.org.id}/policies/explain`, {
          as: fx.a.memberCookie,
          query: { userId: fx.a.admin.id, action: "org:delete" },
        });
        expect([refused.status, refused.body.code]).toEqual([403, "FORBIDDEN"]);
      });
    });

    describe("given ids no row can have (a NUL byte, which Postgres text refuses)", () => {
      it("answers 404 or 400, never 5xx", async () => {
        const a = fx.a;
        const teamId = await newTeam(a);
        const nul = "x\u0000y";
        const org = `/orgs/${a.org.id}`;
        const requests: [string, string, unknown?][] = [
          ["GET", `${org}/teams/${encodeURIComponent(nul)}`],
          ["DELETE", `${org}/teams/${teamId}/members/${encodeURIComponent(nul)}`],
          ["PATCH", `${org}/teams/${teamId}/apps/${encodeURIComponent(nul)}`, { role: "full_access" }],
          ["POST", `${org}/teams/${teamId}/members`, { userIds: [nul] }],
          ["GET", `${org}/policies/${encodeURIComponent(nul)}`],
          ["DELETE", `${org}/policies/${encodeURIComponent(nul)}`],
          [
            "POST",
            `${org}/policies`,
            { name: "p", effect: "deny", subjects: { users: [nul] }, actions: ["predict"] },
          ],
        ];
        const answered: string[] = [];
        for (const [method, path, body] of requests) {
          const result = await fx.send(method, path, {
            as: a.adminCookie,
            ...(body === undefined ? {} : { body }),
          });
          answered.push(
            `${method} ${path} ${result.status === 404 || result.status === 400 ? "4xx" : result.status}`,
          );
        }
        expect(answered).toEqual(requests.map(([method, path]) => `${method} ${path} 4xx`));
        for (const path of [
          `${org}/teams`,
          `${org}/teams/${teamId}/members`,
          `${org}/teams/${teamId}/apps`,
        ]) {
          const searched = await fx.send("GET", path, { as: a.adminCookie, query: { search: nul } });
          expect([path, searched.status]).toEqual([path, searched.status === 200 ? 200 : 400]);
        }
        const explained = await fx.send("GET", `${org}/policies/explain`, {
          as: a.adminCookie,
          query: { userId: nul, action: "predict" },
        });
        expect([400, 404]).toContain(explained.status);
      });
    });

    describe("paging", () => {
      /** Every page of `path` with `limit=1`, as `as`; the ids of each page's item by `id`. */
      async function walk(path: string, as: Credentials, id: (item: Record<string, string>) => string) {
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 50; pages += 1) {
          const page = await fx.send("GET", path, {
            as,
            query: cursor === null ? { limit: "1" } : { limit: "1", cursor },
          });
          expect(page.status).toBe(200);
          expect(page.body.items.length).toBeLessThanOrEqual(1);
          seen.push(...page.body.items.map(id));
          cursor = page.body.nextCursor;
          if (cursor === null) return seen;
        }
        throw new Error(`${path} did not end after 50 pages.`);
      }

      it("visits every team member exactly once with limit=1, and refuses a tampered cursor", async () => {
        const a = fx.a;
        const teamId = await newTeam(a);
        const people = [a.admin, a.member];
        for (const name of ["Finn", "Gus", "Hana"]) people.push((await joined(a, name, "org_user"))[0]);
        const path = `/orgs/${a.org.id}/teams/${teamId}/members`;
        await fx.send("POST", path, { as: a.adminCookie, body: { userIds: people.map((p) => p.id) } });

        const seen = await walk(path, a.adminCookie, (m) => m.userId as string);
        expect(seen).toHaveLength(people.length);
        expect([...seen].sort()).toEqual(people.map((p) => p.id).sort());

        const first = await fx.send("GET", path, { as: a.adminCookie, query: { limit: "1" } });
        const cursor: string = first.body.nextCursor;
        expect(typeof cursor).toBe("string");
        const tampered = await fx.send("GET", path, {
          as: a.adminCookie,
          query: { limit: "1", cursor: tamper(cursor) },
        });
        expect([tampered.status, tampered.body.code]).toEqual([400, "INVALID_CURSOR"]);
        const truncated = await fx.send("GET", path, {
          as: a.adminCookie,
          query: { limit: "1", cursor: cursor.slice(0, -1) },
        });
        expect([truncated.status, truncated.body.code]).toEqual([400, "INVALID_CURSOR"]);
        // The untouched cursor still works.
        const second = await fx.send("GET", path, { as: a.adminCookie, query: { limit: "1", cursor } });
        expect(second.status).toBe(200);
        expect(second.body.items[0].userId).toBe(seen[1]);
      });

      it("refuses a cursor of another organization's list, or of another team's", async () => {
        const a = fx.a;
        const b = fx.b;
        const bTeam = await newTeam(b);
        await fx.send("POST", `/orgs/${b.org.id}/teams/${bTeam}/members`, {
          as: b.adminCookie,
          body: { userIds: [b.admin.id, b.member.id] },
        });
        const aTeam = await newTeam(a);
        const otherATeam = await newTeam(a);
        for (const teamId of [aTeam, otherATeam]) {
          await fx.send("POST", `/orgs/${a.org.id}/teams/${teamId}/members`, {
            as: a.adminCookie,
            body: { userIds: [a.admin.id, a.member.id] },
          });
        }
        const fromB = await fx.send("GET", `/orgs/${b.org.id}/teams/${bTeam}/members`, {
          as: b.adminCookie,
          query: { limit: "1" },
        });
        const bCursor: string = fromB.body.nextCursor;
        expect(typeof bCursor).toBe("string");
        const onA = await fx.send("GET", `/orgs/${a.org.id}/teams/${aTeam}/members`, {
          as: a.adminCookie,
          query: { limit: "1", cursor: bCursor },
        });
        expect([onA.status, onA.body.code]).toEqual([400, "INVALID_CURSOR"]);

        const fromTeam = await fx.send("GET", `/orgs/${a.org.id}/teams/${otherATeam}/members`, {
          as: a.adminCookie,
          query: { limit: "1" },
        });
        const onOtherTeam = await fx.send("GET", `/orgs/${a.org.id}/teams/${aTeam}/members`, {
          as: a.adminCookie,
          query: { limit: "1", cursor: fromTeam.body.nextCursor },
        });
        expect([onOtherTeam.status, onOtherTeam.body.code]).toEqual([400, "INVALID_CURSOR"]);

        // The teams list: B has at least two teams (the fixture's examples add none here).
        await newTeam(b);
        const bTeams = await fx.send("GET", `/orgs/${b.org.id}/teams`, {
          as: b.adminCookie,
          query: { limit: "1" },
        });
        const teamsOnA = await fx.send("GET", `/orgs/${a.org.id}/teams`, {
          as: a.adminCookie,
          query: { limit: "1", cursor: bTeams.body.nextCursor },
        });
        expect([teamsOnA.status, teamsOnA.body.code]).toEqual([400, "INVALID_CURSOR"]);
      });

      it("pages policies oldest first, and refuses another organization's policy cursor", async () => {
        const policy = async (side: HttpSide, name: string) => {
          const teamId = await newTeam(side);
          const created = await fx.send("POST", `/orgs/${side.org.id}/policies`, {
            as: side.adminCookie,
            body: { name, effect: "allow", subjects: { teams: [teamId] }, actions: ["predict"] },
          });
          expect(created.status).toBe(201);
          return created.body.id as string;
        };
        const a = fx.a;
        const names = ["first", "second", "third"];
        const ids: string[] = [];
        for (const name of names) {
          ids.push(await policy(a, name));
          fx.clock.advance(1000);
        }
        const seen = await walk(`/orgs/${a.org.id}/policies`, a.adminCookie, (p) => p.id as string);
        expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
        expect(new Set(seen).size).toBe(seen.length);

        await policy(fx.b, "b-one");
        await policy(fx.b, "b-two");
        const fromB = await fx.send("GET", `/orgs/${fx.b.org.id}/policies`, {
          as: fx.b.adminCookie,
          query: { limit: "1" },
        });
        expect(typeof fromB.body.nextCursor).toBe("string");
        const onA = await fx.send("GET", `/orgs/${a.org.id}/policies`, {
          as: a.adminCookie,
          query: { limit: "1", cursor: fromB.body.nextCursor },
        });
        expect([onA.status, onA.body.code]).toEqual([400, "INVALID_CURSOR"]);
        const tampered = await fx.send("GET", `/orgs/${fx.b.org.id}/policies`, {
          as: fx.b.adminCookie,
          query: { limit: "1", cursor: tamper(fromB.body.nextCursor) },
        });
        expect([tampered.status, tampered.body.code]).toEqual([400, "INVALID_CURSOR"]);
      });
    });
  });
}
