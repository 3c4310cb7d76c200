/** The OpenAPI document's shape as the API test reads it, what the API serves, and a checked caller. */
import assert from "node:assert/strict";
import type { Ajv2020, ValidateFunction } from "ajv/dist/2020.js";
import type { LightMyRequestResponse } from "fastify";
import { auth, type Harness } from "./fixtures.js";

export interface MediaType {
  schema?: object;
}
export interface ResponseObject {
  description?: string;
  content?: Record<string, MediaType>;
}
export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: object;
}
export interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, object>; securitySchemes?: Record<string, Record<string, string>> };
  security?: Record<string, string[]>[];
}

export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** Lines, trunks and dial plan tables (src/api/routes/routing.ts): base path and row parameter. */
export const ROUTING_PATHS = [
  ["/api/v1/external-lines", "account"],
  ["/api/v1/sip-trunks", "trunkId"],
  ["/api/v1/dialplans", "name"],
  ["/api/v1/dialplan/transitions", "id"],
  ["/api/v1/dialplan/analyze", "id"],
  ["/api/v1/dialplan/refine", "id"],
] as const;

/** What createApi serves under /api, besides the Swagger UI's own files under /api/docs. */
export const SERVED = [
  "GET /health",
  "GET /ready",
  "GET /api/v1/openapi.json",
  "GET /api/v1/users",
  "POST /api/v1/users",
  "GET /api/v1/users/{name}",
  "PATCH /api/v1/users/{name}",
  "PUT /api/v1/users/{name}",
  "DELETE /api/v1/users/{name}",
  "GET /api/v1/registrations",
  "DELETE /api/v1/registrations/{id}",
  "GET /api/v1/bans",
  "DELETE /api/v1/bans/{address}",
  "GET /api/v1/status",
  "GET /api/v1/tenant",
  "GET /api/v1/calls",
  "POST /api/v1/calls",
  "DELETE /api/v1/calls/{id}",
  "GET /api/v1/cdrs",
  "GET /api/v1/cdrs.csv",
  ...ROUTING_PATHS.flatMap(([base, param]) => [
    `GET ${base}`,
    `POST ${base}`,
    `GET ${base}/{${param}}`,
    `PATCH ${base}/{${param}}`,
    `PUT ${base}/{${param}}`,
    `DELETE ${base}/{${param}}`,
  ]),
  "POST /api/v1/dialplan/test",
];

export function operations(doc: OpenApiDocument): { method: string; path: string; op: Operation }[] {
  const out: { method: string; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) out.push({ method: method.toUpperCase(), path, op });
    }
  }
  return out;
}

/**
 * A caller that sends a request to a documented path and checks the response against the
 * document: the status must be listed for the operation, and the body must validate against the
 * schema given for it. Each "operationId status" checked is added to `checked`.
 */
export function documentedCaller(
  doc: () => OpenApiDocument,
  harness: () => Harness,
  ajv: Ajv2020,
  validators: Map<string, ValidateFunction>,
  checked: Set<string>,
): (
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  template: string,
  options?: { params?: Record<string, string>; query?: string; body?: object; token?: boolean },
) => Promise<LightMyRequestResponse> {
  return async function call(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    template: string,
    options: { params?: Record<string, string>; query?: string; body?: object; token?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    const op = doc().paths[template]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${template} is in the document`);
    let url = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = options.params?.[name];
      assert.ok(value !== undefined, `value for {${name}}`);
      return encodeURIComponent(value);
    });
    if (options.query) url += `?${options.query}`;
    const res = await harness().app.inject({
      method,
      url,
      headers: options.token === false ? {} : auth,
      ...(options.body ? { payload: options.body } : {}),
    });
    const status = String(res.statusCode);
    const documented = op.responses?.[status];
    assert.ok(documented, `${method} ${template} answered ${status}, which the document does not list`);
    const csv = /^text\/csv/.test(String(res.headers["content-type"]));
    const schema = documented.content?.[csv ? "text/csv" : "application/json"]?.schema;
    if (csv) {
      assert.ok(
        schema,
        `${method} ${template} ${status} answered text/csv, which the document does not list`,
      );
      const validate = ajv.compile(schema);
      assert.ok(validate(res.body), `${method} ${template} ${status}: ${ajv.errorsText(validate.errors)}`);
    } else if (schema === undefined) {
      assert.equal(res.body, "", `${method} ${template} ${status} has no documented body`);
    } else {
      const key = `${op.operationId} ${status}`;
      let validate = validators.get(key);
      if (!validate) {
        validate = ajv.compile(schema);
        validators.set(key, validate);
      }
      const body: unknown = res.json();
      assert.ok(
        validate(body),
        `${method} ${template} ${status}: ${ajv.errorsText(validate.errors)}\n${res.body.slice(0, 500)}`,
      );
    }
    checked.add(`${op.operationId} ${status}`);
    return res;
  };
}
