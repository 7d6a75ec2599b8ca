import { describe, expect, it } from "vitest";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  violationCodes,
} from "../testing/harness.js";

/** Conformance: registration and user lookups. */
export function usersConformance(harness: ConformanceHarness): void {
  describe("users", () => {
    describe("when someone registers", () => {
      it("trims and lower-cases the email, derives an id, and keeps only a PHC hash of the password", async () => {
        const w = await createWorld(harness);
        const user = await w.orgkit.users.register({
          email: "  Alice.Smith@Example.TEST ",
          name: " Alice Smith ",
          password: "correct horse battery staple",
        });
        expect(user).toMatchObject({
          id: "alice-smith",
          email: "alice.smith@example.test",
          name: "Alice Smith",
        });
        expect(user.hasPassword).toBe(true);
        expect(user.emailVerified).toBe(false);
        const stored = await w.storage.users.getById("alice-smith");
        expect(stored?.passwordHash).toMatch(/^\$scrypt\$ln=\d+,r=\d+,p=\d+\$/);
        expect(JSON.stringify(await w.dump())).not.toContain("correct horse");
        expect(await w.orgkit.system().users.findByEmail("ALICE.SMITH@example.test ")).toMatchObject({
          id: user.id,
        });
      });

      it("records USER_CREATE in the audit trail", async () => {
        const w = await createWorld(harness);
        const user = await w.user("Alice");
        const events = await w.storage.audit.listForOrganization(null, 10);
        expect(events.map((e) => [e.action, e.targetId])).toEqual([["USER_CREATE", user.id]]);
      });

      it("refuses an email that is taken, whatever its case, and writes nothing", async () => {
        const w = await createWorld(harness);
        await w.user("Alice");
        await expectFailsCleanly(
          w,
          () => w.orgkit.users.register({ email: "ALICE@example.test", name: "Other" }),
          "CONFLICT",
          "email",
        );
      });

      it("limits registrations per source address, counting refused ones too, and writes nothing past it", async () => {
        const w = await createWorld(harness, {
          rateLimits: { registration: { perAddress: { limit: 2, windowSeconds: 3600 } } },
        });
        const origin = { ip: "198.51.100.9" };
        await w.orgkit.users.register({ email: "a@example.test", name: "A" }, origin);
        await expectOrgKitError(
          w.orgkit.users.register({ email: "a@example.test", name: "A" }, origin),
          "CONFLICT",
        );
        const limited = await expectOrgKitError(
          w.orgkit.users.register({ email: "b@example.test", name: "B" }, origin),
          "RATE_LIMITED",
        );
        expect(limited.details?.retryAfterSeconds).toBe(3600);
        expect(await w.orgkit.system().users.findByEmail("b@example.test")).toBeNull();
        // Another address, or trusted code without one, is not held back.
        await w.orgkit.users.register({ email: "c@example.test", name: "C" }, { ip: "198.51.100.10" });
        await w.orgkit.users.register({ email: "d@example.test", name: "D" });
      });

      it("holds the password to the host's policy (NIST by default), listing every violation", async () => {
        const w = await createWorld(harness);
        const error = await expectFailsCleanly(
          w,
          () => w.orgkit.users.register({ email: "x@example.test", name: "X", password: "password" }),
          "PASSWORD_POLICY_VIOLATION",
          "password",
        );
        expect(violationCodes(error)).toEqual(["TOO_SHORT", "COMMON_PASSWORD"]);
      });

      it("gives a derived id a suffix when the plain one is taken", async () => {
        const w = await createWorld(harness);
        await w.orgkit.users.register({ email: "sam@one.test", name: "Sam" });
        const second = await w.orgkit.users.register({ email: "sam@two.test", name: "Sam" });
        expect(second.id).toMatch(/^sam-[a-z0-9]{6}$/);
      });

      it("refuses an explicit id taken by an organization: users and organizations share one namespace", async () => {
        const w = await createWorld(harness);
        await w.organization(await w.user("Alice"), "acme");
        await expectFailsCleanly(
          w,
          () => w.orgkit.users.register({ id: "acme", email: "acme@example.test", name: "Acme Person" }),
          "CONFLICT",
          "id",
        );
      });

      it.each([
        [{ email: "not-an-email", name: "X" }, "email"],
        [{ email: "x@example.test", name: "   " }, "name"],
        [{ email: "x@example.test", name: "X", id: "Upper" }, "id"],
        [{ email: "x@example.test", name: "X", id: "orgs" }, "id"],
        [{ email: "x@example.test", name: "X", password: "p".repeat(1025) }, "password"],
        [{ email: "x@example.test", name: "X", admin: true }, "admin"],
      ])("refuses bad input %j naming the field, and writes nothing", async (input, param) => {
        const w = await createWorld(harness);
        await expectFailsCleanly(
          w,
          () => w.orgkit.users.register(input as never),
          "VALIDATION_FAILED",
          param,
        );
      });
    });

    describe("when a user is looked up", () => {
      it("shows oneself everything, others only the public profile, and NOT_FOUND for nobody", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const bob = await w.user("Bob");
        expect(await w.orgkit.as({ userId: alice.id }).users.get(alice.id)).toHaveProperty("email");
        expect(await w.orgkit.as({ userId: alice.id }).users.get(bob.id)).toEqual({
          id: bob.id,
          name: "Bob",
        });
        expect(await w.orgkit.as({ userId: bob.id }).users.me()).toMatchObject({
          id: bob.id,
          email: bob.email,
        });
        await expectOrgKitError(w.orgkit.as({ userId: alice.id }).users.get("nobody"), "NOT_FOUND", "userId");
      });

      it("keeps finding by email to trusted code", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        await expectOrgKitError(
          w.orgkit.as({ userId: alice.id }).users.findByEmail(alice.email),
          "FORBIDDEN",
        );
        expect(await w.orgkit.system().users.findByEmail("nobody@example.test")).toBeNull();
        await expectOrgKitError(w.orgkit.system().users.findByEmail("nope"), "VALIDATION_FAILED", "email");
      });

      it("answers UNAUTHENTICATED for an actor whose user does not exist", async () => {
        const w = await createWorld(harness);
        await expectOrgKitError(w.orgkit.as({ userId: "ghost" }).users.me(), "UNAUTHENTICATED");
      });
    });
  });
}
