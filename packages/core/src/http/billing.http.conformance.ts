/** HTTP behaviour of the billing, usage, budget and audit endpoints beyond the generic per-endpoint tests. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../schemas/user.js";
import type { ConformanceHarness } from "../testing/harness.js";
import { type Credentials, createHttpFixture, type HttpFixture, type HttpResult } from "./http-fixture.js";

const JANUARY = { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" };
const jan = (day: number) => new Date(Date.UTC(2026, 0, day, 12));

/** The amount column of a statement CSV's member rows, and its TOTAL row. */
function csvAmounts(text: string): { rows: string[][]; total: number; sumOfLines: number } {
  const lines = text.trimEnd().split("\n");
  const rows = lines.slice(1).map((line) => line.split(","));
  const totalRow = rows.find((row) => row[2] === "TOTAL");
  const sumOfLines = rows.filter((row) => row[2] !== "TOTAL").reduce((sum, row) => sum + Number(row[6]), 0);
  return { rows, total: Number(totalRow?.[6]), sumOfLines };
}

/** Registers the billing HTTP tests on one engine. */
export function billingHttpConformance(harness: ConformanceHarness): void {
  describe("billing over HTTP", () => {
    let fx: HttpFixture;
    let org: string;
    let admin: User;
    let member: User;
    let fay: User;
    let fayCookie: Credentials;

    // Acme's January: predictions priced 100 each up to 10, then 50; Alice (admin) 8, Bob (member) 6
    // in two events: 1,200 in all, split 8:6 by largest remainder (686 + 514).
    beforeAll(async () => {
      fx = await createHttpFixture(harness);
      org = fx.a.org.id;
      admin = fx.a.admin;
      member = fx.a.member;
      fay = await fx.user("Fay");
      const { token } = await fx.a.adminServices.invitations.create(org, {
        email: fay.email,
        role: "financial_manager",
      });
      await fx.orgkit.as({ userId: fay.id }).invitations.accept(token);
      fayCookie = await fx.signIn(fay);
      const system = fx.orgkit.system();
      await system.billing.setPrice({
        meter: "model.predict",
        effectiveFrom: "2026-01",
        tiers: [
          { upTo: 10, amount: 100 },
          { upTo: null, amount: 50 },
        ],
      });
      await system.usage.record([
        { idempotencyKey: "a1", meter: "model.predict", quantity: 8, userId: admin.id, at: jan(2) },
        { idempotencyKey: "b1", meter: "model.predict", quantity: 4, userId: member.id, at: jan(3) },
        { idempotencyKey: "b2", meter: "model.predict", quantity: 2, userId: member.id, at: jan(4) },
        // Globex's usage is Globex's: it never shows in Acme's statement.
        { idempotencyKey: "d1", meter: "model.predict", quantity: 50, userId: fx.b.member.id, at: jan(4) },
      ]);
    });
    afterAll(async () => {
      await fx?.close();
    });

    describe("given usage recorded by host code", () => {
      it("answers the statement with the priced lines, member totals and grand total", async () => {
        const result = await fx.send("GET", `/orgs/${org}/billing/statements/2026-01`, {
          as: fx.a.adminCookie,
        });
        expect(result.status).toBe(200);
        expect(result.body).toMatchObject({
          organizationId: org,
          period: "2026-01",
          currency: "USD",
          status: "open",
          closedAt: null,
          meters: [{ meter: "model.predict", unit: "prediction", quantity: 14, amount: 1200, priced: true }],
          total: 1200,
        });
        const byUser = Object.fromEntries(
          result.body.lines.map((l: { userId: string; quantity: number; amount: number }) => [
            l.userId,
            [l.quantity, l.amount],
          ]),
        );
        expect(byUser).toEqual({ [admin.id]: [8, 686], [member.id]: [6, 514] });
        expect(result.body.members).toHaveLength(2);
      });

      it("exports the same statement as CSV whose lines add up to the same grand total", async () => {
        const json = await fx.send("GET", `/orgs/${org}/billing/statements/2026-01`, {
          as: fx.a.adminCookie,
        });
        const csv = await fx.send("GET", `/orgs/${org}/billing/statements/2026-01/export.csv`, {
          as: fx.a.adminCookie,
        });
        expect(csv.status).toBe(200);
        expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
        expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="${org}-2026-01.csv"`);
        expect(csv.text.split("\n")[0]).toBe("period,currency,userId,meter,unit,quantity,amount");
        const { rows, total, sumOfLines } = csvAmounts(csv.text);
        expect(total).toBe(json.body.total);
        expect(sumOfLines).toBe(json.body.total);
        expect(rows).toHaveLength(json.body.lines.length + 1);
      });

      it("refuses a malformed period with 400 before reading anything", async () => {
        const result = await fx.send("GET", `/orgs/${org}/billing/statements/2026-13`, {
          as: fx.a.adminCookie,
        });
        expect(result.status).toBe(400);
        expect(result.body).toMatchObject({ code: "VALIDATION_FAILED", param: "period" });
      });

      it("has no endpoint that records usage: a POST to /usage changes nothing", async () => {
        const result = await fx.send("POST", `/orgs/${org}/usage`, {
          as: fx.a.adminCookie,
          body: [{ idempotencyKey: "http-1", meter: "model.predict", quantity: 1000, userId: admin.id }],
        });
        expect(result.status).toBe(405);
        expect(result.body).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
        const statement = await fx.a.adminServices.billing.statement(org, "2026-01");
        expect(statement.total).toBe(1200);
      });
    });

    describe("given a plain member (org_user)", () => {
      it("answers 403 on the account, statements, the CSV, budgets, everyone's activity and the audit log", async () => {
        const forbidden = [
          `/orgs/${org}/billing`,
          `/orgs/${org}/billing/statements/2026-01`,
          `/orgs/${org}/billing/statements/2026-01/export.csv`,
          `/orgs/${org}/budgets`,
          `/orgs/${org}/audit`,
          `/orgs/${org}/audit/verify`,
          `/orgs/${org}/audit/export.csv`,
          `/orgs/${org}/audit/export.jsonl`,
        ];
        for (const path of forbidden) {
          const result = await fx.send("GET", path, { as: fx.a.memberCookie });
          expect([path, result.status, result.body?.code]).toEqual([path, 403, "FORBIDDEN"]);
        }
        const everyone = await fx.send("GET", `/orgs/${org}/billing/activity`, {
          as: fx.a.memberCookie,
          query: JANUARY,
        });
        expect(everyone.status).toBe(403);
        const someoneElse = await fx.send("GET", `/orgs/${org}/billing/activity`, {
          as: fx.a.memberCookie,
          query: { ...JANUARY, userId: admin.id },
        });
        expect(someoneElse.status).toBe(403);
      });

      it("shows the member their own usage and nobody else's", async () => {
        const mine = await fx.send("GET", `/orgs/${org}/usage`, { as: fx.a.memberCookie, query: JANUARY });
        expect(mine.status).toBe(200);
        expect(mine.body).toMatchObject({
          userId: member.id,
          usage: [{ meter: "model.predict", unit: "prediction", quantity: 6, events: 2 }],
        });
        const own = await fx.send("GET", `/orgs/${org}/billing/activity`, {
          as: fx.a.memberCookie,
          query: { ...JANUARY, userId: member.id },
        });
        expect(own.status).toBe(200);
        expect(own.body.items.map((a: { userId: string }) => a.userId)).toEqual([member.id]);
        // December: nothing recorded then.
        const december = await fx.send("GET", `/orgs/${org}/usage`, {
          as: fx.a.memberCookie,
          query: { from: "2025-12-01T00:00:00Z", to: "2026-01-01T00:00:00Z" },
        });
        expect(december.body.usage).toEqual([]);
      });

      it("refuses an activity range that ends before it starts", async () => {
        const result = await fx.send("GET", `/orgs/${org}/usage`, {
          as: fx.a.memberCookie,
          query: { from: JANUARY.to, to: JANUARY.from },
        });
        expect(result.status).toBe(400);
        expect(result.body.code).toBe("VALIDATION_FAILED");
      });
    });

    describe("given a financial manager", () => {
      it("reads and manages billing and budgets and reads the audit log", async () => {
        const account = await fx.send("GET", `/orgs/${org}/billing`, { as: fayCookie });
        expect(account.status).toBe(200);
        const updated = await fx.send("PATCH", `/orgs/${org}/billing`, {
          as: fayCookie,
          body: { billingEmail: "AP@Acme.test" },
        });
        expect(updated.status).toBe(200);
        expect(updated.body).toMatchObject({ organizationId: org, billingEmail: "ap@acme.test" });
        const everyone = await fx.send("GET", `/orgs/${org}/billing/activity`, {
          as: fayCookie,
          query: JANUARY,
        });
        expect(everyone.body.items.map((a: { userId: string | null }) => a.userId).sort()).toEqual(
          expect.arrayContaining([admin.id, member.id].sort()),
        );
        const budget = await fx.send("PUT", `/orgs/${org}/budgets`, {
          as: fayCookie,
          body: { scope: { type: "organization" }, amount: 1_000_000 },
        });
        expect(budget.status).toBe(200);
        const audit = await fx.send("GET", `/orgs/${org}/audit`, {
          as: fayCookie,
          query: { actorId: fay.id },
        });
        expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
          expect.arrayContaining(["BILLING_ACCOUNT_UPDATE", "BILLING_BUDGET_SET"]),
        );
      });

      it("is read-only outside billing: 403 on the organization's profile and on members", async () => {
        const profile = await fx.send("PATCH", `/orgs/${org}`, { as: fayCookie, body: { description: "x" } });
        expect(profile.status).toBe(403);
        const role = await fx.send("PATCH", `/orgs/${org}/members/${member.id}`, {
          as: fayCookie,
          body: { role: "admin" },
        });
        expect(role.status).toBe(403);
      });
    });

    describe("given budgets", () => {
      it("pages budgets, refusing a cursor reused with another period", async () => {
        const made = [];
        for (const scope of [{ type: "organization" }, { type: "member", userId: member.id }]) {
          made.push(
            await fx.send("PUT", `/orgs/${org}/budgets`, {
              as: fx.a.adminCookie,
              body: { scope, amount: 10_000 },
            }),
          );
        }
        try {
          const first = await fx.send("GET", `/orgs/${org}/budgets`, {
            as: fx.a.adminCookie,
            query: { limit: "1", period: "2026-01" },
          });
          expect(first.body.items).toHaveLength(1);
          const cursor = first.body.nextCursor as string;
          const second = await fx.send("GET", `/orgs/${org}/budgets`, {
            as: fx.a.adminCookie,
            query: { limit: "1", period: "2026-01", cursor },
          });
          expect(second.body.items.map((b: { id: string }) => b.id)).not.toEqual(
            first.body.items.map((b: { id: string }) => b.id),
          );
          const otherPeriod = await fx.send("GET", `/orgs/${org}/budgets`, {
            as: fx.a.adminCookie,
            query: { limit: "1", period: "2025-12", cursor },
          });
          expect({ status: otherPeriod.status, code: otherPeriod.body.code }).toEqual({
            status: 400,
            code: "INVALID_CURSOR",
          });
        } finally {
          for (const m of made)
            await fx.send("DELETE", `/orgs/${org}/budgets/${m.body.id}`, { as: fx.a.adminCookie });
        }
      });

      it("sets, reads with spend and alerts, and deletes a member budget", async () => {
        const set = await fx.send("PUT", `/orgs/${org}/budgets`, {
          as: fx.a.adminCookie,
          body: { scope: { type: "member", userId: member.id }, amount: 600, hardStop: true },
        });
        expect(set.status).toBe(200);
        expect(set.body).toEqual({
          id: expect.any(String),
          scope: { type: "member", userId: member.id },
          amount: 600,
          hardStop: true,
          currency: "USD",
        });
        const id = set.body.id as string;
        // 514 of 600: past 75 %, short of 90 %; not blocked.
        const got = await fx.send("GET", `/orgs/${org}/budgets/${id}`, { as: fx.a.adminCookie });
        expect(got.body).toMatchObject({ id, period: "2026-01", spent: 514, alerted: [75], blocked: false });
        // Setting the same scope again replaces it (same id).
        const lowered = await fx.send("PUT", `/orgs/${org}/budgets`, {
          as: fx.a.adminCookie,
          body: { scope: { type: "member", userId: member.id }, amount: 500, hardStop: true },
        });
        expect(lowered.body.id).toBe(id);
        const listed = await fx.send("GET", `/orgs/${org}/budgets`, { as: fx.a.adminCookie });
        expect(listed.body.items.find((b: { id: string }) => b.id === id)).toMatchObject({
          amount: 500,
          blocked: true,
          alerted: [75, 90, 100],
        });
        const deleted = await fx.send("DELETE", `/orgs/${org}/budgets/${id}`, { as: fx.a.adminCookie });
        expect(deleted.status).toBe(204);
        expect((await fx.send("GET", `/orgs/${org}/budgets/${id}`, { as: fx.a.adminCookie })).status).toBe(
          404,
        );
        expect((await fx.send("DELETE", `/orgs/${org}/budgets/${id}`, { as: fx.a.adminCookie })).status).toBe(
          404,
        );
      });

      it("answers 404 for a budget on another organization's member or team", async () => {
        const foreignMember = await fx.send("PUT", `/orgs/${org}/budgets`, {
          as: fx.a.adminCookie,
          body: { scope: { type: "member", userId: fx.b.member.id }, amount: 100 },
        });
        expect(foreignMember.status).toBe(404);
        const team = await fx.b.adminServices.teams.create(fx.b.org.id, {
          id: "globex-team",
          name: "Globex",
        });
        const foreignTeam = await fx.send("PUT", `/orgs/${org}/budgets`, {
          as: fx.a.adminCookie,
          body: { scope: { type: "team", teamId: team.id }, amount: 100 },
        });
        expect(foreignTeam.status).toBe(404);
        // And a budget id of another organization's, in this organization's path.
        const theirs = await fx.b.adminServices.budgets.set(fx.b.org.id, {
          scope: { type: "organization" },
          amount: 100,
        });
        const crossed = await fx.send("DELETE", `/orgs/${org}/budgets/${theirs.id}`, {
          as: fx.a.adminCookie,
        });
        expect(crossed.status).toBe(404);
        expect(await fx.b.adminServices.budgets.list(fx.b.org.id)).toHaveLength(1);
      });
    });

    describe("given an ended period", () => {
      it("closes it once: frozen statement, 409 PERIOD_CLOSED again, late usage refused", async () => {
        await fx.orgkit.system().usage.record([
          {
            idempotencyKey: "dec-1",
            meter: "model.train",
            quantity: 1,
            userId: member.id,
            at: new Date(Date.UTC(2025, 11, 20)),
          },
        ]);
        const open = await fx.send("POST", `/orgs/${org}/billing/statements/2026-01/close`, {
          as: fx.a.adminCookie,
        });
        expect(open.status).toBe(400);
        expect(open.body).toMatchObject({ code: "VALIDATION_FAILED", param: "period" });
        const closed = await fx.send("POST", `/orgs/${org}/billing/statements/2025-12/close`, {
          as: fx.a.adminCookie,
        });
        expect(closed.status).toBe(200);
        expect(closed.body).toMatchObject({ period: "2025-12", status: "closed", total: 0 });
        expect(closed.body.meters).toEqual([
          { meter: "model.train", unit: "training", quantity: 1, amount: 0, priced: false },
        ]);
        expect(typeof closed.body.closedAt).toBe("string");
        const again = await fx.send("POST", `/orgs/${org}/billing/statements/2025-12/close`, {
          as: fx.a.adminCookie,
        });
        expect(again.status).toBe(409);
        expect(again.body.code).toBe("PERIOD_CLOSED");
        await expect(
          fx.orgkit.system().usage.record([
            {
              idempotencyKey: "dec-2",
              meter: "model.train",
              quantity: 1,
              userId: member.id,
              at: new Date(Date.UTC(2025, 11, 21)),
            },
          ]),
        ).rejects.toMatchObject({ code: "PERIOD_CLOSED" });
        const frozen = await fx.send("GET", `/orgs/${org}/billing/statements/2025-12`, {
          as: fx.a.adminCookie,
        });
        expect(frozen.body).toEqual(closed.body);
      });
    });

    describe("given the audit log", () => {
      it("records the HTTP calls with their actor, target and address, and filters on them", async () => {
        const updated = await fx.send("PATCH", `/orgs/${org}/billing`, {
          as: fx.a.adminCookie,
          body: { billingEmail: "finance@acme.test" },
          ip: "203.0.113.7",
        });
        expect(updated.status).toBe(200);
        const result = await fx.send("GET", `/orgs/${org}/audit`, {
          as: fx.a.adminCookie,
          query: { action: "BILLING_ACCOUNT_UPDATE", actorId: admin.id },
        });
        expect(result.status).toBe(200);
        expect(result.body.items[0]).toMatchObject({
          organizationId: org,
          actor: { type: "user", id: admin.id },
          action: "BILLING_ACCOUNT_UPDATE",
          target: { type: "billing_account", id: org },
          after: { billingEmail: "finance@acme.test" },
          ip: "203.0.113.7",
          outcome: "success",
        });
        expect(
          result.body.items.every(
            (e: { action: string; actor: { id: string } }) =>
              e.action === "BILLING_ACCOUNT_UPDATE" && e.actor.id === admin.id,
          ),
        ).toBe(true);
        // A range after the clock holds nothing.
        const later = await fx.send("GET", `/orgs/${org}/audit`, {
          as: fx.a.adminCookie,
          query: { from: "2026-02-01T00:00:00Z" },
        });
        expect(later.body).toEqual({ items: [], nextCursor: null });
        // A deleted budget's target id finds its set and delete events.
        const budget = await fx.send("PUT", `/orgs/${org}/budgets`, {
          as: fx.a.adminCookie,
          body: { scope: { type: "member", userId: admin.id }, amount: 9_999 },
        });
        await fx.send("DELETE", `/orgs/${org}/budgets/${budget.body.id}`, { as: fx.a.adminCookie });
        const trail = await fx.send("GET", `/orgs/${org}/audit`, {
          as: fx.a.adminCookie,
          query: { targetType: "budget", targetId: budget.body.id },
        });
        expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual([
          "BILLING_BUDGET_DELETE",
          "BILLING_BUDGET_SET",
        ]);
      });

      it("pages with limit=1 and refuses a tampered, re-filtered or foreign cursor with 400 INVALID_CURSOR", async () => {
        const first = await fx.send("GET", `/orgs/${org}/audit`, {
          as: fx.a.adminCookie,
          query: { limit: "1" },
        });
        expect(first.status).toBe(200);
        expect(first.body.items).toHaveLength(1);
        expect(typeof first.body.nextCursor).toBe("string");
        const cursor = first.body.nextCursor as string;
        const second = await fx.send("GET", `/orgs/${org}/audit`, {
          as: fx.a.adminCookie,
          query: { limit: "1", cursor },
        });
        expect(second.status).toBe(200);
        expect(second.body.items[0].sequence).toBe(first.body.items[0].sequence - 1);

        const tampered = `${cursor.slice(0, -2)}${cursor.endsWith("AA") ? "BB" : "AA"}`;
        for (const [query, as] of [
          [{ limit: "1", cursor: tampered }, fx.a.adminCookie],
          [{ limit: "1", cursor: "not-a-cursor" }, fx.a.adminCookie],
          // The same cursor under another filter, or on another organization's log.
          [{ limit: "1", cursor, action: "BILLING_ACCOUNT_UPDATE" }, fx.a.adminCookie],
        ] as const) {
          const result = await fx.send("GET", `/orgs/${org}/audit`, { as, query });
          expect(result.status).toBe(400);
          expect(result.body.code).toBe("INVALID_CURSOR");
        }
        const foreign = await fx.send("GET", `/orgs/${fx.b.org.id}/audit`, {
          as: fx.b.adminCookie,
          query: { limit: "1", cursor },
        });
        expect(foreign.status).toBe(400);
        expect(foreign.body.code).toBe("INVALID_CURSOR");
      });

      it("walks every event once by cursor, matching the JSON-lines and CSV exports and the chain check", async () => {
        const seen: number[] = [];
        let cursor: string | null = null;
        do {
          const page: HttpResult = await fx.send("GET", `/orgs/${org}/audit`, {
            as: fx.a.adminCookie,
            query: { limit: "7", ...(cursor === null ? {} : { cursor }) },
          });
          expect(page.status).toBe(200);
          seen.push(...page.body.items.map((e: { sequence: number }) => e.sequence));
          cursor = page.body.nextCursor;
        } while (cursor !== null);
        // Newest first, without gaps or repeats.
        expect(seen).toEqual(seen.map((_, i) => seen.length - i));

        const jsonl = await fx.send("GET", `/orgs/${org}/audit/export.jsonl`, { as: fx.a.adminCookie });
        expect(jsonl.status).toBe(200);
        expect(jsonl.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
        const events = jsonl.text
          .trimEnd()
          .split("\n")
          .map((line) => JSON.parse(line) as { sequence: number; organizationId: string });
        expect(events.map((e) => e.sequence)).toEqual([...seen].reverse());
        expect(events.every((e) => e.organizationId === org)).toBe(true);

        const csv = await fx.send("GET", `/orgs/${org}/audit/export.csv`, { as: fx.a.adminCookie });
        expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
        expect(csv.text.split("\n")[0]).toBe(
          "sequence,at,organizationId,actorType,actorId,action,targetType,targetId,outcome,ip,before,after,hash",
        );
        const csvSequences = csv.text
          .trimEnd()
          .split("\n")
          .slice(1)
          .map((line) => Number(line.split(",")[0]));
        expect(csvSequences).toEqual([...seen].reverse());

        const verified = await fx.send("GET", `/orgs/${org}/audit/verify`, { as: fx.a.adminCookie });
        expect(verified.body).toEqual({
          valid: true,
          checked: seen.length,
          lastSequence: seen.length,
          problem: null,
        });
      });

      it("exports only the asked time range", async () => {
        const none = await fx.send("GET", `/orgs/${org}/audit/export.jsonl`, {
          as: fx.a.adminCookie,
          query: { to: "2025-01-01T00:00:00Z" },
        });
        expect(none.status).toBe(200);
        expect(none.text).toBe("");
        const bad = await fx.send("GET", `/orgs/${org}/audit/export.csv`, {
          as: fx.a.adminCookie,
          query: { from: "yesterday" },
        });
        expect(bad.status).toBe(400);
        expect(bad.body).toMatchObject({ code: "VALIDATION_FAILED", param: "from" });
      });
    });
  });
}
