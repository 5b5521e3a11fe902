/**
 * What every surface service may know about the caller and how it refuses: no MCP or HTTP type appears here, so a
 * service importing this stays a plain domain module (the tool layer, kit/tool.ts, does the translation).
 */

/** The user on whose behalf a service acts, as the audit trail and history rows record them. */
export interface Actor {
  userId: string;
  name: string;
}

/**
 * A business-rule refusal the caller can act on, with a stable `code` callers switch on (as jose's errors do).
 * `message` says what to change and is shown to the caller; `detail` is structured context for the same reader.
 * Tenant access failures are NOT this type: they are CrossTenantError / NotFoundError from src/tenancy/scope.ts.
 */
export class DomainError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}
