/** Implementations of the billing, usage, budget and audit endpoints. */
import { notFound } from "../../errors.js";
import type { billingContracts } from "../contracts/billing.js";
import type { ImplementationsOf } from "./types.js";

/** A text download: `content-type` and a file name for the browser's save dialog. */
function download(body: string, contentType: string, filename: string): Response {
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": `${contentType}; charset=utf-8`,
      "content-disposition": `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"`,
    },
  });
}

/** Sorts members' activity with the usage of no user (`userId` null) last. */
const activityKey = (activity: { userId: string | null }) => activity.userId ?? "\uffff";

/** Implementations of the billing endpoints. */
export const billingHandlers: ImplementationsOf<typeof billingContracts> = {
  billing: {
    getAccount: async ({ services, params }) => services.billing.getAccount(params.orgId),
    updateAccount: async ({ services, params, body }) => services.billing.updateAccount(params.orgId, body),
    meters: async ({ services, query, paginate }) =>
      paginate(await services.billing.meters(), (meter) => meter.id, query),
    prices: async ({ services, query, paginate }) =>
      paginate(
        await services.billing.prices(query.currency),
        // Meter, then period: the order the service gives (oldest first per meter), and unique.
        (price) => `${price.meter}\u0000${price.effectiveFrom}`,
        query,
      ),
    statement: async ({ services, params }) => services.billing.statement(params.orgId, params.period),
    exportStatement: async ({ services, params }) =>
      download(
        await services.billing.exportStatement(params.orgId, params.period, { format: "csv" }),
        "text/csv",
        `${params.orgId}-${params.period}.csv`,
      ),
    closePeriod: async ({ services, params }) => services.billing.closePeriod(params.orgId, params.period),
    activity: async ({ services, params, query, paginate }) =>
      paginate(
        await services.billing.activity(params.orgId, {
          from: query.from,
          to: query.to,
          ...(query.userId === undefined ? {} : { userId: query.userId }),
        }),
        activityKey,
        query,
      ),
  },
  usage: {
    mine: async ({ services, params, query, caller }) => {
      // `caller` is set on every endpoint with auth "user" (the handler answers 401 otherwise).
      const userId = caller?.userId ?? "";
      const [own] = await services.billing.activity(params.orgId, { from: query.from, to: query.to, userId });
      // The service always answers one entry for the member asked about.
      if (own === undefined) throw notFound("userId");
      return own;
    },
  },
  budgets: {
    set: async ({ services, params, body }) => services.budgets.set(params.orgId, body),
    list: async ({ services, params, query, paginate }) =>
      paginate(await services.budgets.list(params.orgId, query.period), (budget) => budget.id, query),
    get: async ({ services, params, query }) => {
      const budget = (await services.budgets.list(params.orgId, query.period)).find(
        (b) => b.id === params.budgetId,
      );
      if (budget === undefined) throw notFound("budgetId");
      return budget;
    },
    delete: async ({ services, params }) => {
      await services.budgets.delete(params.orgId, params.budgetId);
      return undefined;
    },
  },
  audit: {
    query: async ({ services, params, query }) => services.audit.query(params.orgId, definedOnly(query)),
    verify: async ({ services, params }) => services.audit.verify(params.orgId),
    exportJsonl: async ({ services, params, query }) =>
      download(
        await services.audit.export(params.orgId, { format: "jsonl", ...definedOnly(query) }),
        "application/x-ndjson",
        `${params.orgId}-audit.jsonl`,
      ),
    exportCsv: async ({ services, params, query }) =>
      download(
        await services.audit.export(params.orgId, { format: "csv", ...definedOnly(query) }),
        "text/csv",
        `${params.orgId}-audit.csv`,
      ),
  },
};

/** The object without its undefined values (the services' strict input types under exactOptionalPropertyTypes). */
function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
