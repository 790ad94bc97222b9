/**
 * Resend's error body, `{ statusCode, name, message }`. The SDK hands it to the
 * caller verbatim as `result.error`, so names and statuses follow Resend's
 * published error table.
 */
export type ResendErrorName =
  | "invalid_idempotency_key"
  | "validation_error"
  | "missing_api_key"
  | "restricted_api_key"
  | "invalid_api_key"
  | "not_found"
  | "method_not_allowed"
  | "invalid_idempotent_request"
  | "concurrent_idempotent_requests"
  | "invalid_attachment"
  | "invalid_from_address"
  | "invalid_parameter"
  | "missing_required_field"
  | "rate_limit_exceeded"
  | "security_error"
  | "application_error"
  | "internal_server_error";

export interface ResendErrorBody {
  statusCode: number;
  name: ResendErrorName;
  message: string;
}

/** An API error to answer with; thrown by validation and caught by the router. */
export class ResendApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorName: ResendErrorName,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): ResendErrorBody {
    return { statusCode: this.statusCode, name: this.errorName, message: this.message };
  }
}

export const missingField = (field: string) => new ResendApiError(422, "missing_required_field", `Missing \`${field}\` field.`);

export const invalidField = (message: string) => new ResendApiError(422, "validation_error", message);

/** The error name Resend uses for a given status, for injected faults. */
export function errorNameForStatus(status: number): ResendErrorName {
  switch (status) {
    case 400:
    case 422:
      return "validation_error";
    case 401:
      return "missing_api_key";
    case 403:
      return "invalid_api_key";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "concurrent_idempotent_requests";
    case 429:
      return "rate_limit_exceeded";
    case 451:
      return "security_error";
    default:
      return "application_error";
  }
}
