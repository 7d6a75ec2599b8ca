import { describe, expect, it } from "vitest";
import { sha256Hex } from "../internal/ids.js";
import { createOrgKit } from "../orgkit.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  type World,
} from "../testing/harness.js";

const PASSWORD = "correct horse battery staple";
const DAY = 24 * 60 * 60 * 1000;

async function person(w: World, name: string, password = PASSWORD) {
  return w.orgkit.users.register({ email: `${name.toLowerCase()}@example.test`, name, password });
}

/** Conformance: password sign-in, sessions, lockout, password change and reset. */
export function sessionsConformance(harness: ConformanceHarness): void {
  describe("sessions", () => {
    describe("when a user signs in with the right password", () => {
      it("issues an opaque session token, stored only as a hash, that authenticates as the user", async () => {
        const w = await createWorld(harness);
        const alice = await person(w, "Alice");
        const signedIn = await w.orgkit.auth.signIn(
          { email: " ALICE@example.test ", password: PASSWORD },
          { ip: "198.51.100.4", userAgent: "test" },
        );
        expect(signedIn.token).toMatch(/^orgkit_ses_[0-9A-Za-z]{43}$/);
        expect(signedIn.passwordChangeRequired).toBe(false);
        const auth = await w.orgkit.auth.authenticate(signedIn.token);
        expect(auth.actor).toEqual({ userId: alice.id, organizationId: null });
        expect(auth.session).toMatchObject({
          id: signedIn.session.id,
          ip: "198.51.100.4",
          userAgent: "test",
        });
        const dump = JSON.stringify(await w.dump());
        expect(dump).not.toContain(signedIn.token);
        expect(dump).toContain(sha256Hex(signedIn.token));
        expect(dump).not.toContain(PASSWORD);
        expect((await w.orgkit.as(auth.actor).sessions.list()).map((s) => s.id)).toEqual([
          signedIn.session.id,
        ]);
        const events = await w.storage.audit.listForOrganization(null, 10);
        expect(events.map((e) => e.action)).toContain("SECURITY_SIGN_IN");
      });

      it("renews the idle expiry on use and ends the session at the absolute one", async () => {
        const w = await createWorld(harness);
        await person(w, "Alice");
        const { token } = await w.orgkit.auth.signIn({ email: "alice@example.test", password: PASSWORD });
        for (let i = 0; i < 4; i++) {
          w.clock.advance(6 * DAY);
          await w.orgkit.auth.authenticate(token); // within the 7-day idle window: renewed
        }
        w.clock.advance(6 * DAY + 1); // 30 days + 1 ms after sign-in
        await expectOrgKitError(w.orgkit.auth.authenticate(token), "UNAUTHENTICATED");
        const second = await w.orgkit.auth.signIn({ email: "alice@example.test", password: PASSWORD });
        w.clock.advance(7 * DAY);
        await expectOrgKitError(w.orgkit.auth.authenticate(second.token), "UNAUTHENTICATED");
      });

      it("rehashes the password when the hashing parameters rose", async () => {
        const w = await createWorld(harness);
        const alice = await person(w, "Alice");
        expect((await w.storage.users.getById(alice.id))?.passwordHash).toMatch(/^\$scrypt\$ln=4,/);
        const stronger = createOrgKit({
          storage: w.storage,
          baseUrl: "https://app.example.test",
          clock: w.clock,
          passwordHashing: { ln: 5, r: 8, p: 1 },
        });
        await stronger.auth.signIn({ email: alice.email, password: PASSWORD });
        expect((await w.storage.users.getById(alice.id))?.passwordHash).toMatch(/^\$scrypt\$ln=5,/);
        await stronger.auth.signIn({ email: alice.email, password: PASSWORD });
      });
    });

    describe("when sign-in fails", () => {
      it("answers a wrong password, an unknown email and a password-less account alike", async () => {
        const w = await createWorld(harness);
        await person(w, "Alice");
        await w.orgkit.users.register({ email: "bob@example.test", name: "Bob" });
        const wrong = await expectOrgKitError(
          w.orgkit.auth.signIn({ email: "alice@example.test", password: "not the password at all" }),
          "INVALID_CREDENTIALS",
        );
        const unknown = await expectOrgKitError(
          w.orgkit.auth.signIn({ email: "nobody@example.test", password: PASSWORD }),
          "INVALID_CREDENTIALS",
        );
        const none = await expectOrgKitError(
          w.orgkit.auth.signIn({ email: "bob@example.test", password: PASSWORD }),
          "INVALID_CREDENTIALS",
        );
        expect(wrong.toJSON()).toEqual(unknown.toJSON());
        expect(none.toJSON()).toEqual(unknown.toJSON());
        expect(wrong.status).toBe(401);
      });

      it("locks the account after 5 failures in 15 minutes, answering exactly as for a wrong password", async () => {
        const w = await createWorld(harness);
        await person(w, "Alice");
        for (let i = 0; i < 5; i++) {
          await expectOrgKitError(
            w.orgkit.auth.signIn({ email: "alice@example.test", password: `wrong ${i}` }),
            "INVALID_CREDENTIALS",
          );
        }
        const locked = await expectOrgKitError(
          w.orgkit.auth.signIn({ email: "alice@example.test", password: PASSWORD }),
          "INVALID_CREDENTIALS",
        );
        expect(locked.message).toBe("The email address or the password is not right.");
        w.clock.advance(15 * 60 * 1000);
        await w.orgkit.auth.signIn({ email: "alice@example.test", password: PASSWORD });
        // Success forgets the failures: four more do not lock.
        for (let i = 0; i < 4; i++) {
          await expectOrgKitError(
            w.orgkit.auth.signIn({ email: "alice@example.test", password: `wrong ${i}` }),
            "INVALID_CREDENTIALS",
          );
        }
        await w.orgkit.auth.signIn({ email: "alice@example.test", password: PASSWORD });
      });

      it("forgets failures older than the window", async () => {
        const w = await createWorld(harness);
        await person(w, "Alice");
        for (let i = 0; i < 4; i++) {
          await expectOrgKitError(
            w.orgkit.auth.signIn({ email: "alice@example.test", password: "wrong" }),
            "INVALID_CREDENTIALS",
          );
        }
        w.clock.advance(16 * 60 * 1000);
        await expectOrgKitError(
          w.orgkit.auth.signIn({ email: "alice@example.test", password: "wrong" }),
          "INVALID_CREDENTIALS",
        );
        await w.orgkit.auth.signIn({ email: "alice@example.test", password: PASSWORD });
      });

      it("rate-limits attempts per account with the seconds to wait", async () => {
        const w = await createWorld(harness);
        await person(w, "Alice");
        for (let i = 0; i < 10; i++) {
          await expectOrgKitError(
            w.orgkit.auth.signIn({ email: "eve@example.test", password: "guess" }, { ip: `203.0.113.${i}` }),
            "INVALID_CREDENTIALS",
          );
        }
        const limited = await expectOrgKitError(
          w.orgkit.auth.signIn({ email: "eve@example.test", password: "guess" }, { ip: "203.0.113.99" }),
          "RATE_LIMITED",
        );
        expect(limited.status).toBe(429);
        expect(limited.details?.retryAfterSeconds).toBeGreaterThan(0);
        expect(limited.details?.retryAfterSeconds).toBeLessThanOrEqual(900);
        // Another account from another address is not affected.
        await w.orgkit.auth.signIn({ email: "alice@example.test", password: PASSWORD }, { ip: "192.0.2.1" });
      });

      it("refuses malformed input before any work, and never echoes the password", async () => {
        const w = await createWorld(harness);
        const long = await expectOrgKitError(
          w.orgkit.auth.signIn({ email: "a@example.test", password: "p".repeat(1025) }),
          "VALIDATION_FAILED",
          "password",
        );
        expect(JSON.stringify(long.toJSON())).not.toContain("ppppp");
        await expectOrgKitError(
          w.orgkit.auth.signIn({ email: "a@example.test" } as never),
          "VALIDATION_FAILED",
          "password",
        );
      });
    });

    describe("given a signed-in session", () => {
      it("switches the acting context to an organization of the user and back, and drops it once they are removed", async () => {
        const w = await createWorld(harness);
        const alice = await person(w, "Alice");
        const bob = await person(w, "Bob");
        await w.organization(alice, "acme");
        await w.join("acme", alice, bob, "org_user");
        await w.organization(await person(w, "Carol"), "other");
        const { token } = await w.orgkit.auth.signIn({ email: bob.email, password: PASSWORD });
        expect((await w.orgkit.auth.switchContext(token, "acme")).actor.organizationId).toBe("acme");
        expect((await w.orgkit.auth.authenticate(token)).actor).toEqual({
          userId: bob.id,
          organizationId: "acme",
        });
        await expectOrgKitError(w.orgkit.auth.switchContext(token, "other"), "NOT_FOUND", "organizationId");
        await w.orgkit.as({ userId: alice.id }).members.remove("acme", bob.id);
        expect((await w.orgkit.auth.authenticate(token)).actor.organizationId).toBeNull();
        expect((await w.orgkit.auth.switchContext(token, null)).session.organizationId).toBeNull();
      });

      it("signs out of the user and the organization context at once", async () => {
        const w = await createWorld(harness);
        const alice = await person(w, "Alice");
        await w.organization(alice, "acme");
        const { token } = await w.orgkit.auth.signIn({ email: alice.email, password: PASSWORD });
        await w.orgkit.auth.switchContext(token, "acme");
        await w.orgkit.auth.signOut(token);
        await expectOrgKitError(w.orgkit.auth.authenticate(token), "UNAUTHENTICATED");
        await expectOrgKitError(w.orgkit.auth.switchContext(token, null), "UNAUTHENTICATED");
        await expectOrgKitError(w.orgkit.auth.signOut(token), "UNAUTHENTICATED");
      });

      it("lists and revokes one's sessions, never another user's", async () => {
        const w = await createWorld(harness);
        const alice = await person(w, "Alice");
        const bob = await person(w, "Bob");
        const one = await w.orgkit.auth.signIn({ email: alice.email, password: PASSWORD });
        w.clock.advance(1000);
        const two = await w.orgkit.auth.signIn({ email: alice.email, password: PASSWORD });
        const bobs = await w.orgkit.auth.signIn({ email: bob.email, password: PASSWORD });
        const asAlice = w.orgkit.as({ userId: alice.id });
        expect((await asAlice.sessions.list()).map((s) => s.id)).toEqual([two.session.id, one.session.id]);
        await expectFailsCleanly(w, () => asAlice.sessions.revoke(bobs.session.id), "NOT_FOUND", "sessionId");
        await asAlice.sessions.revoke(one.session.id);
        await expectOrgKitError(w.orgkit.auth.authenticate(one.token), "UNAUTHENTICATED");
        await w.orgkit.auth.authenticate(two.token);
        expect(await asAlice.sessions.revokeAll()).toBe(1);
        await expectOrgKitError(w.orgkit.auth.authenticate(two.token), "UNAUTHENTICATED");
        await w.orgkit.auth.authenticate(bobs.token);
      });

      it("refuses malformed and unknown tokens", async () => {
        const w = await createWorld(harness);
        for (const token of ["", "nope", `orgkit_ses_${"a".repeat(42)}`, `orgkit_ses_${"a".repeat(43)}`, 5]) {
          await expectOrgKitError(w.orgkit.auth.authenticate(token as string), "UNAUTHENTICATED");
        }
      });
    });

    describe("when a user changes their password", () => {
      it("needs the current one, holds the new one to the policy, and then signs in with it", async () => {
        const w = await createWorld(harness);
        const alice = await person(w, "Alice");
        const asAlice = w.orgkit.as({ userId: alice.id });
        await expectFailsCleanly(
          w,
          () =>
            asAlice.users.changePassword({ currentPassword: "nope", newPassword: "a brand new passphrase" }),
          "INVALID_CREDENTIALS",
          "currentPassword",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.users.changePassword({ currentPassword: PASSWORD, newPassword: "qwerty" }),
          "PASSWORD_POLICY_VIOLATION",
          "newPassword",
        );
        await asAlice.users.changePassword({
          currentPassword: PASSWORD,
          newPassword: "a brand new passphrase",
        });
        await expectOrgKitError(
          w.orgkit.auth.signIn({ email: alice.email, password: PASSWORD }),
          "INVALID_CREDENTIALS",
        );
        await w.orgkit.auth.signIn({ email: alice.email, password: "a brand new passphrase" });
        const audit = JSON.stringify(await w.storage.audit.listForOrganization(null, 50));
        expect(audit).toContain("SECURITY_PASSWORD_CHANGE");
        expect(audit).not.toContain("brand new");
      });
    });

    describe("when a user forgets their password", () => {
      it("mails a single-use link that sets a new password and ends every session", async () => {
        const w = await createWorld(harness);
        const alice = await person(w, "Alice");
        const before = await w.orgkit.auth.signIn({ email: alice.email, password: PASSWORD });
        await w.orgkit.auth.requestPasswordReset("nobody@example.test");
        expect(w.mailer.sent.filter((m) => m.template === "password-reset")).toHaveLength(0);
        await w.orgkit.auth.requestPasswordReset(" Alice@Example.test ");
        const mail = w.mailer.sent.find((m) => m.template === "password-reset");
        expect(mail?.to).toBe(alice.email);
        const link = /https:\/\/app\.example\.test\/reset-password\/(orgkit_pwr_[0-9A-Za-z]{43})/.exec(
          mail!.text,
        );
        expect(link).not.toBeNull();
        const token = link![1]!;
        await expectOrgKitError(
          w.orgkit.auth.resetPassword(token, "password1"),
          "PASSWORD_POLICY_VIOLATION",
          "newPassword",
        );
        await w.orgkit.auth.resetPassword(token, "another long passphrase");
        await expectOrgKitError(w.orgkit.auth.authenticate(before.token), "UNAUTHENTICATED");
        await w.orgkit.auth.signIn({ email: alice.email, password: "another long passphrase" });
        await expectOrgKitError(
          w.orgkit.auth.resetPassword(token, "yet another passphrase"),
          "NOT_FOUND",
          "token",
        );
        expect(JSON.stringify(await w.dump())).not.toContain(token);
      });

      it("answers as fast whether or not the email has an account, however slow the mail server", async () => {
        const sent: string[] = [];
        const w = await createWorld(harness, {
          // A mail server that takes 400 ms: awaited, it would tell the two apart.
          mailer: {
            async send(message) {
              await new Promise((resolve) => setTimeout(resolve, 400));
              sent.push(message.to);
            },
          },
        });
        const alice = await person(w, "Alice");
        const time = async (email: string) => {
          const started = performance.now();
          await w.orgkit.auth.requestPasswordReset(email);
          return performance.now() - started;
        };
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
        const known: number[] = [];
        const unknown: number[] = [];
        for (let i = 0; i < 3; i++) {
          known.push(await time(alice.email));
          unknown.push(await time(`nobody-${i}@example.test`));
        }
        // Both wait out the same floor (100 ms); the known one's write hides inside it.
        expect(Math.min(...known, ...unknown)).toBeGreaterThanOrEqual(95);
        expect(Math.abs(median(known) - median(unknown))).toBeLessThan(80);
        expect(median(known)).toBeLessThan(350);
        await new Promise((resolve) => setTimeout(resolve, 450));
        expect(sent).toEqual([alice.email, alice.email, alice.email]);
      });

      it("refuses an expired link", async () => {
        const w = await createWorld(harness);
        await person(w, "Alice");
        await w.orgkit.auth.requestPasswordReset("alice@example.test");
        const token = /orgkit_pwr_[0-9A-Za-z]{43}/.exec(w.mailer.sent.at(-1)!.text)![0];
        w.clock.advance(60 * 60 * 1000);
        await expectOrgKitError(
          w.orgkit.auth.resetPassword(token, "another long passphrase"),
          "NOT_FOUND",
          "token",
        );
      });
    });
  });
}
