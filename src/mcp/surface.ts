import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  LATEST_PROTOCOL_VERSION,
  ListToolsRequestSchema,
  McpError,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCRequest,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import type { SurfaceName } from "../config/schema";
import type { AppContext } from "../context";
import { MAX_REQUEST_BODY_BYTES, readCappedText } from "../http/read-capped-body";
import { bearerTokenOf, type SurfaceAccess, type SurfaceAuth } from "./auth";
import { runToolCall, type CallMeta } from "./call-tool";
import type { ToolDefinition } from "./define-tool";
import { TenantDirectory } from "./tenant-scope";
import { allowedHostnames, checkHostAndOrigin } from "./trust";
import {
  pathProtectedResourceMetadataUrl,
  pathResourceUrl,
  protectedResourceMetadataUrl,
  resourceUrl,
  surfaceBaseUrl,
} from "../oauth/resource";
import { REFUSAL_ROWS_PER_MINUTE, RefusalAuditLimiter, type RefusalSummary } from "./refusal-limiter";
import { DispatchTransport, UNANSWERED_MESSAGE } from "./transport";

/** Protocol revisions a surface speaks; the first is what it offers to clients asking for anything else. */
export const PROTOCOL_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
const SUPPORTED = new Set(PROTOCOL_VERSIONS);

export const SURFACE_TITLES: Record<SurfaceName, string> = {
  forge: "Cavaridge Forge (AI tools, knowledge base)",
  cavalier: "Cavaridge Operations (quotes, deals)",
  aegis: "Cavaridge AEGIS (posture, findings)",
};

export const APPLIANCE_VERSION = "0.1.0";

/** Tool arguments are small; a larger body is refused while it is read, before it is parsed. */
const MAX_BODY_BYTES = MAX_REQUEST_BODY_BYTES;

/** Per-request facts from the HTTP edge. */
export interface RequestMeta {
  requestId: string;
  ip: string | null;
}

export interface SurfaceHandler {
  readonly surface: SurfaceName;
  readonly tools: readonly ToolDefinition[];
  /**
   * The MCP endpoint: Request -> Response, any method. `via` says which endpoint the request came in on:
   * "path" (default) `/{surface}` and `/{surface}/mcp` on public_url; "host" `/mcp` and "host-root" `/` on the
   * surface's own hostname (server.surface_urls, routed by Host). Each has its own resource, Host allowlist and PRM.
   */
  handle(request: Request, meta: RequestMeta, via?: SurfaceEndpointKind): Promise<Response>;
  /** `GET /{surface}/list_tools`: the public catalog. */
  catalog(request: Request): Response;
  close(): Promise<void>;
}

/** Which of a surface's endpoints a request came in on (mcp-client-compat §5.2). */
export type SurfaceEndpointKind = "path" | "host" | "host-root";

/** What differs between a surface's endpoints: the names it answers to, the token audience, the PRM it points at. */
interface SurfaceEndpoint {
  allowed: ReadonlySet<string>;
  resource: string;
  resourceMetadataUrl: string;
}

interface InFlightCall {
  access: SurfaceAccess;
  meta: CallMeta;
}

/** A JSON-RPC error as an HTTP response (MCP transports: malformed or refused POSTs). */
function rpcError(
  status: number,
  id: string | number | null,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/**
 * A tool as tools/list shows it. `securitySchemes` is the OpenAI Apps SDK's per-tool auth declaration
 * (developers.openai.com/apps-sdk/build/auth, "per-tool authentication with securitySchemes"): ChatGPT reads the
 * scope each tool needs from it; other clients ignore the extra key.
 */
function toWireTool(t: ToolDefinition): Tool & { securitySchemes: { type: "oauth2"; scopes: string[] }[] } {
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema as Tool["inputSchema"],
    outputSchema: t.outputSchema as Tool["outputSchema"],
    annotations: { title: t.title, ...t.annotations },
    securitySchemes: [{ type: "oauth2", scopes: [t.scope] }],
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The body as a JSON object if it is one (capped read), else null: for auditing a refused request. */
async function peekJsonObject(request: Request): Promise<Record<string, unknown> | null> {
  const raw = await readCappedText(request, MAX_BODY_BYTES).catch(() => null);
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** Audit outcomes of requests refused at the surface, before or instead of the tool call path. */
type RefusalOutcome =
  | "unauthorized"
  | "denied_origin"
  | "invalid_request"
  | "invalid_input"
  | "denied_scope"
  | "failed";

/**
 * One MCP surface: a single long-lived SDK `Server` behind a `DispatchTransport`, with the HTTP rules of
 * Streamable HTTP (MCP 2025-11-25 "Transports") applied before anything reaches it, in this order:
 * Host/Origin (403), method (405), JSON (-32700), batch/shape (-32600), `server/discover` (answered without a
 * token), bearer token (401 challenge), MCP-Protocol-Version (400), notifications (202), tool scope (403
 * insufficient_scope). Stateless: no Mcp-Session-Id is issued or required, and a tools/call from a client that
 * never sent initialize is answered.
 */
export function createSurfaceHandler(
  ctx: AppContext,
  surface: SurfaceName,
  tools: readonly ToolDefinition[],
  auth: SurfaceAuth,
  validator?: jsonSchemaValidator,
  directory: TenantDirectory = new TenantDirectory(ctx.store.db),
): SurfaceHandler {
  const byName = new Map<string, ToolDefinition>();
  for (const t of tools) {
    if (byName.has(t.name)) throw new Error(`surface ${surface}: duplicate tool ${t.name}`);
    byName.set(t.name, t);
  }
  const wireTools = tools.map(toWireTool);
  const listResult = { tools: wireTools };
  const catalogBody = JSON.stringify({
    surface,
    title: SURFACE_TITLES[surface],
    tools: tools.map((t) => ({ ...toWireTool(t), scope: t.scope })),
  });
  const allowed = allowedHostnames(ctx.config);
  const endpoints: Partial<Record<SurfaceEndpointKind, SurfaceEndpoint>> = {
    path: {
      allowed,
      resource: pathResourceUrl(ctx.config, surface),
      resourceMetadataUrl: pathProtectedResourceMetadataUrl(ctx.config, surface),
    },
  };
  const ownBase = surfaceBaseUrl(ctx.config, surface);
  if (ownBase) {
    // The surface's own host is accepted here only, never by the path endpoints nor by another surface (the loader
    // keeps it out of allowed_hosts): a token for this host cannot be replayed elsewhere through a Host header.
    const hostAllowed = new Set([...allowed, new URL(ownBase).hostname.toLowerCase()]);
    const resource = resourceUrl(ctx.config, surface);
    endpoints.host = {
      allowed: hostAllowed,
      resource,
      resourceMetadataUrl: protectedResourceMetadataUrl(ctx.config, surface),
    };
    endpoints["host-root"] = {
      allowed: hostAllowed,
      resource,
      resourceMetadataUrl: `${ownBase}/.well-known/oauth-protected-resource`,
    };
  }
  const surfaceScopes = [`${surface}:read`, `${surface}:write`];
  const serverInfo = { name: `cavaridge-${surface}`, title: SURFACE_TITLES[surface], version: APPLIANCE_VERSION };
  // logging: setLevel is accepted (SDK handler); the surfaces emit no log notifications in plain-JSON mode.
  const capabilities = { tools: { listChanged: false }, logging: {} };
  const instructions =
    `Cavaridge ${surface} tools. Destructive tools first return status confirmation_required with a summary: show it to the user and ` +
    `re-invoke with the same arguments plus confirmed: true and the confirmation_token only after they approve.`;

  const server = new Server(serverInfo, {
    capabilities,
    instructions,
    ...(validator ? { jsonSchemaValidator: validator } : {}),
  });
  const transport = new DispatchTransport();
  // The Protocol reports messages it drops through onerror; the transport answers them instead of hanging.
  server.onerror = (err) => {
    transport.serverError(err);
    ctx.log.warn("mcp server error", { surface, error: err.message.slice(0, 200) });
  };
  const inFlight = new Map<number, InFlightCall>();

  server.setRequestHandler(ListToolsRequestSchema, async () => listResult);
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const call = inFlight.get(extra.requestId as number);
    if (!call) throw new McpError(ErrorCode.InternalError, "request context lost");
    const tool = byName.get(request.params.name);
    if (!tool) {
      await ctx.audit.record({
        kind: "mcp",
        action: `${surface}.${request.params.name}`,
        outcome: "invalid_input",
        requestId: call.meta.requestId,
        surface,
        tool: request.params.name,
        userId: call.access.userId,
        tenantId: call.access.tenantId,
        clientId: call.access.clientId,
        grantId: call.access.grantId,
        ip: call.meta.ip,
        latencyMs: Math.round(performance.now() - call.meta.startedAt),
        detail: { error: "unknown tool", arguments: request.params.arguments },
      });
      // MCP 2025-11-25 "Tools / Error Handling": an unknown tool is a protocol error.
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    }
    try {
      return await runToolCall(ctx, directory, surface, tool, request.params.arguments, call.access, call.meta);
    } catch (err) {
      // Only the store failing (e.g. disk full, so not even the audit row commits) gets here: runToolCall turns
      // every tool error into a result. Never pass the raw database message to the client: it names tables and
      // values. Nothing was answered without its audit row; the caller gets the request id to quote.
      ctx.log.error("tools/call failed before its audit row committed", {
        request_id: call.meta.requestId,
        surface,
        tool: tool.name,
        error: err,
      });
      throw new McpError(ErrorCode.InternalError, `Internal error; request id ${call.meta.requestId}`);
    }
  });
  void server.connect(transport);

  // Refusals before authentication are rate-limited per address in the audit (see refusal-limiter.ts).
  const refusalLimiter = new RefusalAuditLimiter();
  async function writeSummaries(summaries: RefusalSummary[]) {
    for (const s of summaries) {
      await ctx.audit.record({
        kind: "mcp",
        action: `${surface}.refusals_summarized`,
        outcome: "unauthorized",
        surface,
        ip: s.ip,
        detail: {
          reason: `more than ${REFUSAL_ROWS_PER_MINUTE} refused unauthenticated requests from this address in one minute; the rest are counted here`,
          suppressed: s.suppressed,
          by_outcome: s.byOutcome,
          window_start: new Date(s.windowStart).toISOString(),
        },
      });
    }
  }
  const summarySweep = setInterval(() => {
    const owed = refusalLimiter.drain(ctx.clock());
    if (owed.length > 0)
      writeSummaries(owed).catch((err) => ctx.log.error("refusal summary audit failed", { surface, error: err }));
  }, 60_000);
  (summarySweep as { unref?: () => void }).unref?.();

  async function auditRefusal(
    meta: RequestMeta,
    startedAt: number,
    body: Record<string, unknown> | null,
    reason: string,
    access?: SurfaceAccess,
    outcome: RefusalOutcome = "unauthorized",
  ) {
    if (!access) {
      const { record, summaries } = refusalLimiter.admit(meta.ip, outcome, ctx.clock());
      if (summaries.length > 0) await writeSummaries(summaries);
      if (!record) return;
    }
    const method = typeof body?.method === "string" ? body.method : "unknown";
    const params = isObject(body?.params) ? body.params : undefined;
    const toolName = method === "tools/call" && typeof params?.name === "string" ? params.name : null;
    const tool = toolName ? byName.get(toolName) : undefined;
    await ctx.audit.record({
      kind: "mcp",
      action: tool ? tool.title : `${surface}.${method}`,
      outcome,
      requestId: meta.requestId,
      surface,
      tool: toolName,
      userId: access?.userId ?? null,
      tenantId: access?.tenantId ?? null,
      clientId: access?.clientId ?? null,
      grantId: access?.grantId ?? null,
      ip: meta.ip,
      latencyMs: Math.round(performance.now() - startedAt),
      detail: { method, reason, ...(toolName ? { arguments: params?.arguments } : {}) },
    });
  }

  function discover(id: string | number): Response {
    // MCP 2026-07-28 `server/discover` (ChatGPT probes with it): say who we are and which revisions we speak,
    // so a modern client falls back to the legacy handshake instead of failing.
    return jsonResponse({
      jsonrpc: "2.0",
      id,
      result: {
        supportedVersions: PROTOCOL_VERSIONS,
        protocolVersion: LATEST_PROTOCOL_VERSION,
        serverInfo,
        capabilities,
        instructions,
      },
    });
  }

  return {
    surface,
    tools,
    async handle(request, meta, via = "path") {
      const startedAt = performance.now();
      const endpoint = endpoints[via] ?? endpoints.path!;
      const refusal = checkHostAndOrigin(request.headers.get("host"), request.headers.get("origin"), endpoint.allowed);
      if (refusal) {
        // Refused requests are audited too (issue 4), naming the JSON-RPC method and tool when the body says.
        await auditRefusal(
          meta,
          startedAt,
          request.method === "POST" ? await peekJsonObject(request) : null,
          refusal,
          undefined,
          "denied_origin",
        );
        return rpcError(403, null, -32000, `Forbidden: ${refusal}`);
      }
      if (request.method !== "POST") {
        // GET would open an SSE stream; this server has none to offer. 405, never 404 (mcp-client-compat G7, G8).
        return rpcError(
          405,
          null,
          -32000,
          "Method not allowed: this MCP endpoint accepts POST only (stateless, no SSE stream).",
          { allow: "POST" },
        );
      }

      // Read with a byte cap on the stream itself: a chunked body has no content-length, and buffering it whole
      // first would let an unauthenticated caller make the process hold any amount of memory.
      const raw = await readCappedText(request, MAX_BODY_BYTES);
      if (raw === null) return rpcError(413, null, ErrorCode.InvalidRequest, "Request too large");
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return rpcError(400, null, ErrorCode.ParseError, "Parse error: the body is not valid JSON");
      }
      if (Array.isArray(body)) {
        // JSON-RPC batching was removed in MCP 2025-06-18 (changelog PR #416).
        return rpcError(400, null, ErrorCode.InvalidRequest, "Invalid Request: JSON-RPC batches are not supported");
      }
      if (!isObject(body) || body.jsonrpc !== "2.0") {
        return rpcError(400, null, ErrorCode.InvalidRequest, "Invalid Request: expected a JSON-RPC 2.0 message");
      }
      const hasId = typeof body.id === "string" || typeof body.id === "number";
      const method = typeof body.method === "string" ? body.method : undefined;
      if (method === "server/discover" && hasId) return discover(body.id as string | number);

      const token = bearerTokenOf(request.headers.get("authorization"));
      if (!token) {
        await auditRefusal(meta, startedAt, body, "no bearer token");
        return auth.challenge(surface, "missing", { resourceMetadataUrl: endpoint.resourceMetadataUrl });
      }
      let access: SurfaceAccess;
      try {
        access = await auth.verify(token, surface, endpoint.resource);
      } catch (err) {
        if (
          (err as { code?: string }).code !== "invalid_token" &&
          (err as { code?: string }).code !== "insufficient_scope"
        )
          throw err;
        await auditRefusal(meta, startedAt, body, (err as Error).message || "invalid token");
        return auth.challenge(surface, "invalid_token", {
          description: "The access token is invalid, expired or revoked",
          resourceMetadataUrl: endpoint.resourceMetadataUrl,
        });
      }

      const version = request.headers.get("mcp-protocol-version");
      if (version !== null && !SUPPORTED.has(version)) {
        await auditRefusal(
          meta,
          startedAt,
          body,
          `unsupported MCP-Protocol-Version ${version.slice(0, 40)}`,
          access,
          "invalid_request",
        );
        return rpcError(
          400,
          hasId ? (body.id as string | number) : null,
          ErrorCode.InvalidRequest,
          `Bad Request: unsupported MCP-Protocol-Version ${version.slice(0, 40)}; supported: ${PROTOCOL_VERSIONS.join(", ")}`,
        );
      }

      // Exactly the shapes the SDK's Protocol accepts (strict: no unknown top-level keys, params an object,
      // _meta an object, id a string or integer). Anything else the Protocol would drop without an answer.
      // JSON-RPC 2.0 section 5.1: -32600 Invalid Request.
      if (method && !(hasId ? JSONRPCRequestSchema : JSONRPCNotificationSchema).safeParse(body).success) {
        if (method === "tools/call")
          await auditRefusal(meta, startedAt, body, "invalid JSON-RPC request", access, "invalid_input");
        return rpcError(
          400,
          typeof body.id === "string" || Number.isInteger(body.id) ? (body.id as string | number) : null,
          ErrorCode.InvalidRequest,
          "Invalid Request: not a valid JSON-RPC 2.0 request (check params, _meta and id)",
        );
      }

      if (!method || !hasId) {
        // Notifications and responses: accepted, nothing to answer (Streamable HTTP: 202, no body).
        if (method && !method.startsWith("notifications/cancelled"))
          transport.onmessage?.(body as never, { requestInfo: { headers: {} } });
        return new Response(null, { status: 202 });
      }

      if (method === "tools/call") {
        const params = isObject(body.params) ? body.params : {};
        if (typeof params.name !== "string" || (params.arguments !== undefined && !isObject(params.arguments))) {
          // Audited here because the SDK would refuse it before any tool code (and its audit) runs.
          await auditRefusal(meta, startedAt, body, "malformed tools/call params", access, "invalid_input");
          return rpcError(
            200,
            body.id as string | number,
            ErrorCode.InvalidParams,
            "Invalid params: tools/call needs a string name and an object of arguments",
          );
        }
        const tool = byName.get(params.name);
        if (tool && !access.scopes.includes(tool.scope)) {
          await auditRefusal(meta, startedAt, body, `missing scope ${tool.scope}`, access, "denied_scope");
          // Name every scope the client should hold for this surface, so one step-up suffices (SEP-835).
          const needed = [...new Set([...access.scopes.filter((s) => surfaceScopes.includes(s)), tool.scope])];
          return auth.challenge(surface, "insufficient_scope", {
            scopes: needed,
            description: `${tool.name} requires the ${tool.scope} scope`,
            resourceMetadataUrl: endpoint.resourceMetadataUrl,
          });
        }
      }

      const internalId = transport.allocateId();
      inFlight.set(internalId, { access, meta: { requestId: meta.requestId, ip: meta.ip, startedAt } });
      try {
        const reply = await transport.dispatch(
          body as unknown as JSONRPCRequest,
          { requestInfo: { headers: {} } },
          internalId,
        );
        if (method === "tools/call" && "error" in reply && reply.error.message === UNANSWERED_MESSAGE) {
          // The backstop answered, so no tool code wrote its audit row: one row per tools/call, whatever happened.
          await auditRefusal(meta, startedAt, body, "the server did not answer", access, "failed");
        }
        return jsonResponse(reply, 200);
      } finally {
        inFlight.delete(internalId);
      }
    },
    catalog(request) {
      const refusal = checkHostAndOrigin(request.headers.get("host"), null, allowed);
      if (refusal) return jsonResponse({ error: "forbidden", error_description: refusal }, 403);
      return new Response(catalogBody, {
        headers: { "content-type": "application/json", "cache-control": "public, max-age=60" },
      });
    },
    async close() {
      clearInterval(summarySweep);
      await writeSummaries(refusalLimiter.drain(ctx.clock(), true)).catch(() => {});
      await server.close();
    },
  };
}
