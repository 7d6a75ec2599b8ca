import type { z } from "zod";
import {
  type ApiContract,
  type EndpointContract,
  jsonSchemaOf,
  operations,
  successStatus,
  wireSchema,
} from "./contract.js";

/** The OpenAPI document's `info` object. */
export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** Options of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  /** Where the API is mounted (the document's server URL). Default `/`. */
  readonly basePath?: string;
  /** The session cookie's name, for the cookie security scheme. Default `orgkit_session`. */
  readonly cookieName?: string;
  /** Overrides of the document's `info`. */
  readonly info?: Partial<OpenApiInfo> | undefined;
}

const ERROR_SCHEMA = {
  type: "object",
  description: "Every error: a stable code, a human message, and the offending field when there is one.",
  properties: {
    code: { type: "string", description: "A stable UPPER_SNAKE code, e.g. NOT_FOUND." },
    message: { type: "string" },
    param: { type: "string", description: "The input field at fault, as a dotted path." },
    violations: {
      type: "array",
      description: "PASSWORD_POLICY_VIOLATION only: every rule the password breaks, for a strength meter.",
      items: {
        type: "object",
        properties: {
          code: { type: "string", description: "The rule, e.g. TOO_SHORT." },
          message: { type: "string" },
          params: { type: "object", description: "The rule's figures, e.g. { minLength: 12 }." },
        },
        required: ["code", "message"],
      },
    },
  },
  required: ["code", "message"],
  additionalProperties: false,
};

const STATUS_TEXT: Record<number, string> = {
  400: "The request is not valid.",
  401: "No valid session cookie or access token.",
  403: "The caller may not do this.",
  404: "Not found, or not visible to the caller.",
  405: "Method not allowed.",
  409: "Conflicts with the current state.",
  410: "Gone.",
  413: "The body is too large.",
  415: "The body is not JSON.",
  429: "Too many requests; see Retry-After.",
  500: "Unexpected error.",
};

/**
 * The OpenAPI 3.1 document of a contract: one operation per endpoint (`operationId` is
 * `group.name`), JSON Schemas from zod (requests as accepted, responses as sent), the bearer and
 * cookie security schemes, and the shared error shape.
 */
export function buildOpenApiDocument(
  contract: ApiContract,
  options: OpenApiOptions = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const [group, name, declared] of operations(contract)) {
    tags.add(declared.tag);
    const item = paths[declared.path] ?? {};
    item[declared.method.toLowerCase()] = operation(`${group}.${name}`, declared);
    paths[declared.path] = item;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: options.info?.title ?? "orgkit API",
      version: options.info?.version ?? "0.1.0",
      description:
        options.info?.description ??
        "Organizations, members, invitations, teams, apps, access policies, SSO, tokens, billing and audit. " +
          "Authenticate with `Authorization: Bearer orgkit_pat_…` or the session cookie.",
    },
    servers: [{ url: options.basePath === undefined || options.basePath === "" ? "/" : options.basePath }],
    tags: [...tags].sort().map((tag) => ({ name: tag })),
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      responses: Object.fromEntries(
        Object.entries(STATUS_TEXT).map(([status, description]) => [
          `Error${status}`,
          {
            description,
            content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
          },
        ]),
      ),
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A personal access token: `orgkit_pat_` followed by 36 characters.",
        },
        cookie: { type: "apiKey", in: "cookie", name: options.cookieName ?? "orgkit_session" },
      },
    },
  };
}

function operation(operationId: string, declared: EndpointContract): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = [];
  for (const [location, schema] of [
    ["path", declared.params],
    ["query", declared.query],
  ] as const) {
    if (schema === undefined) continue;
    const json = jsonSchemaOf(schema, "input");
    const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...rest } = property;
      parameters.push({
        name,
        in: location,
        required: location === "path" || required.has(name),
        ...(typeof description === "string" ? { description } : {}),
        schema: rest,
      });
    }
  }
  const status = successStatus(declared);
  const responses: Record<string, unknown> = {
    [String(status)]:
      status === 302 || status === 303
        ? {
            description: "Redirect.",
            headers: { Location: { description: "Where to go next.", schema: { type: "string" } } },
          }
        : declared.response === null || status === 204
          ? { description: "Done." }
          : {
              description: declared.summary,
              content: {
                [declared.produces ?? "application/json"]: {
                  schema: declared.produces
                    ? { type: "string" }
                    : jsonSchemaOf(wireSchema(declared.response as z.ZodType), "output"),
                },
              },
            },
  };
  // Public endpoints answer 401 and 403 too: a wrong password, SSO required, a disabled provider.
  const errors = [400, 401, 403, 404, 500];
  // An invitation link that was declined, rescinded or has expired.
  if (declared.path.startsWith("/invitations/")) errors.push(410);
  if (declared.body !== undefined) errors.push(413, 415);
  if (declared.method !== "GET") errors.push(409);
  if (declared.rateLimited) errors.push(429);
  for (const code of errors.sort()) {
    responses[String(code)] = { $ref: `#/components/responses/Error${code}` };
  }
  const auth = declared.auth ?? "user";
  return {
    operationId,
    summary: declared.summary,
    ...(declared.description === undefined ? {} : { description: declared.description }),
    tags: [declared.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(declared.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: {
              [declared.consumes ?? "application/json"]: { schema: jsonSchemaOf(declared.body, "input") },
            },
          },
        }),
    responses,
    security:
      auth === "user"
        ? [{ bearer: [] }, { cookie: [] }]
        : auth === "optional"
          ? [{}, { bearer: [] }, { cookie: [] }]
          : [],
    ...(declared.scope === undefined ? {} : { "x-orgkit-scope": declared.scope }),
  };
}
