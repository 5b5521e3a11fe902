import type { AuditEvent } from "../audit/log";
import type { SurfaceName } from "../config/schema";
import type { SurfaceAccess } from "./auth";

/** Per-HTTP-request facts every MCP audit row carries. */
export interface CallMeta {
  requestId: string;
  ip: string | null;
  /** performance.now() when the HTTP request arrived (audit latency). */
  startedAt: number;
}

/** Who and what an MCP audit row is about: the surface, the request, the token's principal (if verified), the tool. */
export interface McpAuditSubject {
  surface: SurfaceName;
  meta: CallMeta;
  access?: SurfaceAccess | null;
  /** The tool's name when the request named one (tools/call). */
  tool?: string | null;
  /** The row's action: the tool's dotted action (`cavalier.create_quote`), or `<surface>.<method>` when no tool was reached. */
  action: string;
  /** The tenant the call acted on; defaults to the token's tenant. */
  tenantId?: string | null;
}

/**
 * The one shape of an MCP audit row, used by the surface's refusals and by the tools/call path alike, so a row
 * reads the same whichever step wrote it: latency measured from the request's arrival, the principal from the
 * verified token (nothing when the request was refused before authentication).
 */
export function mcpAuditEvent(
  subject: McpAuditSubject,
  outcome: string,
  detail: Record<string, unknown>,
  extra: Pick<AuditEvent, "id" | "confirmsId"> = {},
): AuditEvent {
  const { access } = subject;
  return {
    kind: "mcp",
    // No cutting here: AuditLog caps every column by code point (src/shared/text.ts), never splitting a pair.
    action: subject.action,
    outcome,
    requestId: subject.meta.requestId,
    surface: subject.surface,
    tool: subject.tool ?? null,
    userId: access?.userId ?? null,
    tenantId: subject.tenantId !== undefined ? subject.tenantId : (access?.tenantId ?? null),
    clientId: access?.clientId ?? null,
    grantId: access?.grantId ?? null,
    ip: subject.meta.ip,
    latencyMs: Math.max(0, Math.round(performance.now() - subject.meta.startedAt)),
    detail,
    ...extra,
  };
}
