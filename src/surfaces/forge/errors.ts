import { DomainError } from "../kit/domain";

/**
 * Business-rule refusals of the forge services, each with a stable code (callers switch on `code`). The message
 * says what to change; the kit's surfaceTool turns it into an `isError` result. Tenant access failures are NOT
 * this type: they are CrossTenantError / NotFoundError from src/tenancy/scope.ts.
 */
export type ForgeErrorCode =
  | "invalid_input"
  | "unknown_version"
  | "forbidden_role"
  | "idempotency_conflict"
  | "concurrent_change";

export class ForgeError extends DomainError<ForgeErrorCode> {}
