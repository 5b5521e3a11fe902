import { DomainError } from "../kit/domain";

/**
 * Business-rule refusals of the aegis services, each with a stable code (callers switch on `code`); the message
 * says what to change. The tools turn them into `isError` results through kit/tool.ts. Tenant access failures are
 * NOT this type: they are CrossTenantError / NotFoundError from src/tenancy/scope.ts.
 */
export type AegisErrorCode =
  | "invalid_input"
  | "invalid_period"
  | "tenant_required"
  | "no_posture_data"
  | "invalid_state_transition"
  | "ineligible_assignee"
  /** A finding changed between an import's planning and its write; the whole import rolled back. */
  | "concurrent_change";

export class AegisError extends DomainError<AegisErrorCode> {
  override name = "AegisError";
}
