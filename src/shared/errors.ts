/**
 * A request the caller can correct: the tools/call path answers it as an `isError` result with this message and
 * audits it as `invalid_input` (not `tool_error`, not `failed`). Subclasses carry a stable `code` of their own
 * only through their class; the public message is `message`, and it never includes a stack or an internal detail.
 */
export class InvalidInputError extends Error {
  readonly code = "invalid_input";
  constructor(
    message: string,
    /** Recorded in the audit row only (never shown to the caller). */
    readonly auditDetail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "InvalidInputError";
  }
}
