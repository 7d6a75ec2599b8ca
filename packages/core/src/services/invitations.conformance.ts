import { describe, expect, it } from "vitest";
import { OrgKitError } from "../errors.js";
import { sha256Hex } from "../internal/ids.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  type World,
} from "../testing/harness.js";

const DAY = 24 * 60 * 60 * 1000;

async function acme(w: World) {
  const alice = await w.user("Alice");
  await w.organization(alice, "acme", "Acme");
  return { alice, asAlice: w.orgkit.as({ userId: alice.id }) };
}

/** Conformance: invitations and the outgoing mail they cause. */
export function invitationsConformance(harness: ConformanceHarness): void {
  describe("invitations", () => {
    describe("when an admin invites someone", () => {
      it("returns the token once, stores only its SHA-256, and mails the accept link after commit", async () => {
        const w = await createWorld(harness);
        const { alice, asAlice } = await acme(w);
        const issued = await asAlice.invitations.create("acme", {
          email: " Bob@Example.TEST ",
          role: "org_user",
        });
        expect(issued.token).toMatch(/^orgkit_inv_[0-9A-Za-z]{43}$/);
        expect(issued.acceptUrl).toBe(`https://app.example.test/invitations/${issued.token}`);
        expect(issued.invitation).toMatchObject({
          organizationId: "acme",
          email: "bob@example.test",
          role: "org_user",
          status: "pending",
          invitedBy: alice.id,
        });
        expect(issued.invitation.expiresAt.getTime() - w.clock.now().getTime()).toBe(7 * DAY);
        expect(issued.mail.status).toBe("sent");
        const [message] = w.mailer.sent;
        expect(message).toMatchObject({ to: "bob@example.test", template: "invitation" });
        expect(message!.text).toContain(issued.acceptUrl);
        expect(message!.data).toMatchObject({
          organizationName: "Acme",
          inviterName: "Alice",
          acceptUrl: issued.acceptUrl,
        });
        const stored = await w.storage.invitations.getByTokenHash(sha256Hex(issued.token));
        expect(stored?.key).toBe(issued.invitation.id);
        // Once delivered, the token exists nowhere at rest: not in the invitation, not in the
        // outbox, not in the audit trail.
        expect(JSON.stringify(await w.dump())).not.toContain(issued.token);
        expect((await w.storage.audit.listForOrganization("acme", 10)).at(-1)).toMatchObject({
          action: "ORGANIZATION_INVITATION_CREATE",
          after: { email: "bob@example.test", role: "org_user" },
        });
      });

      it("leaves the message in the outbox for the host when no mailer is configured", async () => {
        const w = await createWorld(harness, { mailer: undefined });
        const { asAlice } = await acme(w);
        const issued = await asAlice.invitations.create("acme", { email: "bob@example.test", role: "admin" });
        expect(issued.mail.status).toBe("pending");
        const outbox = await w.orgkit.outbox.list({ status: "pending" });
        expect(outbox.items).toHaveLength(1);
        expect(outbox.items[0]).toMatchObject({ id: issued.mail.id, to: "bob@example.test" });
        expect(outbox.items[0]!.text).toContain(issued.acceptUrl);
        await w.orgkit.outbox.markSent(issued.mail.id);
        expect((await w.orgkit.outbox.list({ status: "pending" })).items).toEqual([]);
        expect(JSON.stringify(await w.dump())).not.toContain(issued.token);
      });

      it("never loses the invitation when the mailer fails, and delivers it on retry", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        w.mailer.failing = true;
        const issued = await asAlice.invitations.create("acme", {
          email: "bob@example.test",
          role: "org_user",
        });
        expect(issued.mail.status).toBe("failed");
        expect((await w.orgkit.invitations.lookup(issued.token)).status).toBe("pending");
        const failed = await w.orgkit.outbox.list({ status: "failed" });
        expect(failed.items[0]).toMatchObject({ attempts: 1, lastError: "SMTP 451: try again later" });
        w.mailer.failing = false;
        expect(await w.orgkit.outbox.retry()).toEqual({ [issued.mail.id]: "sent" });
        expect(w.mailer.sent.map((m) => m.text)).toEqual([expect.stringContaining(issued.acceptUrl)]);
      });

      it("sends nothing when the invitation is refused", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        await asAlice.invitations.create("acme", { email: "bob@example.test", role: "org_user" });
        await expectFailsCleanly(
          w,
          () => asAlice.invitations.create("acme", { email: "BOB@example.test", role: "admin" }),
          "INVITATION_ALREADY_PENDING",
          "email",
        );
        expect(w.mailer.sent).toHaveLength(1);
      });

      it("refuses an existing member, bad input and non-admins, writing nothing", async () => {
        const w = await createWorld(harness);
        const { alice, asAlice } = await acme(w);
        const bob = await w.user("Bob");
        await w.join("acme", alice, bob, "org_contributor");
        const sent = w.mailer.sent.length;
        await expectFailsCleanly(
          w,
          () => asAlice.invitations.create("acme", { email: bob.email, role: "admin" }),
          "ALREADY_MEMBER",
          "email",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.invitations.create("acme", { email: "nope", role: "admin" }),
          "VALIDATION_FAILED",
          "email",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.invitations.create("acme", { email: "c@example.test", role: "owner" as never }),
          "VALIDATION_FAILED",
          "role",
        );
        await expectFailsCleanly(
          w,
          () =>
            asAlice.invitations.create("acme", {
              email: "c@example.test",
              role: "admin",
              teamIds: ["a", "a"],
            }),
          "VALIDATION_FAILED",
          "teamIds",
        );
        await expectFailsCleanly(
          w,
          () =>
            w.orgkit
              .as({ userId: bob.id })
              .invitations.create("acme", { email: "c@example.test", role: "admin" }),
          "FORBIDDEN",
        );
        expect(w.mailer.sent).toHaveLength(sent);
      });

      it("rate-limits invitations per inviting account and per organization", async () => {
        const w = await createWorld(harness, {
          rateLimits: {
            invitation: {
              perAccount: { limit: 3, windowSeconds: 3600 },
              perOrganization: { limit: 5, windowSeconds: 3600 },
            },
          },
        });
        const { alice, asAlice } = await acme(w);
        const bob = await w.user("Bob");
        await w.join("acme", alice, bob, "admin"); // Alice's first invitation
        for (const x of ["a", "b"])
          await asAlice.invitations.create("acme", { email: `${x}@x.test`, role: "org_user" });
        const limited = await expectFailsCleanly(
          w,
          () => asAlice.invitations.create("acme", { email: "c@x.test", role: "org_user" }),
          "RATE_LIMITED",
        );
        expect(limited.details?.retryAfterSeconds).toBeGreaterThan(0);
        const asBob = w.orgkit.as({ userId: bob.id });
        // Refused attempts count too: this is the 5th for the organization.
        await asBob.invitations.create("acme", { email: "d@x.test", role: "org_user" });
        await expectOrgKitError(
          asBob.invitations.create("acme", { email: "e@x.test", role: "org_user" }),
          "RATE_LIMITED",
        );
        w.clock.advance(3600 * 1000);
        await asBob.invitations.create("acme", { email: "e@x.test", role: "org_user" });
      });

      it("honours a configured expiry and accept link", async () => {
        const w = await createWorld(harness, {
          invitations: { ttlMs: 2 * DAY, link: (token) => `https://x.test/join#${token}` },
        });
        const { asAlice } = await acme(w);
        const issued = await asAlice.invitations.create("acme", {
          email: "bob@example.test",
          role: "org_user",
        });
        expect(issued.acceptUrl).toBe(`https://x.test/join#${issued.token}`);
        expect(issued.invitation.expiresAt.getTime()).toBe(w.clock.now().getTime() + 2 * DAY);
      });
    });

    describe("given pending invitations", () => {
      it("lists them newest first with a cursor, without expired or answered ones", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const emails = ["a", "b", "c", "d", "e"].map((x) => `${x}@example.test`);
        const tokens: string[] = [];
        for (const email of emails) {
          w.clock.advance(DAY);
          tokens.push((await asAlice.invitations.create("acme", { email, role: "org_user" })).token);
        }
        await w.orgkit.invitations.decline(tokens[4]!);
        w.clock.advance(3 * DAY + 1); // a@ is now 7 days + 1 ms old
        const first = await asAlice.invitations.listPending("acme", { limit: 2 });
        expect(first.items.map((i) => i.email)).toEqual(["d@example.test", "c@example.test"]);
        const second = await asAlice.invitations.listPending("acme", { limit: 2, cursor: first.nextCursor! });
        expect(second.items.map((i) => i.email)).toEqual(["b@example.test"]);
        expect(second.nextCursor).toBeNull();
        await expectOrgKitError(
          w.orgkit.as({ userId: (await w.user("Eve")).id }).invitations.listPending("acme"),
          "NOT_FOUND",
        );
      });

      it("rescinds one: its link stops working and the list no longer shows it", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const bob = await w.user("Bob");
        const issued = await asAlice.invitations.create("acme", { email: bob.email, role: "org_user" });
        const rescinded = await asAlice.invitations.rescind("acme", issued.invitation.id);
        expect(rescinded.status).toBe("revoked");
        expect((await w.orgkit.invitations.lookup(issued.token)).status).toBe("revoked");
        expect((await asAlice.invitations.listPending("acme")).items).toEqual([]);
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: bob.id }).invitations.accept(issued.token),
          "INVITATION_REVOKED",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.invitations.rescind("acme", issued.invitation.id),
          "INVITATION_REVOKED",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.invitations.rescind("acme", "missing"),
          "NOT_FOUND",
          "invitationId",
        );
        expect((await w.storage.audit.listForOrganization("acme", 10)).at(-1)?.action).toBe(
          "ORGANIZATION_INVITATION_CANCEL",
        );
      });

      it("resends one with a new token and a new expiry; the old link stops working", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const bob = await w.user("Bob");
        const first = await asAlice.invitations.create("acme", { email: bob.email, role: "org_user" });
        w.clock.advance(8 * DAY);
        expect((await w.orgkit.invitations.lookup(first.token)).status).toBe("expired");
        const second = await asAlice.invitations.resend("acme", first.invitation.id);
        expect(second.token).not.toBe(first.token);
        expect(second.invitation.id).toBe(first.invitation.id);
        expect(second.invitation.expiresAt.getTime()).toBe(w.clock.now().getTime() + 7 * DAY);
        expect(w.mailer.sent.at(-1)?.text).toContain(second.acceptUrl);
        await expectOrgKitError(w.orgkit.invitations.lookup(first.token), "NOT_FOUND", "token");
        await w.orgkit.as({ userId: bob.id }).invitations.accept(second.token);
        await expectOrgKitError(
          asAlice.invitations.resend("acme", first.invitation.id),
          "INVITATION_ALREADY_USED",
        );
      });

      it("shows the accept page what it needs, to anyone holding the token", async () => {
        const w = await createWorld(harness);
        const { alice, asAlice } = await acme(w);
        const issued = await asAlice.invitations.create("acme", {
          email: "bob@example.test",
          role: "financial_manager",
        });
        expect(await w.orgkit.invitations.lookup(issued.token)).toEqual({
          organization: { id: "acme", name: "Acme", logoUrl: null },
          inviter: { id: alice.id, name: "Alice" },
          email: "bob@example.test",
          role: "financial_manager",
          status: "pending",
          expiresAt: issued.invitation.expiresAt,
        });
        await expectOrgKitError(
          w.orgkit.invitations.lookup("orgkit_inv_short"),
          "VALIDATION_FAILED",
          "token",
        );
        await expectOrgKitError(
          w.orgkit.invitations.lookup(`orgkit_inv_${"A".repeat(43)}`),
          "NOT_FOUND",
          "token",
        );
      });
    });

    describe("when the invitee accepts", () => {
      it("a person without an account registers first, then joins with the invited role", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const issued = await asAlice.invitations.create("acme", {
          email: "newbie@example.test",
          role: "org_contributor",
        });
        const newbie = await w.orgkit.users.register({ email: "NEWBIE@example.test", name: "Newbie" });
        const accepted = await w.orgkit.as({ userId: newbie.id }).invitations.accept(issued.token);
        expect(accepted.organization.id).toBe("acme");
        expect(accepted.member).toMatchObject({ userId: newbie.id, role: "org_contributor" });
        expect(await w.orgkit.as({ userId: newbie.id }).users.me()).toMatchObject({ emailVerified: true });
        expect((await w.orgkit.invitations.lookup(issued.token)).status).toBe("accepted");
        const actions = (await w.storage.audit.listForOrganization("acme", 20))
          .map((e) => e.action)
          .slice(-2);
        expect(actions).toEqual(["ORGANIZATION_INVITATION_ACCEPT", "ORGANIZATION_MEMBER_ADD"]);
      });

      it("refuses a user whose email is not the invited one, and anonymous callers, writing nothing", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const issued = await asAlice.invitations.create("acme", {
          email: "bob@example.test",
          role: "org_user",
        });
        const eve = await w.user("Eve");
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: eve.id }).invitations.accept(issued.token),
          "INVITATION_EMAIL_MISMATCH",
        );
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: "ghost" }).invitations.accept(issued.token),
          "UNAUTHENTICATED",
        );
      });

      it("succeeds once: a second accept is INVITATION_ALREADY_USED", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const bob = await w.user("Bob");
        const issued = await asAlice.invitations.create("acme", { email: bob.email, role: "org_user" });
        await w.orgkit.as({ userId: bob.id }).invitations.accept(issued.token);
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: bob.id }).invitations.accept(issued.token),
          "INVITATION_ALREADY_USED",
        );
        await expectFailsCleanly(
          w,
          () => w.orgkit.invitations.decline(issued.token),
          "INVITATION_ALREADY_USED",
        );
      });

      it("refuses an expired invitation", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const bob = await w.user("Bob");
        const issued = await asAlice.invitations.create("acme", { email: bob.email, role: "org_user" });
        w.clock.advance(7 * DAY);
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: bob.id }).invitations.accept(issued.token),
          "INVITATION_EXPIRED",
        );
        // A new invitation to the same address replaces the expired one.
        await asAlice.invitations.create("acme", { email: bob.email, role: "org_user" });
      });

      it("respects the one-organization rule, and the invitation waits until they leave", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const bob = await w.user("Bob");
        await w.organization(bob, "bobs", "Bob's");
        await w.join("bobs", bob, await w.user("Carol"), "admin");
        const issued = await asAlice.invitations.create("acme", { email: bob.email, role: "org_user" });
        const asBob = w.orgkit.as({ userId: bob.id });
        await expectFailsCleanly(w, () => asBob.invitations.accept(issued.token), "ALREADY_IN_ORGANIZATION");
        await asBob.organizations.leave("bobs");
        await asBob.invitations.accept(issued.token);
        expect((await asBob.organizations.list()).map((o) => o.id)).toEqual(["acme"]);
      });

      it("makes exactly one membership out of many parallel accepts", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const bob = await w.user("Bob");
        const issued = await asAlice.invitations.create("acme", { email: bob.email, role: "org_user" });
        const n = harness.parallelism ?? 20;
        const kits = [w.orgkit, await w.another(), await w.another()];
        const results = await Promise.allSettled(
          Array.from({ length: n }, (_, i) =>
            kits[i % kits.length]!.as({ userId: bob.id }).invitations.accept(issued.token),
          ),
        );
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of results) {
          if (r.status === "rejected") {
            expect(r.reason).toBeInstanceOf(OrgKitError);
            expect(r.reason.code).toBe("INVITATION_ALREADY_USED");
          }
        }
        const members = await asAlice.members.list("acme");
        expect(members.items.map((m) => m.userId).sort()).toEqual(["alice", "bob"]);
        const joins = (await w.storage.audit.listForOrganization("acme", 100)).filter(
          (e) => e.action === "ORGANIZATION_INVITATION_ACCEPT",
        );
        expect(joins).toHaveLength(1);
      });
    });

    describe("when the invitee declines", () => {
      it("marks it declined for good, audited, without needing an account", async () => {
        const w = await createWorld(harness);
        const { asAlice } = await acme(w);
        const issued = await asAlice.invitations.create("acme", {
          email: "bob@example.test",
          role: "org_user",
        });
        await w.orgkit.invitations.decline(issued.token);
        expect((await w.orgkit.invitations.lookup(issued.token)).status).toBe("declined");
        const bob = await w.user("Bob");
        await expectFailsCleanly(
          w,
          () => w.orgkit.as({ userId: bob.id }).invitations.accept(issued.token),
          "INVITATION_DECLINED",
        );
        expect((await w.storage.audit.listForOrganization("acme", 10)).at(-1)).toMatchObject({
          action: "ORGANIZATION_INVITATION_DECLINE",
          actor: { type: "anonymous", id: null },
        });
      });
    });
  });
}
