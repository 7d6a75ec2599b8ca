import { describe, expect, it } from "vitest";
import { createOrgKit } from "../orgkit.js";
import type { Storage } from "../storage/storage.js";
import {
  type ConformanceHarness,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
} from "../testing/harness.js";

const DAY = 24 * 60 * 60 * 1000;

/** Conformance: personal access tokens and organizations' token policies. */
export function tokensConformance(harness: ConformanceHarness): void {
  describe("personal access tokens", () => {
    it("are shown once, kept as a SHA-256 with a display prefix, and authenticate as their user", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      await w.organization(alice, "acme");
      const asAlice = w.orgkit.as({ userId: alice.id });
      const { token, accessToken } = await asAlice.tokens.create({
        name: "CI",
        scopes: ["members:get", "apps:get"],
      });
      expect(token).toMatch(/^orgkit_pat_[0-9A-Za-z]{36}$/);
      expect(accessToken).toMatchObject({
        name: "CI",
        prefix: token.slice(0, 15),
        scopes: ["members:get", "apps:get"],
        lastUsedAt: null,
      });
      expect(accessToken.expiresAt?.getTime()).toBe(w.clock.now().getTime() + 90 * DAY);
      expect(JSON.stringify(await w.dump())).not.toContain(token);
      expect(await asAlice.tokens.list()).toEqual([accessToken]);
      const actor = await w.orgkit.auth.authenticateToken(token);
      expect(actor).toMatchObject({ userId: alice.id, scopes: ["members:get", "apps:get"] });
      const viaToken = w.orgkit.as(actor);
      expect((await viaToken.members.list("acme")).items).toHaveLength(1);
      // The token's scopes narrow the admin's role.
      await expectOrgKitError(
        viaToken.invitations.create("acme", { email: "b@example.test", role: "org_user" }),
        "FORBIDDEN",
      );
      await expectOrgKitError(viaToken.tokens.create({ name: "x", scopes: ["members:get"] }), "FORBIDDEN");
      await expectOrgKitError(
        viaToken.users.changePassword({ newPassword: "a long new passphrase" }),
        "FORBIDDEN",
      );
    });

    it("give a token no more than its user holds at the moment of the call", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      const bob = await w.user("Bob");
      await w.organization(alice, "acme");
      await w.join("acme", alice, bob, "admin");
      const { token } = await w.orgkit
        .as({ userId: bob.id })
        .tokens.create({ name: "t", scopes: ["members:invite", "members:get"] });
      const viaToken = w.orgkit.as(await w.orgkit.auth.authenticateToken(token));
      await viaToken.invitations.create("acme", { email: "c@example.test", role: "org_user" });
      await w.orgkit.as({ userId: alice.id }).members.updateRole("acme", bob.id, "org_user");
      await expectOrgKitError(
        viaToken.invitations.create("acme", { email: "d@example.test", role: "org_user" }),
        "FORBIDDEN",
      );
      await w.orgkit.as({ userId: alice.id }).members.remove("acme", bob.id);
      await expectOrgKitError(viaToken.members.list("acme"), "NOT_FOUND");
    });

    it("manage no account: sessions, other tokens, creating or leaving organizations need a session", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      const bob = await w.user("Bob");
      await w.organization(alice, "acme");
      await w.join("acme", alice, bob, "org_user");
      const asBob = w.orgkit.as({ userId: bob.id });
      const other = await asBob.tokens.create({ name: "other", scopes: ["members:get"] });
      const narrow = await asBob.tokens.create({ name: "ci", scopes: ["predict"] });
      const viaToken = w.orgkit.as(await w.orgkit.auth.authenticateToken(narrow.token));
      await expectFailsCleanly(w, () => viaToken.sessions.list(), "FORBIDDEN");
      await expectFailsCleanly(w, () => viaToken.sessions.revokeAll(), "FORBIDDEN");
      await expectFailsCleanly(
        w,
        () =>
          viaToken.organizations.create({ id: "rogue", name: "Rogue", billingEmail: "rogue@example.test" }),
        "FORBIDDEN",
      );
      await expectFailsCleanly(w, () => viaToken.organizations.leave("acme"), "FORBIDDEN");
      await expectFailsCleanly(w, () => viaToken.tokens.revoke(other.accessToken.id), "FORBIDDEN");
      // It may still revoke itself, and the session may do all of it.
      await viaToken.tokens.revoke(narrow.accessToken.id);
      await expectOrgKitError(w.orgkit.auth.authenticateToken(narrow.token), "UNAUTHENTICATED");
      await asBob.tokens.revoke(other.accessToken.id);
      await asBob.organizations.leave("acme");
    });

    it("refuse a token with a bad checksum without reading storage", async () => {
      const w = await createWorld(harness);
      let reads = 0;
      const tokens = w.storage.tokens;
      const counting = new Proxy(w.storage, {
        get(target, property, receiver) {
          if (property === "tokens") {
            return new Proxy(tokens, {
              get(t, p, r) {
                if (p === "getForAuthentication") reads += 1;
                const value = Reflect.get(t, p, r);
                return typeof value === "function" ? value.bind(t) : value;
              },
            });
          }
          const value = Reflect.get(target, property, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as Storage;
      const orgkit = createOrgKit({ storage: counting, baseUrl: "https://app.example.test", clock: w.clock });
      const alice = await w.user("Alice");
      const { token } = await w.orgkit
        .as({ userId: alice.id })
        .tokens.create({ name: "t", scopes: ["members:get"] });
      const last = token.at(-1) === "A" ? "B" : "A";
      for (const bad of [`${token.slice(0, -1)}${last}`, token.slice(0, -1), "orgkit_pat_", "Bearer x"]) {
        const error = await expectOrgKitError(orgkit.auth.authenticateToken(bad), "UNAUTHENTICATED");
        expect(`${error.message} ${JSON.stringify(error.toJSON())}`).not.toContain(bad);
      }
      expect(reads).toBe(0);
      await orgkit.auth.authenticateToken(token);
      expect(reads).toBe(1);
    });

    it("stop working once revoked or expired, and note their last use at most once a minute", async () => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      const asAlice = w.orgkit.as({ userId: alice.id });
      const { token, accessToken } = await asAlice.tokens.create({
        name: "short",
        scopes: ["members:get"],
        expiresInDays: 1,
      });
      await w.orgkit.auth.authenticateToken(token);
      const firstUse = (await asAlice.tokens.list())[0]?.lastUsedAt;
      expect(firstUse?.getTime()).toBe(w.clock.now().getTime());
      w.clock.advance(30_000);
      await w.orgkit.auth.authenticateToken(token);
      expect((await asAlice.tokens.list())[0]?.lastUsedAt).toEqual(firstUse);
      w.clock.advance(31_000);
      await w.orgkit.auth.authenticateToken(token);
      expect((await asAlice.tokens.list())[0]?.lastUsedAt?.getTime()).toBe(w.clock.now().getTime());
      w.clock.advance(DAY);
      await expectOrgKitError(w.orgkit.auth.authenticateToken(token), "UNAUTHENTICATED");
      const second = await asAlice.tokens.create({ name: "long", scopes: ["members:get"] });
      await asAlice.tokens.revoke(second.accessToken.id);
      await expectOrgKitError(w.orgkit.auth.authenticateToken(second.token), "UNAUTHENTICATED");
      await expectFailsCleanly(w, () => asAlice.tokens.revoke(second.accessToken.id), "NOT_FOUND", "tokenId");
      expect((await asAlice.tokens.list()).map((t) => t.id)).toEqual([accessToken.id]);
    });

    it.each([
      [{ name: "", scopes: ["members:get"] }, "name"],
      [{ name: "t", scopes: [] }, "scopes"],
      [{ name: "t", scopes: ["root"] }, "scopes.0"],
      [{ name: "t", scopes: ["members:get"], expiresInDays: 0 }, "expiresInDays"],
      [{ name: "t", scopes: ["members:get"], owner: "x" }, "owner"],
    ])("refuse bad input %j naming the field, writing nothing", async (input, param) => {
      const w = await createWorld(harness);
      const alice = await w.user("Alice");
      await expectFailsCleanly(
        w,
        () => w.orgkit.as({ userId: alice.id }).tokens.create(input as never),
        "VALIDATION_FAILED",
        param,
      );
    });

    it("are rate-limited per account", async () => {
      const w = await createWorld(harness, {
        rateLimits: { tokenCreation: { perAccount: { limit: 3, windowSeconds: 3600 } } },
      });
      const alice = await w.user("Alice");
      const asAlice = w.orgkit.as({ userId: alice.id });
      for (let i = 0; i < 3; i++) await asAlice.tokens.create({ name: `t${i}`, scopes: ["members:get"] });
      const error = await expectOrgKitError(
        asAlice.tokens.create({ name: "t4", scopes: ["members:get"] }),
        "RATE_LIMITED",
      );
      expect(error.details?.retryAfterSeconds).toBe(3600);
    });

    describe("given an organization's token policy", () => {
      it("refuses members' tokens without expiry or past the cap, at creation and at use", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const bob = await w.user("Bob");
        await w.organization(alice, "acme");
        await w.join("acme", alice, bob, "org_user");
        const asBob = w.orgkit.as({ userId: bob.id });
        const forever = await asBob.tokens.create({
          name: "forever",
          scopes: ["members:get"],
          expiresInDays: null,
        });
        await expectFailsCleanly(
          w,
          () => asBob.security.updateTokenPolicy("acme", { requireExpiry: true }),
          "FORBIDDEN",
        );
        await w.orgkit
          .as({ userId: alice.id })
          .security.updateTokenPolicy("acme", { requireExpiry: true, maxLifetimeDays: 30 });
        await expectFailsCleanly(
          w,
          () => asBob.tokens.create({ name: "x", scopes: ["members:get"], expiresInDays: null }),
          "TOKEN_POLICY_VIOLATION",
          "expiresInDays",
        );
        await expectFailsCleanly(
          w,
          () => asBob.tokens.create({ name: "x", scopes: ["members:get"], expiresInDays: 31 }),
          "TOKEN_POLICY_VIOLATION",
          "expiresInDays",
        );
        await asBob.tokens.create({ name: "ok", scopes: ["members:get"], expiresInDays: 30 });
        const viaForever = w.orgkit.as(await w.orgkit.auth.authenticateToken(forever.token));
        const error = await expectOrgKitError(viaForever.members.list("acme"), "TOKEN_POLICY_VIOLATION");
        expect(error.status).toBe(403);
        expect(await viaForever.users.me()).toMatchObject({ id: bob.id });
      });

      it("lets admins list and revoke the tokens of their members, and only those", async () => {
        const w = await createWorld(harness);
        const alice = await w.user("Alice");
        const bob = await w.user("Bob");
        const eve = await w.user("Eve");
        await w.organization(alice, "acme");
        await w.join("acme", alice, bob, "org_contributor");
        const bobs = await w.orgkit
          .as({ userId: bob.id })
          .tokens.create({ name: "bob's", scopes: ["members:get"] });
        const eves = await w.orgkit
          .as({ userId: eve.id })
          .tokens.create({ name: "eve's", scopes: ["members:get"] });
        const asAlice = w.orgkit.as({ userId: alice.id });
        expect((await asAlice.tokens.listForOrganization("acme")).map((t) => [t.name, t.userId])).toEqual([
          ["bob's", bob.id],
        ]);
        await expectOrgKitError(
          w.orgkit.as({ userId: bob.id }).tokens.listForOrganization("acme"),
          "FORBIDDEN",
        );
        await expectFailsCleanly(
          w,
          () => asAlice.tokens.revokeForOrganization("acme", eves.accessToken.id),
          "NOT_FOUND",
          "tokenId",
        );
        await asAlice.tokens.revokeForOrganization("acme", bobs.accessToken.id);
        await expectOrgKitError(w.orgkit.auth.authenticateToken(bobs.token), "UNAUTHENTICATED");
        await w.orgkit.auth.authenticateToken(eves.token);
        expect((await w.storage.audit.listForOrganization("acme", 50)).at(-1)).toMatchObject({
          action: "SECURITY_TOKEN_REVOKE",
          before: { name: "bob's", userId: bob.id },
        });
      });
    });
  });
}
