/** HTTP behaviour of the apps endpoints beyond the generic per-endpoint tests. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../schemas/user.js";
import type { ConformanceHarness } from "../testing/harness.js";
import { TRAINING_INPUTS } from "./examples/apps.js";
import { type Credentials, createHttpFixture, type HttpFixture, type HttpSide } from "./http-fixture.js";

/** Registers the apps HTTP tests on one engine. */
export function appsHttpConformance(harness: ConformanceHarness): void {
  describe("apps over HTTP", () => {
    let fx: HttpFixture;
    beforeAll(async () => {
      fx = await createHttpFixture(harness);
    });
    afterAll(async () => {
      await fx?.close();
    });

    /** Creates an app of `side`'s organization over HTTP as its admin. */
    const createApp = async (side: HttpSide, body: Record<string, unknown> = {}) => {
      const id = fx.unique("app");
      const result = await fx.send("POST", `/${side.org.id}/apps`, {
        as: side.adminCookie,
        body: { id, name: `App ${id}`, ...body },
      });
      expect(result.status).toBe(201);
      return result.body as { id: string; ownerId: string };
    };

    /** A new member of `side`'s organization with `role`, signed in. */
    const joinAs = async (side: HttpSide, role: "team_contributor" | "org_user") => {
      const user = await fx.user("Joiner");
      const { token } = await side.adminServices.invitations.create(side.org.id, { email: user.email, role });
      await fx.orgkit.as({ userId: user.id }).invitations.accept(token);
      return { user, cookie: await fx.signIn(user) };
    };

    describe("given an app with labelled text inputs", () => {
      it("trains a model and predicts the trained concept, each version listed newest first", async () => {
        const { a } = fx;
        const app = await createApp(a);
        const base = `/${a.org.id}/apps/${app.id}`;
        expect(
          (await fx.send("POST", `${base}/inputs`, { as: a.adminCookie, body: { inputs: TRAINING_INPUTS } }))
            .body.items,
        ).toHaveLength(TRAINING_INPUTS.length);
        const created = await fx.send("POST", `${base}/models`, {
          as: a.adminCookie,
          body: { id: "triage", type: "text-classifier" },
        });
        expect(created.status).toBe(201);
        const untrained = await fx.send("POST", `${base}/models/triage/predict`, {
          as: a.adminCookie,
          body: { text: "refund please" },
        });
        expect({ status: untrained.status, code: untrained.body.code }).toEqual({
          status: 409,
          code: "MODEL_NOT_TRAINED",
        });

        const trained = await fx.send("POST", `${base}/models/triage/train`, { as: a.adminCookie });
        expect(trained.status).toBe(201);
        expect(trained.body).toMatchObject({ number: 1, status: "trained", metrics: { concepts: 2 } });
        await fx.send("POST", `${base}/models/triage/train`, { as: a.adminCookie, body: {} });

        // A plain member (org_user) may predict, by a token holding only `predict`.
        const token = await fx.pat(a.member, ["predict"]);
        const billing = await fx.send("POST", `${base}/models/triage/predict`, {
          as: token,
          body: { text: "please refund this charge" },
        });
        expect(billing.status).toBe(200);
        expect(billing.body.items[0].conceptId).toBe("billing");
        const bug = await fx.send("POST", `${base}/models/triage/predict`, {
          as: a.memberCookie,
          body: { text: "it crashes with an error", version: 1 },
        });
        expect(bug.body.items[0].conceptId).toBe("bug");
        expect(bug.body.items.reduce((sum: number, p: { value: number }) => sum + p.value, 0)).toBeCloseTo(
          1,
          9,
        );
        // ...but not train.
        const refused = await fx.send("POST", `${base}/models/triage/train`, { as: a.memberCookie });
        expect({ status: refused.status, code: refused.body.code }).toEqual({
          status: 403,
          code: "FORBIDDEN",
        });

        const first = await fx.send("GET", `${base}/models/triage/versions`, {
          as: a.adminCookie,
          query: { limit: "1" },
        });
        expect(first.body.items.map((v: { number: number }) => v.number)).toEqual([2]);
        const second = await fx.send("GET", `${base}/models/triage/versions`, {
          as: a.adminCookie,
          query: { limit: "1", cursor: first.body.nextCursor },
        });
        expect(second.body).toMatchObject({ items: [{ number: 1 }], nextCursor: null });
      });
    });

    describe("given an app of one's personal account", () => {
      it("transfers it with its content: the old path answers 404, the new one 200", async () => {
        const { a } = fx;
        const id = fx.unique("personal");
        const personal = await fx.send("POST", `/${a.admin.id}/apps`, {
          as: a.adminCookie,
          body: { id, name: "Prototype" },
        });
        expect(personal.body).toMatchObject({ ownerId: a.admin.id, ownerType: "user" });
        await fx.send("POST", `/${a.admin.id}/apps/${id}/models`, {
          as: a.adminCookie,
          body: { id: "triage", type: "text-classifier" },
        });

        const moved = await fx.send("POST", `/${a.admin.id}/apps/${id}/transfer`, {
          as: a.adminCookie,
          body: { organizationId: a.org.id, name: "Prototype (Acme)" },
        });
        expect(moved.status).toBe(200);
        expect(moved.body).toMatchObject({ id, ownerId: a.org.id, ownerType: "organization" });

        const old = await fx.send("GET", `/${a.admin.id}/apps/${id}`, { as: a.adminCookie });
        expect({ status: old.status, code: old.body.code }).toEqual({ status: 404, code: "NOT_FOUND" });
        expect((await fx.send("GET", `/${a.org.id}/apps/${id}`, { as: a.adminCookie })).body.name).toBe(
          "Prototype (Acme)",
        );
        expect(
          (await fx.send("GET", `/${a.org.id}/apps/${id}/models/triage`, { as: a.adminCookie })).status,
        ).toBe(200);
        // An organization's app cannot be transferred again.
        const again = await fx.send("POST", `/${a.org.id}/apps/${id}/transfer`, {
          as: a.adminCookie,
          body: { organizationId: a.org.id },
        });
        expect(again.status).toBe(403);
      });

      it("answers 404 to a transfer into an organization the owner does not belong to", async () => {
        const { a, b } = fx;
        const id = fx.unique("personal");
        await fx.send("POST", `/${a.admin.id}/apps`, { as: a.adminCookie, body: { id, name: "Mine" } });
        const result = await fx.send("POST", `/${a.admin.id}/apps/${id}/transfer`, {
          as: a.adminCookie,
          body: { organizationId: b.org.id },
        });
        expect({ status: result.status, param: result.body.param }).toEqual({
          status: 404,
          param: "organizationId",
        });
        expect((await fx.send("GET", `/${a.admin.id}/apps/${id}`, { as: a.adminCookie })).status).toBe(200);
      });
    });

    describe("given a private app of an organization", () => {
      it("hides it (404) from a team contributor until a team of theirs is given it", async () => {
        const { a } = fx;
        const app = await createApp(a);
        const { user, cookie } = await joinAs(a, "team_contributor");
        const path = `/${a.org.id}/apps/${app.id}`;
        const hidden = await fx.send("GET", path, { as: cookie });
        expect({ status: hidden.status, code: hidden.body.code }).toEqual({ status: 404, code: "NOT_FOUND" });
        expect((await fx.send("GET", `${path}/models`, { as: cookie })).status).toBe(404);
        const listed = async () =>
          (await fx.send("GET", `/${a.org.id}/apps`, { as: cookie, query: { limit: "100" } })).body.items.map(
            (item: { id: string }) => item.id,
          );
        expect(await listed()).not.toContain(app.id);

        const teamId = fx.unique("team");
        await a.adminServices.teams.create(a.org.id, { id: teamId, name: `Team ${teamId}` });
        await a.adminServices.teams.addMembers(a.org.id, teamId, [user.id]);
        await a.adminServices.teams.addApps(a.org.id, teamId, [{ appId: app.id, role: "labeler_worker" }]);
        expect((await fx.send("GET", path, { as: cookie })).status).toBe(200);
        expect(await listed()).toContain(app.id);
        // A labeler worker may label but not delete the app.
        expect((await fx.send("DELETE", path, { as: cookie })).status).toBe(403);
      });

      it("shows it to a collaborator from outside, until removed", async () => {
        const { a } = fx;
        const app = await createApp(a);
        const outsider = await fx.user("Outsider");
        const cookie = await fx.signIn(outsider);
        const path = `/${a.org.id}/apps/${app.id}`;
        expect((await fx.send("GET", path, { as: cookie })).status).toBe(404);
        const added = await fx.send("POST", `${path}/collaborators`, {
          as: a.adminCookie,
          body: { userId: outsider.id, role: "model_trainer" },
        });
        expect(added.body).toMatchObject({ userId: outsider.id, role: "model_trainer", appId: app.id });
        expect((await fx.send("GET", path, { as: cookie })).status).toBe(200);
        const mine = await fx.send("GET", "/me/collaborations", { as: cookie });
        expect(mine.body).toEqual({
          items: [
            expect.objectContaining({ role: "model_trainer", app: expect.objectContaining({ id: app.id }) }),
          ],
          nextCursor: null,
        });
        const ofOrg = await fx.send("GET", `/${a.org.id}/collaborators`, {
          as: a.adminCookie,
          query: { limit: "100" },
        });
        expect(ofOrg.body.items).toContainEqual(
          expect.objectContaining({ appId: app.id, userId: outsider.id }),
        );
        // A member of the organization cannot be made a collaborator.
        const insider = await fx.send("POST", `${path}/collaborators`, {
          as: a.adminCookie,
          body: { userId: a.member.id, role: "full_access" },
        });
        expect({ status: insider.status, param: insider.body.param }).toEqual({
          status: 400,
          param: "userId",
        });

        expect(
          (await fx.send("DELETE", `${path}/collaborators/${outsider.id}`, { as: a.adminCookie })).status,
        ).toBe(204);
        expect((await fx.send("GET", path, { as: cookie })).status).toBe(404);
        expect(
          (await fx.send("DELETE", `${path}/collaborators/${outsider.id}`, { as: a.adminCookie })).status,
        ).toBe(404);
      });

      it("answers a token lacking the scope 403 on it, and a token of someone who cannot see it 404", async () => {
        const { a, b } = fx;
        const app = await createApp(a);
        const path = `/${a.org.id}/apps/${app.id}`;
        const narrow = await fx.pat(a.admin, ["billing:get"]);
        expect((await fx.send("GET", path, { as: narrow })).status).toBe(403);
        expect((await fx.send("GET", `${path}/inputs`, { as: narrow })).status).toBe(403);
        expect((await fx.send("GET", `/${a.org.id}/apps`, { as: narrow })).status).toBe(403);
        const outsiders = await fx.pat(b.admin, ["apps:get", "inputs:get"]);
        expect((await fx.send("GET", path, { as: outsiders })).status).toBe(404);
        expect((await fx.send("GET", `${path}/inputs`, { as: outsiders })).status).toBe(404);
        const wide = await fx.pat(a.admin, ["apps:get"]);
        expect((await fx.send("GET", path, { as: wide })).body.id).toBe(app.id);
      });
    });

    describe("given an account with several apps", () => {
      let side: HttpSide;
      let created: string[];
      let owner: User;
      let cookie: Credentials;
      beforeAll(async () => {
        // An account of its own, so that apps other tests create do not change its list.
        owner = await fx.user("Lister");
        cookie = await fx.signIn(owner);
        side = fx.a;
        created = [];
        for (const name of ["delta", "alpha", "charlie", "bravo", "echo"]) {
          const result = await fx.send("POST", `/${owner.id}/apps`, {
            as: cookie,
            body: { id: name, name: name.toUpperCase(), visibility: name === "echo" ? "public" : "private" },
          });
          expect(result.status).toBe(201);
          created.push(name);
          fx.clock.advance(1000);
        }
      });

      const walk = async (query: Record<string, string>, as: Credentials = cookie) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 20; pages += 1) {
          const result = await fx.send("GET", `/${owner.id}/apps`, {
            as,
            query: { ...query, limit: "1", ...(cursor === null ? {} : { cursor }) },
          });
          expect(result.status).toBe(200);
          expect(result.body.items.length).toBeLessThanOrEqual(1);
          seen.push(...result.body.items.map((item: { id: string }) => item.id));
          cursor = result.body.nextCursor;
          if (cursor === null) break;
        }
        return seen;
      };

      it("walks every app exactly once with limit=1, pinned first, in each sort", async () => {
        expect(await walk({})).toEqual(["echo", "bravo", "charlie", "alpha", "delta"]);
        expect(await walk({ sort: "name" })).toEqual(["alpha", "bravo", "charlie", "delta", "echo"]);
        expect((await fx.send("PUT", `/${owner.id}/apps/charlie/pin`, { as: cookie })).status).toBe(204);
        expect(await walk({ sort: "name" })).toEqual(["charlie", "alpha", "bravo", "delta", "echo"]);
        expect(await walk({ sort: "name", direction: "desc" })).toEqual([
          "charlie",
          "echo",
          "delta",
          "bravo",
          "alpha",
        ]);
        expect(await walk({ search: "ha" })).toEqual(["charlie", "alpha"]);
        expect((await fx.send("DELETE", `/${owner.id}/apps/charlie/pin`, { as: cookie })).status).toBe(204);
        expect(await walk({ sort: "name" })).toEqual([...created].sort());
      });

      it("shows another account only its public apps", async () => {
        expect(await walk({}, side.adminCookie)).toEqual(["echo"]);
        expect((await fx.send("GET", `/${owner.id}/apps/alpha`, { as: side.adminCookie })).status).toBe(404);
      });

      it("refuses a cursor from another list or a tampered one", async () => {
        const page = await fx.send("GET", `/${owner.id}/apps`, { as: cookie, query: { limit: "1" } });
        const byName = await fx.send("GET", `/${owner.id}/apps`, {
          as: cookie,
          query: { limit: "1", sort: "name", cursor: page.body.nextCursor },
        });
        expect({ status: byName.status, code: byName.body.code }).toEqual({
          status: 400,
          code: "INVALID_CURSOR",
        });
        const tampered = await fx.send("GET", `/${owner.id}/apps`, {
          as: cookie,
          query: { limit: "1", cursor: `${page.body.nextCursor}x` },
        });
        expect(tampered.body.code).toBe("INVALID_CURSOR");
      });
    });

    describe("given a model and a workflow", () => {
      it("stars them into the caller's starred list, and unstars them", async () => {
        const { a } = fx;
        const app = await createApp(a);
        const base = `/${a.org.id}/apps/${app.id}`;
        await fx.send("POST", `${base}/models`, {
          as: a.adminCookie,
          body: { id: "triage", type: "embedder" },
        });
        const workflow = await fx.send("POST", `${base}/workflows`, {
          as: a.adminCookie,
          body: { id: "route", graph: { nodes: [{ id: "n", modelId: "triage" }] } },
        });
        expect(workflow.body).toMatchObject({ id: "route", version: 1 });
        const { cookie } = await joinAs(a, "org_user");
        expect((await fx.send("PUT", `${base}/models/triage/star`, { as: cookie })).status).toBe(204);
        fx.clock.advance(1000);
        expect((await fx.send("PUT", `${base}/workflows/route/star`, { as: cookie })).status).toBe(204);
        expect((await fx.send("PUT", `${base}/workflows/route/star`, { as: cookie })).status).toBe(204);
        const stars = await fx.send("GET", "/me/stars", { as: cookie });
        expect(stars.body.items.map((s: { kind: string; id: string }) => `${s.kind}:${s.id}`)).toEqual([
          "workflow:route",
          "model:triage",
        ]);
        expect((await fx.send("PUT", `${base}/models/nope/star`, { as: cookie })).status).toBe(404);
        expect((await fx.send("DELETE", `${base}/models/triage/star`, { as: cookie })).status).toBe(204);
        expect((await fx.send("GET", "/me/stars", { as: cookie })).body.items).toEqual([
          expect.objectContaining({ kind: "workflow", id: "route", appId: app.id, ownerId: a.org.id }),
        ]);
        // The admin's list is their own.
        expect(
          (await fx.send("GET", "/me/stars", { as: a.adminCookie })).body.items.map(
            (s: { id: string }) => s.id,
          ),
        ).not.toContain("route");
      });

      it("versions a workflow on a new graph and refuses a cycle with the offending edge", async () => {
        const { a } = fx;
        const app = await createApp(a);
        const base = `/${a.org.id}/apps/${app.id}`;
        for (const id of ["one", "two"]) {
          await fx.send("POST", `${base}/models`, { as: a.adminCookie, body: { id, type: "embedder" } });
        }
        const nodes = [
          { id: "a", modelId: "one" },
          { id: "b", modelId: "two" },
        ];
        const cyclic = await fx.send("POST", `${base}/workflows`, {
          as: a.adminCookie,
          body: {
            id: "loop",
            graph: {
              nodes,
              edges: [
                { from: "a", to: "b" },
                { from: "b", to: "a" },
              ],
            },
          },
        });
        expect({ status: cyclic.status, param: cyclic.body.param }).toEqual({
          status: 400,
          param: "graph.edges.0",
        });
        await fx.send("POST", `${base}/workflows`, {
          as: a.adminCookie,
          body: { id: "flow", graph: { nodes: [nodes[0]] } },
        });
        const updated = await fx.send("PATCH", `${base}/workflows/flow`, {
          as: a.adminCookie,
          body: { graph: { nodes, edges: [{ from: "a", to: "b" }] } },
        });
        expect(updated.body.version).toBe(2);
        const versions = await fx.send("GET", `${base}/workflows/flow/versions`, { as: a.adminCookie });
        expect(
          versions.body.items.map((v: { number: number; graph: { nodes: unknown[] } }) => [
            v.number,
            v.graph.nodes.length,
          ]),
        ).toEqual([
          [2, 2],
          [1, 1],
        ]);
      });
    });

    describe("given inputs with concepts", () => {
      it("lists them by concept, gets and deletes one, and pages the concepts", async () => {
        const { a } = fx;
        const app = await createApp(a);
        const base = `/${a.org.id}/apps/${app.id}`;
        const added = await fx.send("POST", `${base}/inputs`, {
          as: a.adminCookie,
          body: {
            inputs: [
              { id: "t1", text: "charged twice", conceptIds: ["billing"] },
              { id: "u1", url: "https://example.test/crash.png", conceptIds: ["bug", "ui"] },
            ],
          },
        });
        expect(added.status).toBe(201);
        const conflict = await fx.send("POST", `${base}/inputs`, {
          as: a.adminCookie,
          body: { inputs: [{ id: "t1", text: "again" }] },
        });
        expect(conflict.status).toBe(409);
        const billing = await fx.send("GET", `${base}/inputs`, {
          as: a.adminCookie,
          query: { conceptId: "billing" },
        });
        expect(billing.body.items.map((i: { id: string }) => i.id)).toEqual(["t1"]);
        expect((await fx.send("GET", `${base}/inputs/u1`, { as: a.adminCookie })).body).toMatchObject({
          id: "u1",
          text: null,
          conceptIds: ["bug", "ui"],
        });
        const concepts: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await fx.send(
            "GET",
            `${base}/concepts`,
            { as: a.adminCookie, query: { limit: "2", ...(cursor === null ? {} : { cursor }) } },
          );
          concepts.push(...page.body.items.map((c) => c.id));
          cursor = page.body.nextCursor;
        } while (cursor !== null);
        expect(concepts).toEqual(["billing", "bug", "ui"]);
        expect((await fx.send("DELETE", `${base}/inputs/t1`, { as: a.adminCookie })).status).toBe(204);
        expect((await fx.send("GET", `${base}/inputs/t1`, { as: a.adminCookie })).status).toBe(404);
        // A plain member reads inputs but cannot delete them.
        expect((await fx.send("GET", `${base}/inputs/u1`, { as: a.memberCookie })).status).toBe(200);
        expect((await fx.send("DELETE", `${base}/inputs/u1`, { as: a.memberCookie })).status).toBe(403);
      });
    });
  });
}
