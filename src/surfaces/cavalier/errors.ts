import { DomainError } from "../kit/domain";

/**
 * Business-rule failures of the cavalier service, each with a stable code (callers switch on `code`).
 * The message says what to change; the kit's surfaceTool turns it into an `isError` result.
 * Tenant access failures are NOT this type: they are CrossTenantError / NotFoundError from src/tenancy/scope.ts.
 */
export type CavalierErrorCode =
  | "invalid_input"
  | "invalid_state_transition"
  | "idempotency_conflict"
  | "ambiguous_reference"
  | "unknown_product"
  | "no_price_in_currency"
  | "forbidden_role";

export class CavalierError extends DomainError<CavalierErrorCode> {}
