import { describe, expect, it } from "vitest";
import { DEFAULT_PASSWORD_POLICY } from "../security/password-policy.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  violationCodes,
} from "../testing/harness.js";

const PASSWORD = "correct horse battery staple";
const DAY = 24 * 60 * 60 * 1000;

/** Conformance: organizations' password policies applied to their members' passwords. */
export function securityConformance(harness: ConformanceHarness): void {
  describe("password policy", () => {
    it("starts at NIST's defaults and lets admins, and only admins, change it, audited", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      const bob = await w.user("Bob");
      await w.organization(alice, "acme");
      await w.join("acme", alice, bob, "org_contributor");
      const asAlice = w.orgkit.as({ userId: alice.id });
      expect(await asAlice.security.getPasswordPolicy("acme")).toEqual(DEFAULT_PASSWORD_POLICY);
      await expectOrgKitError(
        w.orgkit.as({ userId: bob.id }).security.getPasswordPolicy("acme"),
        "FORBIDDEN",
      );
      await expectFailsCleanly(
        w,
        () => w.orgkit.as({ userId: bob.id }).security.updatePasswordPolicy("acme", { minLength: 20 }),
        "FORBIDDEN",
      );
      const updated = await asAlice.security.updatePasswordPolicy("acme", {
        requireUppercase: true,
        lockout: { maxAttempts: 3 },
      });
      expect(updated).toMatchObject({
        requireUppercase: true,
        minLength: 15,
        lockout: { maxAttempts: 3, lockMinutes: 15 },
      });
      expect(await asAlice.security.getPasswordPolicy("acme")).toEqual(updated);
      expect((await w.storage.audit.listForOrganization("acme", 50)).at(-1)).toMatchObject({
        action: "SECURITY_PASSWORD_POLICY_UPDATE",
        before: { requireUppercase: false },
        after: { requireUppercase: true },
      });
      for (const [patch, param] of [
        [{ minLength: 4 }, "minLength"],
        [{ maxLength: 32 }, "maxLength"],
        [{ sneaky: true }, "sneaky"],
        [{ lockout: { maxAttempts: 1 } }, "lockout.maxAttempts"],
      ] as const) {
        await expectFailsCleanly(
          w,
          () => asAlice.security.updatePasswordPolicy("acme", patch as never),
          "VALIDATION_FAILED",
          param,
        );
      }
    });

    it("applies the strictest policy of a user's organizations to a password change, listing every violation", async () => {
      const w = await createWorld(harness);
      const alice = await w.orgkit.users.register({
        email: "alice@example.test",
        name: "Alice",
        password: PASSWORD,
      });
      await w.organization(alice, "acme");
      const asAlice = w.orgkit.as({ userId: alice.id });
      await asAlice.security.updatePasswordPolicy("acme", {
        requireUppercase: true,
        requireNumeric: true,
        reuseHistory: 2,
      });
      const error = await expectFailsCleanly(
        w,
        () =>
          asAlice.users.changePassword({
            currentPassword: PASSWORD,
            newPassword: "all lower case words here",
          }),
        "PASSWORD_POLICY_VIOLATION",
        "newPassword",
      );
      expect(violationCodes(error)).toEqual(["MISSING_UPPERCASE", "MISSING_NUMERIC"]);
      await asAlice.users.changePassword({
        currentPassword: PASSWORD,
        newPassword: "Second Passphrase 2024",
      });
      await asAlice.users.changePassword({
        currentPassword: "Second Passphrase 2024",
        newPassword: "Third Passphrase 2025",
      });
      const reused = await expectOrgKitError(
        asAlice.users.changePassword({
          currentPassword: "Third Passphrase 2025",
          newPassword: "Second Passphrase 2024",
        }),
        "PASSWORD_POLICY_VIOLATION",
      );
      expect(violationCodes(reused)).toContain("REUSED");
    });

    it("applies the inviting organization's policy to an invited person's registration", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      await w.organization(alice, "acme");
      const asAlice = w.orgkit.as({ userId: alice.id });
      await asAlice.security.updatePasswordPolicy("acme", {
        requireNonAlphanumeric: true,
        excludeEmail: true,
      });
      const { token } = await asAlice.invitations.create("acme", {
        email: "newbie@example.test",
        role: "org_user",
      });
      const error = await expectFailsCleanly(
        w,
        () =>
          w.orgkit.users.register({
            email: "newbie@example.test",
            name: "Newbie",
            password: "newbieslongpassword",
            invitationToken: token,
          }),
        "PASSWORD_POLICY_VIOLATION",
        "password",
      );
      expect(violationCodes(error)).toEqual(["MISSING_NON_ALPHANUMERIC", "CONTAINS_EMAIL"]);
      await w.orgkit.users.register({
        email: "newbie@example.test",
        name: "Newbie",
        password: "glass-harbor lantern",
        invitationToken: token,
      });
    });

    it("asks for a new password once it outlives the lifespan, and locks per the organization's lockout", async () => {
      const w = await createWorld(harness);
      const alice = await w.orgkit.users.register({
        email: "alice@example.test",
        name: "Alice",
        password: PASSWORD,
      });
      await w.organization(alice, "acme");
      await w.orgkit.as({ userId: alice.id }).security.updatePasswordPolicy("acme", {
        lifespanDays: 30,
        lockout: { maxAttempts: 3, windowMinutes: 10, lockMinutes: 60 },
      });
      expect(
        (await w.orgkit.auth.signIn({ email: alice.email, password: PASSWORD })).passwordChangeRequired,
      ).toBe(false);
      w.clock.advance(30 * DAY);
      expect(
        (await w.orgkit.auth.signIn({ email: alice.email, password: PASSWORD })).passwordChangeRequired,
      ).toBe(true);
      for (let i = 0; i < 3; i++) {
        await expectOrgKitError(
          w.orgkit.auth.signIn({ email: alice.email, password: "wrong" }),
          "INVALID_CREDENTIALS",
        );
      }
      w.clock.advance(30 * 60 * 1000);
      await expectOrgKitError(
        w.orgkit.auth.signIn({ email: alice.email, password: PASSWORD }),
        "INVALID_CREDENTIALS",
      );
      w.clock.advance(30 * 60 * 1000);
      await w.orgkit.auth.signIn({ email: alice.email, password: PASSWORD });
    });
  });
}
