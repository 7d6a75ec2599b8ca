/** HTTP behaviour of the invitations endpoints beyond the generic per-endpoint tests. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConformanceHarness } from "../testing/harness.js";
import { pendingInvitation } from "./examples/invitations.js";
import { createHttpFixture, type HttpFixture } from "./http-fixture.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Registers the invitations HTTP tests on one engine. */
export function invitationsHttpConformance(harness: ConformanceHarness): void {
  describe("invitations over HTTP", () => {
    let fx: HttpFixture;
    beforeAll(async () => {
      fx = await createHttpFixture(harness);
    });
    afterAll(async () => {
      await fx?.close();
    });

    describe("given an invitation created over HTTP", () => {
      it("is looked up, accepted once by the signed-in invitee, and then answers 409 INVITATION_ALREADY_USED", async () => {
        const invitee = await fx.user("Ivy");
        const created = await fx.send("POST", `/orgs/${fx.a.org.id}/invitations`, {
          as: fx.a.adminCookie,
          body: { email: invitee.email, role: "org_contributor" },
        });
        expect(created.status).toBe(201);
        expect(created.body.invitation).toMatchObject({
          organizationId: fx.a.org.id,
          email: invitee.email,
          role: "org_contributor",
          status: "pending",
          invitedBy: fx.a.admin.id,
        });
        const token: string = created.body.token;
        expect(token).toMatch(/^orgkit_inv_/);
        expect(created.body.acceptUrl).toContain(token);
        // The token is shown once: the list never carries it, nor its hash.
        const listed = await fx.send("GET", `/orgs/${fx.a.org.id}/invitations`, { as: fx.a.adminCookie });
        expect(listed.status).toBe(200);
        expect(listed.text).not.toContain(token);
        expect(listed.text).not.toMatch(/hash/i);
        expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(created.body.invitation.id);

        const preview = await fx.send("GET", `/invitations/${token}`);
        expect(preview.status).toBe(200);
        expect(preview.body).toEqual({
          organization: { id: fx.a.org.id, name: fx.a.org.name, logoUrl: fx.a.org.logoUrl },
          inviter: { id: fx.a.admin.id, name: fx.a.admin.name },
          email: invitee.email,
          role: "org_contributor",
          status: "pending",
          expiresAt: created.body.invitation.expiresAt,
        });

        const cookie = await fx.signIn(invitee);
        const accepted = await fx.send("POST", `/invitations/${token}/accept`, { as: cookie });
        expect(accepted.status).toBe(200);
        expect(accepted.body).toMatchObject({
          organization: { id: fx.a.org.id },
          member: { userId: invitee.id, email: invitee.email, role: "org_contributor" },
        });
        const member = await fx.send("GET", `/orgs/${fx.a.org.id}/members/${invitee.id}`, {
          as: fx.a.adminCookie,
        });
        expect(member.body).toMatchObject({ userId: invitee.id, role: "org_contributor" });

        const again = await fx.send("POST", `/invitations/${token}/accept`, { as: cookie });
        expect(again.status).toBe(409);
        expect(again.body).toMatchObject({ code: "INVITATION_ALREADY_USED" });
        const decline = await fx.send("POST", `/invitations/${token}/decline`);
        expect(decline.status).toBe(409);
        expect(decline.body).toMatchObject({ code: "INVITATION_ALREADY_USED" });
        expect((await fx.send("GET", `/invitations/${token}`)).body.status).toBe("accepted");
      });

      it("refuses the accept of someone signed in with another address with 403 INVITATION_EMAIL_MISMATCH", async () => {
        const { token } = await pendingInvitation(fx, fx.a);
        const stranger = await fx.user("Stranger");
        const result = await fx.send("POST", `/invitations/${token}/accept`, {
          as: await fx.signIn(stranger),
        });
        expect(result.status).toBe(403);
        expect(result.body).toMatchObject({ code: "INVITATION_EMAIL_MISMATCH" });
        expect((await fx.send("GET", `/invitations/${token}`)).body.status).toBe("pending");
      });

      it("refuses a cross-site accept authenticated by a cookie", async () => {
        const invitee = await fx.user("Cross");
        const { token } = await pendingInvitation(fx, fx.a, invitee.email);
        const result = await fx.send("POST", `/invitations/${token}/accept`, {
          as: await fx.signIn(invitee),
          crossSite: true,
        });
        expect(result.status).toBe(403);
        expect(result.body).toMatchObject({ code: "CROSS_ORIGIN_REQUEST" });
        expect((await fx.send("GET", `/invitations/${token}`)).body.status).toBe("pending");
      });

      it("is declined by anyone holding the token, after which it answers 410 INVITATION_DECLINED", async () => {
        const invitee = await fx.user("Dee");
        const { token } = await pendingInvitation(fx, fx.a, invitee.email);
        const declined = await fx.send("POST", `/invitations/${token}/decline`);
        expect(declined.status).toBe(204);
        expect((await fx.send("GET", `/invitations/${token}`)).body.status).toBe("declined");
        const accept = await fx.send("POST", `/invitations/${token}/accept`, {
          as: await fx.signIn(invitee),
        });
        expect(accept.status).toBe(410);
        expect(accept.body).toMatchObject({ code: "INVITATION_DECLINED" });
      });

      it("answers 410 INVITATION_REVOKED once rescinded, and leaves the pending list", async () => {
        const invitee = await fx.user("Rex");
        const { token, invitation } = await pendingInvitation(fx, fx.a, invitee.email);
        const rescinded = await fx.send("DELETE", `/orgs/${fx.a.org.id}/invitations/${invitation.id}`, {
          as: fx.a.adminCookie,
        });
        expect(rescinded.status).toBe(204);
        expect((await fx.send("GET", `/invitations/${token}`)).body.status).toBe("revoked");
        const accept = await fx.send("POST", `/invitations/${token}/accept`, {
          as: await fx.signIn(invitee),
        });
        expect(accept.status).toBe(410);
        expect(accept.body).toMatchObject({ code: "INVITATION_REVOKED" });
        const again = await fx.send("DELETE", `/orgs/${fx.a.org.id}/invitations/${invitation.id}`, {
          as: fx.a.adminCookie,
        });
        expect(again.status).toBe(410);
        const listed = await fx.send("GET", `/orgs/${fx.a.org.id}/invitations`, {
          as: fx.a.adminCookie,
          query: { limit: "100" },
        });
        expect(listed.body.items.map((i: { id: string }) => i.id)).not.toContain(invitation.id);
      });
    });

    describe("given a token that is not one", () => {
      it("answers a malformed token exactly as a well-formed unknown one, on lookup, accept and decline", async () => {
        const signedIn = await fx.signIn(await fx.user("Guess"));
        const unknown = `orgkit_inv_${"A".repeat(43)}`;
        const malformed = [
          "nope",
          `orgkit_inv_${"A".repeat(42)}`,
          `orgkit_inv_${"A".repeat(44)}`,
          `${"x".repeat(300)}`,
          "orgkit_inv_%F0%9F%98%80",
          "__proto__",
        ];
        const attempts: [string, string, typeof signedIn][] = [
          ["GET", "", null],
          ["POST", "/accept", signedIn],
          ["POST", "/decline", null],
        ];
        for (const [method, leaf, as] of attempts) {
          const reference = await fx.send(method, `/invitations/${unknown}${leaf}`, { as });
          expect(reference.status).toBe(404);
          expect(reference.body).toEqual({ code: "NOT_FOUND", message: "Not found.", param: "token" });
          for (const token of malformed) {
            const result = await fx.send(method, `/invitations/${token}${leaf}`, { as });
            expect({ token, status: result.status, text: result.text }).toEqual({
              token,
              status: reference.status,
              text: reference.text,
            });
          }
        }
      });
    });

    describe("given many pending invitations", () => {
      it("visits each once with limit=1, and refuses a tampered cursor or one of another organization", async () => {
        const ids = new Set<string>();
        for (let i = 0; i < 3; i++) ids.add((await pendingInvitation(fx, fx.b)).invitation.id);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<HttpFixture["send"]>> = await fx.send(
            "GET",
            `/orgs/${fx.b.org.id}/invitations`,
            { as: fx.b.adminCookie, query: { limit: "1", ...(cursor === null ? {} : { cursor }) } },
          );
          expect(page.status).toBe(200);
          expect(page.body.items.length).toBeLessThanOrEqual(1);
          seen.push(...page.body.items.map((i: { id: string }) => i.id));
          cursor = page.body.nextCursor;
        } while (cursor !== null && seen.length < 1000);
        expect(new Set(seen).size).toBe(seen.length);
        for (const id of ids) expect(seen).toContain(id);

        const first = await fx.send("GET", `/orgs/${fx.b.org.id}/invitations`, {
          as: fx.b.adminCookie,
          query: { limit: "1" },
        });
        const next: string = first.body.nextCursor;
        const tampered = `${next.slice(0, -2)}${next.endsWith("AA") ? "BB" : "AA"}`;
        const refused = await fx.send("GET", `/orgs/${fx.b.org.id}/invitations`, {
          as: fx.b.adminCookie,
          query: { cursor: tampered },
        });
        expect(refused.status).toBe(400);
        expect(refused.body).toMatchObject({ code: "INVALID_CURSOR" });

        await pendingInvitation(fx, fx.a);
        await pendingInvitation(fx, fx.a);
        const ofA = await fx.send("GET", `/orgs/${fx.a.org.id}/invitations`, {
          as: fx.a.adminCookie,
          query: { limit: "1" },
        });
        expect(ofA.body.nextCursor).toEqual(expect.any(String));
        const foreign = await fx.send("GET", `/orgs/${fx.b.org.id}/invitations`, {
          as: fx.b.adminCookie,
          query: { cursor: ofA.body.nextCursor },
        });
        expect(foreign.status).toBe(400);
        expect(foreign.body).toMatchObject({ code: "INVALID_CURSOR" });
      });
    });

    describe("given a plain member", () => {
      it("answers 403 to inviting, listing, rescinding and resending", async () => {
        const { invitation } = await pendingInvitation(fx, fx.a);
        const base = `/orgs/${fx.a.org.id}/invitations`;
        const results = await Promise.all([
          fx.send("POST", base, {
            as: fx.a.memberCookie,
            body: { email: `${fx.unique("x")}@example.test`, role: "admin" },
          }),
          fx.send("GET", base, { as: fx.a.memberCookie }),
          fx.send("DELETE", `${base}/${invitation.id}`, { as: fx.a.memberCookie }),
          fx.send("POST", `${base}/${invitation.id}/resend`, { as: fx.a.memberCookie }),
        ]);
        expect(results.map((r) => [r.status, r.body?.code])).toEqual(
          Array.from({ length: 4 }, () => [403, "FORBIDDEN"]),
        );
      });
    });

    describe("given an invitation past its expiry", () => {
      // A fixture of its own: moving the clock a week ends the shared fixture's sessions too.
      let late: HttpFixture;
      beforeAll(async () => {
        late = await createHttpFixture(harness);
      });
      afterAll(async () => {
        await late?.close();
      });

      it("answers 410 INVITATION_EXPIRED after its expiry, and a resend issues a new token that works", async () => {
        const invitee = await late.user("Eve");
        const { token, invitation } = await pendingInvitation(late, late.a, invitee.email);
        late.clock.advance(8 * DAY_MS);
        const cookie = await late.signIn(invitee);
        expect((await late.send("GET", `/invitations/${token}`)).body.status).toBe("expired");
        const accept = await late.send("POST", `/invitations/${token}/accept`, { as: cookie });
        expect(accept.status).toBe(410);
        expect(accept.body).toMatchObject({ code: "INVITATION_EXPIRED" });

        const resent = await late.send("POST", `/orgs/${late.a.org.id}/invitations/${invitation.id}/resend`, {
          as: await late.signIn(late.a.admin),
        });
        expect(resent.status).toBe(200);
        expect(resent.body.invitation).toMatchObject({ id: invitation.id, status: "pending" });
        expect(resent.body.token).not.toBe(token);
        // The old link stops working: its token is no longer known at all.
        const old = await late.send("GET", `/invitations/${token}`);
        expect(old.status).toBe(404);
        const accepted = await late.send("POST", `/invitations/${resent.body.token}/accept`, { as: cookie });
        expect(accepted.status).toBe(200);
      });
    });
  });
}
