import { SURFACES, type SurfaceName } from "../config/schema";

/**
 * Label values for the Prometheus series. Every function here maps request-controlled text onto a fixed set, so
 * a caller cannot mint new time series (https://prometheus.io/docs/practices/naming/#labels: "Do not use labels
 * to store dimensions with high cardinality"). Pure.
 */

const SURFACE_SET: ReadonlySet<string> = new Set(SURFACES);

/** Which part of the product a request path belongs to: a surface name, `oauth`, `mcp` (host-routed), ... */
export function surfaceOfPath(path: string): string {
  const segments = path
    .split("?")[0]!
    .split("/")
    .filter((s) => s.length > 0);
  const first = segments[0] ?? "";
  if (SURFACE_SET.has(first)) return first;
  if (first === ".well-known") {
    const doc = segments[1] ?? "";
    if (doc === "oauth-protected-resource") return SURFACE_SET.has(segments[2] ?? "") ? segments[2]! : "mcp";
    return "oauth";
  }
  if (first === "oauth") return "oauth";
  if (first === "mcp") return "mcp";
  if (first === "healthz" || first === "readyz") return "health";
  if (first === "metrics") return "metrics";
  return "other";
}

/** Outcomes the audit log writes today (src/audit/log.ts AuditEvent.outcome); anything else counts as `other`. */
export const KNOWN_OUTCOMES: ReadonlySet<string> = new Set([
  "ok",
  "tool_error",
  "invalid_input",
  "confirmation_required",
  "confirmed",
  "declined",
  "denied",
  "denied_cross_tenant",
  "denied_scope",
  "denied_origin",
  "invalid_request",
  "denied_role",
  "unauthorized",
  "throttled",
  "failed",
  "no_effect",
]);

export function boundedOutcome(outcome: string): string {
  return KNOWN_OUTCOMES.has(outcome) ? outcome : "other";
}

export function boundedSurface(surface: string | null | undefined): SurfaceName | "none" | "other" {
  if (!surface) return "none";
  return SURFACE_SET.has(surface) ? (surface as SurfaceName) : "other";
}

/** A tool label only for names in the catalog (never the name a request sent); `unknown` otherwise. */
export function boundedTool(catalog: { has(name: string): boolean }, tool: string | null | undefined): string {
  return tool && catalog.has(tool) ? tool : "unknown";
}

/** The HTTP status code (at most 500 values, so bounded), or `unknown`. */
export function statusLabel(status: number | undefined): string {
  if (status === undefined || !Number.isInteger(status) || status < 100 || status > 599) return "unknown";
  return String(status);
}
