import { describe, expect, it } from "vitest";
import { type ConformanceHarness, createWorld, expectOrgKitError, type World } from "../testing/harness.js";

const DAY = 24 * 60 * 60 * 1000;

/** Acme with Alice (admin), Bob (org_user) and Fay (financial manager), and a few audited changes. */
async function acme(w: World) {
  const alice = await w.user("Alice");
  const bob = await w.user("Bob");
  const fay = await w.user("Fay");
  await w.organization(alice, "acme", "Acme");
  await w.join("acme", alice, bob, "org_user");
  await w.join("acme", alice, fay, "financial_manager");
  const asAlice = w.orgkit.as({ userId: alice.id, ip: "192.0.2.10" });
  w.clock.advance(DAY);
  await asAlice.organizations.update("acme", { description: "Rockets" });
  await asAlice.members.updateRole("acme", bob.id, "org_contributor");
  return { alice, bob, fay, asAlice };
}

/** Conformance: the audit log: queries, the hash chain and its verification, export, retention. */
export function auditConformance(harness: ConformanceHarness): void {
  describe("audit log", () => {
    it("answers queries newest first, filtered by action, actor, target and time, with a cursor", async () => {
      const w = await createWorld(harness);
      const { alice, bob, fay, asAlice } = await acme(w);
      const all = await asAlice.audit.query("acme", { limit: 100 });
      expect(all.items.map((e) => e.sequence)).toEqual(
        [...all.items.map((e) => e.sequence)].sort((a, b) => b - a),
      );
      expect(all.items[0]).toMatchObject({
        action: "ORGANIZATION_MEMBER_CHANGE",
        actor: { type: "user", id: alice.id },
        target: { type: "membership", id: bob.id },
        before: { role: "org_user" },
        after: { role: "org_contributor" },
        ip: "192.0.2.10",
        outcome: "success",
      });
      expect(all.items[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
      const adds = await asAlice.audit.query("acme", { action: "ORGANIZATION_MEMBER_ADD" });
      expect(adds.items.map((e) => e.target.id)).toEqual([fay.id, bob.id, alice.id]);
      expect((await asAlice.audit.query("acme", { actorId: bob.id })).items.map((e) => e.action)).toEqual([
        "ORGANIZATION_MEMBER_ADD",
        "ORGANIZATION_INVITATION_ACCEPT",
      ]);
      expect(
        (await asAlice.audit.query("acme", { targetType: "membership", targetId: bob.id })).items,
      ).toHaveLength(2);
      const today = await asAlice.audit.query("acme", { from: new Date(w.clock.now().getTime() - 1000) });
      expect(today.items.map((e) => e.action)).toEqual(["ORGANIZATION_MEMBER_CHANGE", "ORGANIZATION_UPDATE"]);
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await asAlice.audit.query("acme", { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((e) => e.sequence));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(all.items.map((e) => e.sequence));
      expect((await w.orgkit.as({ userId: fay.id }).audit.query("acme")).items.length).toBeGreaterThan(0);
      await expectOrgKitError(w.orgkit.as({ userId: bob.id }).audit.query("acme"), "FORBIDDEN");
      await expectOrgKitError(
        w.orgkit.as({ userId: (await w.user("Eve")).id }).audit.query("acme"),
        "NOT_FOUND",
      );
      await expectOrgKitError(
        asAlice.audit.query("acme", { action: "drop table" }),
        "VALIDATION_FAILED",
        "action",
      );
      await expectOrgKitError(
        asAlice.audit.query("acme", { from: new Date(2), to: new Date(1) }),
        "VALIDATION_FAILED",
        "from",
      );
      const first = await asAlice.audit.query("acme", { limit: 1 });
      await expectOrgKitError(
        asAlice.audit.query("acme", { action: "ORGANIZATION_UPDATE", cursor: first.nextCursor! }),
        "INVALID_CURSOR",
        "cursor",
      );
    });

    it("chains every event to the one before, and verify finds an altered row", async () => {
      const w = await createWorld(harness);
      const { asAlice } = await acme(w);
      const verified = await asAlice.audit.verify("acme");
      expect(verified).toMatchObject({ valid: true, problem: null });
      expect(verified.checked).toBe(verified.lastSequence);
      const events = (await asAlice.audit.query("acme", { limit: 100 })).items.reverse();
      expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
      const victim = events[2]!;
      await w.execute(`update audit_events set ip = '203.0.113.66' where id = '${victim.id}'`);
      expect(await asAlice.audit.verify("acme")).toMatchObject({
        valid: false,
        problem: { kind: "altered", sequence: victim.sequence, eventId: victim.id },
      });
    });

    it("verify finds a row deleted from the middle or the end of the chain", async () => {
      const w = await createWorld(harness);
      const { asAlice } = await acme(w);
      const events = (await asAlice.audit.query("acme", { limit: 100 })).items.reverse();
      await w.execute(`delete from audit_events where id = '${events.at(-1)!.id}'`);
      expect(await asAlice.audit.verify("acme")).toMatchObject({
        valid: false,
        problem: { kind: "missing", sequence: events.length },
      });
      await w.execute(`delete from audit_events where id = '${events[1]!.id}'`);
      expect(await asAlice.audit.verify("acme")).toMatchObject({
        valid: false,
        problem: { kind: "missing", sequence: 2 },
      });
    });

    it("never forks the chain under concurrent writers", async () => {
      const w = await createWorld(harness);
      const { alice, asAlice } = await acme(w);
      const kits = [w.orgkit, await w.another(), await w.another()];
      const writes = Array.from({ length: 15 }, (_, i) =>
        kits[i % kits.length]!.as({ userId: alice.id }).invitations.create("acme", {
          email: `p${i}@x.test`,
          role: "org_user",
        }),
      );
      await Promise.all(writes);
      const verified = await asAlice.audit.verify("acme");
      expect(verified).toMatchObject({ valid: true, problem: null });
      expect(
        (await asAlice.audit.query("acme", { action: "ORGANIZATION_INVITATION_CREATE", limit: 100 })).items,
      ).toHaveLength(17);
      expect(await w.orgkit.audit.verifyChain()).toMatchObject({ valid: true });
    });

    it("exports JSON lines and CSV, oldest first", async () => {
      const w = await createWorld(harness);
      const { asAlice } = await acme(w);
      const count = (await asAlice.audit.query("acme", { limit: 100 })).items.length;
      const jsonl = (await asAlice.audit.export("acme", { format: "jsonl" })).trim().split("\n");
      expect(jsonl).toHaveLength(count);
      expect(JSON.parse(jsonl[0]!)).toMatchObject({ sequence: 1, action: "ORGANIZATION_CREATE" });
      const csv = (await asAlice.audit.export("acme", { format: "csv" })).trim().split("\n");
      expect(csv[0]).toBe(
        "sequence,at,organizationId,actorType,actorId,action,targetType,targetId,outcome,ip,before,after,hash",
      );
      expect(csv).toHaveLength(count + 1);
      expect(csv.at(-1)).toContain('"{""role"":""org_contributor""}"');
      const recent = await asAlice.audit.export("acme", {
        format: "jsonl",
        from: new Date(w.clock.now().getTime() - 1000),
      });
      expect(recent.trim().split("\n")).toHaveLength(2);
      await expectOrgKitError(
        asAlice.audit.export("acme", { format: "xml" as never }),
        "VALIDATION_FAILED",
        "format",
      );
    });

    it("prunes events past the retention from the start of each chain, staying verifiable", async () => {
      const w = await createWorld(harness, { audit: { retentionDays: 30 } });
      const { asAlice } = await acme(w);
      const before = (await asAlice.audit.query("acme", { limit: 100 })).items.length;
      w.clock.advance(30 * DAY);
      await asAlice.organizations.update("acme", { description: "Still rockets" });
      const deleted = await w.orgkit.audit.prune();
      expect(deleted).toBeGreaterThanOrEqual(before - 2);
      const left = (await asAlice.audit.query("acme", { limit: 100 })).items;
      expect(left.map((e) => e.action)).toEqual([
        "ORGANIZATION_UPDATE",
        "ORGANIZATION_MEMBER_CHANGE",
        "ORGANIZATION_UPDATE",
      ]);
      expect(await asAlice.audit.verify("acme")).toMatchObject({ valid: true, checked: 3 });
      await w.execute(`update audit_events set action = 'ORGANIZATION_DELETE' where id = '${left[0]!.id}'`);
      expect((await asAlice.audit.verify("acme")).valid).toBe(false);
    });

    it("keeps a deleted organization's log away from a new one that reuses its id", async () => {
      const w = await createWorld(harness);
      const { alice, asAlice } = await acme(w);
      await asAlice.organizations.delete("acme");
      await w.organization(alice, "acme", "Acme Again");
      const fresh = (await asAlice.audit.query("acme", { limit: 100 })).items.map((e) => e.action);
      expect(fresh).toEqual(["ORGANIZATION_MEMBER_ADD", "ORGANIZATION_CREATE"]);
      expect(await asAlice.audit.verify("acme")).toMatchObject({ valid: true, checked: 2 });
    });
  });
}
