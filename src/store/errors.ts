/**
 * Store failures as typed values with stable codes, so the API can map them (409, 404, 400)
 * without parsing messages.
 */
export interface FieldError {
  /** The field's path in the API's vocabulary: "name", "forwarding.busy.number", "ipAuthorization[1]". */
  field: string;
  message: string;
}

export type StoreErrorCode = "conflict" | "not_found" | "validation";

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
}

/** A row with the same unique key already exists (e.g. a user name within a domain). */
export class ConflictError extends StoreError {
  readonly code = "conflict";
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} "${key}" already exists`);
    this.name = "ConflictError";
  }
}

export class NotFoundError extends StoreError {
  readonly code = "not_found";
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} "${key}" not found`);
    this.name = "NotFoundError";
  }
}

export class ValidationError extends StoreError {
  readonly code = "validation";
  constructor(readonly errors: FieldError[]) {
    super(`invalid input: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`);
    this.name = "ValidationError";
  }
}

/** Runs a write; a duplicate key becomes a ConflictError naming the record's key. */
export async function unique<T>(entity: string, key: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(entity, key);
    throw error;
  }
}

/** True when a driver error is a unique-key violation, on any of the three engines. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return (
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "ER_DUP_ENTRY" ||
    code === "23505"
  );
}
