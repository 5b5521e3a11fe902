/** Stable codes of the admin boundary: JSON API bodies carry them as `error`, pages map them to a message. */
export type AdminErrorCode =
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "invalid_request"
  | "invalid_cursor"
  | "csrf_failed"
  | "conflict"
  | "too_large"
  | "too_many_requests";

const STATUS: Record<AdminErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_request: 400,
  invalid_cursor: 400,
  csrf_failed: 403,
  conflict: 409,
  too_large: 413,
  too_many_requests: 429,
};

/** The one error type of the admin console. `message` is safe to show to the caller. */
export class AdminError extends Error {
  readonly status: number;
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AdminError";
    this.status = STATUS[code];
  }
}

/** What a caller sees for a row of another tenant and for a row that does not exist alike. */
export const NOT_FOUND_OR_NOT_PERMITTED = "not found or not permitted";
