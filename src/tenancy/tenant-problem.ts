/** A provisioning request refused (issue 21), answered by the API with the field it names. */
import { ApiError, type ApiErrorCode } from "../api/errors.js";

export class TenantProblem extends ApiError {
  constructor(code: ApiErrorCode, field: string, message: string) {
    super(code, code === "validation" ? `${field} ${message}` : message, [{ field, message }]);
  }
}
