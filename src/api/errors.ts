/**
 * The API's error catalogue: every error body is `{ error: <code>, message, errors? }` with one of
 * these stable codes, each with its HTTP status (checked by the compiler), documented in the
 * OpenAPI document and tested against it.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { type Static, Type } from "typebox";
import { ConflictError, type FieldError, NotFoundError, ValidationError } from "../store/index.js";

export type ApiErrorCode =
  | "validation"
  | "bad_request"
  | "unauthorized"
  | "not_found"
  | "conflict"
  | "limit_reached"
  | "payload_too_large"
  | "unsupported_media_type"
  | "internal";

export const API_ERRORS = {
  validation: {
    status: 400,
    description: "The input is invalid; `errors` names each bad field (`forwarding.busy.number`).",
  },
  bad_request: { status: 400, description: "The request cannot be read (e.g. malformed JSON)." },
  unauthorized: { status: 401, description: "Missing or wrong `Authorization: Bearer <token>`." },
  not_found: { status: 404, description: "No such user, registration, ban, call or route." },
  conflict: { status: 409, description: "A user with this name already exists." },
  limit_reached: {
    status: 409,
    description: "A tenant limit (users, lines, calls, storage) would be exceeded (issue 21).",
  },
  payload_too_large: { status: 413, description: "The request body is too large." },
  unsupported_media_type: { status: 415, description: "The body is not application/json." },
  internal: { status: 500, description: "An unexpected server error (logged)." },
} as const satisfies Record<ApiErrorCode, { status: number; description: string }>;

const CODES = Object.keys(API_ERRORS) as ApiErrorCode[];

const fieldErrors = Type.Array(
  Type.Object({
    field: Type.String({ description: "The field's path: `forwarding.busy.number`, `ipAuthorization[1]`." }),
    message: Type.String(),
  }),
  { description: "With `validation`: each bad field and what is wrong with it." },
);

function errorSchema(codes: readonly ApiErrorCode[], description: string) {
  return Type.Object(
    {
      error: Type.Enum(codes, { description: "Stable error code." }),
      message: Type.String({ description: "For people; may change between versions." }),
      errors: Type.Optional(fieldErrors),
    },
    { description },
  );
}

/** Any error body (components.schemas.Error): one of the catalogue's codes. */
export const ErrorBody = errorSchema(
  CODES,
  `An error. Codes: ${CODES.map((c) => `\`${c}\` (${API_ERRORS[c].status}): ${API_ERRORS[c].description}`).join(" ")}`,
);

export type ErrorBodyType = Static<typeof ErrorBody>;

type ErrorStatus = 400 | 401 | 404 | 409;

/** Response schema entries for the error statuses a route can answer, each listing its codes. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, typeof ErrorBody> {
  const out = {} as Record<S, typeof ErrorBody>;
  for (const status of statuses) {
    const codes = CODES.filter((c) => API_ERRORS[c].status === status);
    out[status] = errorSchema(codes, codes.map((c) => `\`${c}\`: ${API_ERRORS[c].description}`).join(" "));
  }
  return out;
}

/** An error a handler throws to answer with one of the catalogue's codes. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** An ajv error as fastify attaches it to a validation failure. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** "/forwarding/busy/number" → "forwarding.busy.number"; "/ipAuthorization/1" → "ipAuthorization[1]". */
export function pointerToField(pointer: string, child?: string): string {
  const parts = pointer === "" ? [] : pointer.slice(1).split("/");
  if (child !== undefined) parts.push(child);
  let out = "";
  for (const raw of parts) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

export function schemaErrorsToFields(errors: readonly SchemaError[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let field: FieldError;
    if (e.keyword === "required" && typeof e.params.missingProperty === "string") {
      field = { field: pointerToField(e.instancePath, e.params.missingProperty), message: "is required" };
    } else if (e.keyword === "additionalProperties" && typeof e.params.additionalProperty === "string") {
      field = {
        field: pointerToField(e.instancePath, e.params.additionalProperty),
        message: "unknown field",
      };
    } else {
      field = { field: pointerToField(e.instancePath), message: e.message ?? "is invalid" };
    }
    const key = `${field.field}\n${field.message}`;
    if (!seen.has(key)) out.push(field);
    seen.add(key);
  }
  return out;
}

function send(reply: FastifyReply, code: ApiErrorCode, message: string, errors?: FieldError[]): FastifyReply {
  const body: ErrorBodyType = errors ? { error: code, message, errors } : { error: code, message };
  return reply.code(API_ERRORS[code].status).send(body);
}

function codeForStatus(status: number): ApiErrorCode {
  if (status === 401) return "unauthorized";
  if (status === 404) return "not_found";
  if (status === 413) return "payload_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status >= 400 && status < 500) return "bad_request";
  return "internal";
}

/** The one error handler: store errors, schema failures, fastify's own errors → catalogue bodies. */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) return send(reply, error.code, error.message, error.errors);
  if (error instanceof ValidationError) return send(reply, "validation", error.message, error.errors);
  if (error instanceof NotFoundError) return send(reply, "not_found", error.message);
  if (error instanceof ConflictError) return send(reply, "conflict", error.message);
  if (error.validation) {
    const errors = schemaErrorsToFields(error.validation as SchemaError[]);
    const where = error.validationContext ?? "request";
    const message = `invalid ${where}: ${errors.map((e) => `${e.field || where}: ${e.message}`).join("; ")}`;
    return send(reply, "validation", message, errors);
  }
  const status = error.statusCode ?? 500;
  const code = codeForStatus(status);
  if (code === "internal") {
    request.log.error({ err: error }, "API request failed");
    return send(reply, code, "internal error");
  }
  if (code === "unsupported_media_type" && error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    const type = String(request.headers["content-type"] ?? "").split(";")[0];
    return send(reply, code, `the body must be application/json, not ${type}`);
  }
  return send(reply, code, error.message);
}
